"""The render stage on real ffmpeg: recap MP4, poster, sprite, re-timed subtitles, chapters."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from media_pipeline.pipeline.ffmpeg import (
    concat_script,
    crossfade_render_args,
    crossfade_spans,
    loudness_filter,
    parse_loudness,
    run,
)
from media_pipeline.pipeline.probe import ProbeLimits, probe
from media_pipeline.pipeline.remux import needs_remux, remux_for_seeking
from media_pipeline.pipeline.render import fit_size, render_recap, sprite_layout
from media_pipeline.pipeline.subtitles import parse_subtitles
from media_pipeline.pipeline.types import (
    Chapter,
    Clip,
    Cue,
    PipelineError,
    RenderOutputs,
    Scene,
    Selection,
    Writeup,
)

from .media import (
    _ffmpeg,
    image_gray,
    integrated_loudness,
    make_clip,
    probe_of,
    stream_facts,
    top_level_atoms,
)

CLIPS = (Clip(6.0, 9.0), Clip(11.0, 14.5), Clip(16.0, 20.0))  # 10.5 s of a 20 s movie
CUES = (
    Cue(5.0, 7.0, "crosses the first cut"),
    Cue(12.0, 13.0, "inside the second clip"),
    Cue(14.8, 15.5, "in a gap"),
)
WRITEUP = Writeup(
    language="en",
    synopsis="A test card.",
    chapters=(
        Chapter("Opening", 0.0, 10.0, 0.0, 3.0),
        Chapter("Middle & <more>", 10.0, 15.0, 3.0, 6.5),
        Chapter("Ending", 15.0, 20.0, 6.5, 10.5),
    ),
)


@dataclass(frozen=True)
class Rendered:
    outputs: RenderOutputs
    progress: list[float]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Rendered:
    """A 20 s movie whose first 5 s are black; the top-scored scene is that black stretch."""
    folder = tmp_path_factory.mktemp("render")
    movie = make_clip(str(folder / "movie.mp4"), duration=20.0, black_lead=5.0)
    scenes = (
        Scene(0, 0.0, 5.0, (), score=9.0),
        Scene(1, 5.0, 15.0, (), score=5.0),
        Scene(2, 15.0, 20.0, (), score=1.0),
    )
    seen: list[float] = []
    outputs = render_recap(
        movie=movie,
        probe=probe_of(movie, duration=20.0),
        selection=Selection(target=10.5, clips=CLIPS),
        cues=CUES,
        writeup=WRITEUP,
        out_dir=str(folder / "out"),
        progress=seen.append,
        scenes=scenes,
    )
    return Rendered(outputs, seen)


def test_recap_is_h264_aac_mp4_with_faststart(rendered):
    facts = stream_facts(rendered.outputs.video)
    atoms = top_level_atoms(rendered.outputs.video)

    assert facts["video_codec"] == "h264"
    assert facts["pix_fmt"] == "yuv420p"
    assert facts["audio_codec"] == "aac"
    assert atoms[0] == "ftyp"
    assert atoms.index("moov") < atoms.index("mdat")


def test_the_files_are_published_together_and_the_staging_folder_is_gone(rendered):
    out_dir = Path(rendered.outputs.video).parent

    assert sorted(os.listdir(out_dir)) == [
        "chapters.vtt", "poster.jpg", "recap.mp4", "sprite.jpg", "subtitles.vtt", "thumbnails.vtt",
    ]  # fmt: skip
    assert sorted(os.listdir(out_dir.parent)) == ["movie.mp4", "out"]
    assert set(rendered.outputs.timings) >= {"render", "verify"}


def test_recap_lasts_as_long_as_the_selection(rendered):
    assert stream_facts(rendered.outputs.video)["duration"] == pytest.approx(10.5, abs=0.3)
    assert rendered.outputs.duration == pytest.approx(10.5, abs=0.3)


def test_recap_is_loudness_normalised_to_minus_16_lufs(rendered):
    assert integrated_loudness(rendered.outputs.video) == pytest.approx(-16.0, abs=1.0)


def test_progress_is_reported_up_to_done(rendered):
    assert rendered.progress
    assert rendered.progress == sorted(rendered.progress)
    assert rendered.progress[-1] == pytest.approx(1.0, abs=0.05)
    assert set(rendered.outputs.timings) >= {"loudness_scan", "render", "poster"}


def test_poster_skips_a_black_top_scene_for_a_visible_frame(rendered):
    poster = image_gray(rendered.outputs.poster)

    assert stream_facts(rendered.outputs.poster)["size"] == (320, 180)
    assert poster.mean() > 40
    assert poster.std() > 20


def test_sprite_and_its_webvtt_index_agree(rendered):
    _every, tile_w, tile_h, cols, rows = sprite_layout(10.5, (320, 180))
    vtt = Path(rendered.outputs.thumbnails_vtt).read_text(encoding="utf-8")
    cues = re.findall(r"(\S+) --> (\S+)\nsprite\.jpg#xywh=(\d+),(\d+),(\d+),(\d+)", vtt)

    assert stream_facts(rendered.outputs.sprite)["size"] == (cols * tile_w, rows * tile_h)
    assert (tile_w, tile_h) == (160, 90)
    assert len(cues) == 6
    assert cues[0][:2] == ("00:00:00.000", "00:00:02.000")
    assert cues[-1][1] == "00:00:10.500"
    for start, end, x, y, w, h in cues:
        assert start < end
        assert int(x) + int(w) <= cols * tile_w
        assert int(y) + int(h) <= rows * tile_h
    tiles = image_gray(rendered.outputs.sprite)
    assert all(tiles[:, i * 160 : (i + 1) * 160].std() > 10 for i in range(6))


def test_subtitles_are_retimed_to_the_recap(rendered):
    parsed = parse_subtitles(rendered.outputs.subtitles_vtt)

    assert [(c.start, c.end, c.text) for c in parsed.cues] == [
        (0.0, 1.0, "crosses the first cut"),
        (4.0, 5.0, "inside the second clip"),
    ]


def test_chapters_vtt_lists_each_chapter_on_the_recap_timeline(rendered):
    text = Path(rendered.outputs.chapters_vtt).read_text(encoding="utf-8")

    assert text.startswith("WEBVTT\n\n")
    assert re.findall(r"(\S+) --> (\S+)\n(.+)", text) == [
        ("00:00:00.000", "00:00:03.000", "Opening"),
        ("00:00:03.000", "00:00:06.500", "Middle &amp; &lt;more&gt;"),
        ("00:00:06.500", "00:00:10.500", "Ending"),
    ]


def test_an_oversized_source_is_scaled_down_to_1080p(tmp_path):
    movie = make_clip(str(tmp_path / "big.mp4"), duration=2.0, size=(2560, 1440), audio=False)

    outputs = render_recap(
        movie=movie,
        probe=probe_of(movie, duration=2.0, size=(2560, 1440), audio=False),
        selection=Selection(target=1.5, clips=(Clip(0.2, 1.8),)),
        cues=(),
        writeup=Writeup(language="en", synopsis="", chapters=()),
        out_dir=str(tmp_path / "out"),
    )

    facts = stream_facts(outputs.video)
    assert facts["size"] == (1920, 1080)
    # A movie without sound still gets an audio track, so players behave.
    assert facts["audio_codec"] == "aac"
    assert facts["duration"] == pytest.approx(1.6, abs=0.3)
    assert outputs.subtitles_vtt is None
    assert outputs.chapters_vtt is None


def test_sizes_fit_1080p_keep_aspect_stay_even_and_are_never_upscaled():
    assert fit_size(3840, 2160) == (1920, 1080)
    assert fit_size(2560, 1080) == (1920, 810)
    assert fit_size(1080, 1920) == (1080, 1920)
    assert fit_size(2160, 3840) == (1080, 1920)
    assert fit_size(641, 361) == (640, 360)
    assert fit_size(320, 180) == (320, 180)


def test_sprite_layout_caps_the_tile_count_for_long_recaps():
    every, _, _, cols, rows = sprite_layout(600.0, (1920, 1080))

    assert every == 6
    assert cols * rows >= 100 and cols == 10


def _flash_and_beep_movie(
    path: str, duration: float, *, offset: float = 0.0, container: str = "mp4", gop: int = 25
) -> str:
    """Black video with a white flash at 0.5 s past every even second, and a 1 kHz beep exactly
    as long as each flash (sample-accurate); 1-second GOPs, so clips start between keyframes."""
    flash = "lt(mod(t-0.5,2),0.12)"
    _ffmpeg(
        "-f", "lavfi", "-i", f"aevalsrc='if({flash},0.5*sin(2*PI*1000*t),0)':s=48000:d={duration}",
        "-f", "lavfi", "-i",
        f"color=black:s=160x90:r=25:d={duration},drawbox=c=white:t=fill:enable='{flash}'",
        "-map", "1:v", "-map", "0:a", "-c:v", "libx264", "-preset", "ultrafast", "-g", str(gop),
        "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-output_ts_offset", str(offset),
        "-f", container, path,
    )  # fmt: skip
    return path


def _onsets(values: np.ndarray, rate: float, threshold: float) -> list[float]:
    above = values > threshold
    return [i / rate for i in np.flatnonzero(above[1:] & ~above[:-1]) + 1]


def _decoded(path: str, width: int = 160, height: int = 90) -> tuple[np.ndarray, np.ndarray]:
    """The recap's frames (grey) and its sound (mono float samples at 48 kHz)."""
    frames = np.frombuffer(
        _ffmpeg("-i", path, "-map", "0:v", "-f", "rawvideo", "-pix_fmt", "gray", "-").stdout,
        np.uint8,
    ).reshape(-1, width * height)
    samples = np.frombuffer(
        _ffmpeg("-i", path, "-map", "0:a", "-ac", "1", "-f", "f32le", "-").stdout, "<f4"
    )
    return frames, samples


