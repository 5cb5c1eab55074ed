"""The render stage on real ffmpeg: recap MP4, poster, sprite, re-timed subtitles, chapters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from media_pipeline.pipeline.ffmpeg import plan_inputs
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


def test_nearby_clips_share_an_input_and_far_ones_are_seeked():
    spans = [(10.0, 12.0), (13.0, 15.0), (300.0, 305.0)]

    inputs, segments = plan_inputs(spans)

    assert inputs == [(10.0, 15.0), (300.0, 305.0)]
    assert segments == [(0, 0.0, 2.0), (0, 3.0, 5.0), (1, 0.0, 5.0)]


def test_many_clips_are_grouped_into_a_bounded_number_of_inputs():
    spans = [(i * 60.0, i * 60.0 + 2) for i in range(40)]

    inputs, segments = plan_inputs(spans, max_inputs=12)

    assert len(inputs) == 12
    assert len(segments) == 40


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