def _assert_flashes_and_beeps_in_place(path: str, spans: list[tuple[float, float]]) -> None:
    """One flash per clip, 0.2 s into it (each clip starts 0.2 s before its flash), each with
    its beep; sound and pictures as long as the clips together."""
    frames, samples = _decoded(path)
    total = sum(b - a for a, b in spans)
    assert abs(len(frames) - total * 25) <= 3  # each clip starts and ends on whole frames
    assert abs(len(samples) / 48000 - total) < 0.025  # one AAC frame
    flashes = _onsets(frames.mean(axis=1), 25.0, 128)
    envelope = np.abs(samples[: len(samples) // 480 * 480]).reshape(-1, 480).max(axis=1)
    beeps = _onsets(envelope, 100.0, 0.05)
    # One flash per clip: the frames decoded past a clip's end (up to 2.8 s past each start,
    # where the next flash is) never reach the recap.
    assert len(flashes) == len(spans) == len(beeps)
    placed, at = [], 0.0
    for start, end in spans:
        placed.append(at + 0.2)
        at += end - start
    for flash, beep, expected in zip(flashes, beeps, placed, strict=True):
        assert abs(beep - expected) <= 0.025  # an AAC frame
        assert abs(flash - expected) <= 0.045  # within a frame


def _render(movie: str, probed, spans, out: str, folder) -> None:
    """The render's own ffmpeg run: pictures through one clip list, sound through another."""
    sounds = crossfade_spans(spans, probed.duration)
    scripts = []
    for name, listed in (("clips", spans), ("sound", sounds)):
        script = folder / f"{name}.ffconcat"
        script.write_text(concat_script(movie, listed, start_time=probed.start_time), "utf-8")
        scripts.append(str(script))
    run(
        crossfade_render_args(
            video_script=scripts[0], audio_script=scripts[1], spans=spans, sounds=sounds,
            size=(160, 90), loudness=None, sprite=None, out_video=out,
            out_sprite=str(folder / "sprite.jpg"),
        )
    )  # fmt: skip


@pytest.mark.parametrize("offset", [0.0, 7.5])
def test_sound_stays_in_sync_with_the_pictures_across_many_joins(tmp_path, offset):
    """Twenty clips cut between keyframes: every flash in the recap comes with its beep, where
    the movie says, also when the file's timestamps start well past zero."""
    movie = _flash_and_beep_movie(str(tmp_path / "flashes.mp4"), duration=90.0, offset=offset)
    probed = probe(movie, limits=ProbeLimits())
    assert probed.start_time == pytest.approx(offset, abs=0.001)
    spans = [(4.0 * k + 0.3, 4.0 * k + 1.1 + 0.1 * (k % 3)) for k in range(20)]
    out = str(tmp_path / "recap.mp4")

    _render(movie, probed, spans, out, tmp_path)

    _assert_flashes_and_beeps_in_place(out, spans)


def test_an_mpeg_ts_with_long_gops_is_cut_on_the_right_frames(tmp_path):
    """MPEG-TS has no index: seeks in it land seconds off. The probe accepts it, and the render
    reads an MP4 copy made by stream copy, so every clip starts on its own flash."""
    movie = _flash_and_beep_movie(
        str(tmp_path / "flashes.ts"), duration=60.0, container="mpegts", gop=50
    )
    probed = probe(movie, limits=ProbeLimits())
    assert needs_remux(probed)
    copy = remux_for_seeking(movie, probed, str(tmp_path / "copy.mp4"))
    assert not needs_remux(copy)
    assert copy.duration == pytest.approx(probed.duration, abs=0.1)
    spans = [(4.0 * k + 0.3, 4.0 * k + 1.1 + 0.1 * (k % 3)) for k in range(12)]

    outputs = render_recap(
        movie=movie,
        probe=probed,
        selection=Selection(target=10.0, clips=tuple(Clip(a, b) for a, b in spans)),
        cues=(),
        writeup=Writeup(language="en", synopsis="", chapters=()),
        out_dir=str(tmp_path / "out"),
    )

    _assert_flashes_and_beeps_in_place(outputs.video, spans)


def test_every_join_crossfades_the_sound_without_a_click(tmp_path):
    """A steady tone cut at arbitrary phases would jump at every join; the crossfade keeps each
    step between samples as small as the tone's own, and the sound never drops out."""
    movie = str(tmp_path / "tone.mp4")
    _ffmpeg("-f", "lavfi", "-i", "sine=f=440:r=48000:d=30", "-f", "lavfi", "-i",
            "testsrc2=s=160x90:r=25:d=30", "-map", "1:v", "-map", "0:a", "-c:v", "libx264",
            "-preset", "ultrafast", "-c:a", "aac", "-b:a", "192k", movie)  # fmt: skip
    probed = probe(movie, limits=ProbeLimits())
    spans = [(1.013, 3.0), (7.37, 9.5), (14.111, 16.0), (21.7, 24.23)]
    out = str(tmp_path / "recap.mp4")

    _render(movie, probed, spans, out, tmp_path)

    _, samples = _decoded(out)
    steps = np.abs(np.diff(samples))
    joins, at = [], 0.0
    for start, end in spans[:-1]:
        at += end - start
        joins.append(round(at * 48000))
    tone_step = float(np.percentile(steps[4800:9600], 99.9))  # inside the first clip
    level = float(np.sqrt(np.mean(samples[4800:9600] ** 2)))
    for join in joins:
        near = slice(join - 2400, join + 2400)  # 50 ms either side
        assert steps[near].max() <= 1.5 * tone_step
        assert np.sqrt(np.mean(samples[join - 240 : join + 240] ** 2)) >= 0.5 * level


def test_the_clip_list_quotes_the_path_and_refuses_line_breaks(tmp_path):
    movie = str(tmp_path / "it's a movie.mp4")

    script = concat_script(movie, [(1.0, 2.5), (7.25, 9.0)])

    lines = script.splitlines()
    assert lines[0] == "ffconcat version 1.0"
    assert lines[1] == "file 'file:" + movie.replace("'", "'\\''") + "'"
    assert lines[2:5] == ["inpoint 1.000", "outpoint 4.000", "duration 1.500"]
    assert lines[6:9] == ["inpoint 7.250", "outpoint 10.500", "duration 1.750"]
    with pytest.raises(PipelineError):
        concat_script(str(tmp_path / "two\nlines.mp4"), [(1.0, 2.0)])


def test_an_empty_selection_is_refused(tmp_path):
    with pytest.raises(PipelineError) as caught:
        render_recap(
            movie="movie.mp4",
            probe=probe_of("movie.mp4", duration=20.0),
            selection=Selection(target=10.0, clips=()),
            cues=(),
            writeup=WRITEUP,
            out_dir=str(tmp_path),
        )

    assert caught.value.code == "empty_selection"


def _loudness(source: str, chain: str = "") -> dict[str, float]:
    out = _ffmpeg(
        "-f", "lavfi", "-i", f"aevalsrc='{source}':s=48000:d=20",
        "-af", f"{chain}ebur128=peak=true:framelog=quiet", "-f", "null", "-",
    )  # fmt: skip
    measured = parse_loudness(out.stderr)
    assert measured is not None
    return measured


def test_a_swelling_tone_gets_one_linear_gain_to_minus_16_lufs():
    source = "0.05*sin(2*PI*440*t)*(1+t/5)"

    chain = loudness_filter(_loudness(source))
    after = _loudness(source, chain + ",")

    assert chain.startswith("volume=")
    assert after["i"] == pytest.approx(-16.0, abs=0.3)
    assert after["tp"] <= -1.5


def test_peaks_that_a_plain_gain_would_clip_go_through_loudnorm_under_the_ceiling():
    source = "0.06*sin(2*PI*300*t)+if(lt(mod(t,3),0.03),0.7*sin(2*PI*1000*t),0)"
    before = _loudness(source)

    chain = loudness_filter(before)
    after = _loudness(source, chain + ",")

    assert chain.startswith("loudnorm=") and "measured_I=" in chain
    assert after["tp"] <= -1.5 + 0.2
    assert after["i"] > before["i"] + 4


def test_silence_is_not_amplified():
    out = _ffmpeg(
        "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo:d=5",
        "-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-",
    )  # fmt: skip

    assert parse_loudness(out.stderr) is None
    assert loudness_filter(None) == "anull"
