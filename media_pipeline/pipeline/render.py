"""Render stage: the recap MP4 in one ffmpeg run, then the poster, the thumbnail sprite with its
WebVTT index, the subtitles re-timed to the recap and the chapter track; verified, then moved
into place together.

The sound of every clip is read a little past its ends and crossfaded at each join; one
measured gain brings the whole to -16 LUFS.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from . import ffmpeg
from .remux import needs_remux, remux_for_seeking
from .subtitles import format_timestamp, retime_cues, write_vtt
from .types import Cue, PipelineError, ProbeResult, RenderOutputs, Scene, Selection, Writeup
from .verify import verify_recap

MAX_BOX = (1920, 1080)  # "at most 1080p": the long side within 1920, the short within 1080
TILE_WIDTH = 160
MAX_TILES = 100
MIN_SPAN = 0.05  # shorter spans are rounding noise from the selection
# A poster frame this dark or this flat is a fade, a black frame or a title card's background.
POSTER_MIN_LUMA, POSTER_MAX_LUMA, POSTER_MIN_CONTRAST = 24.0, 235.0, 12.0


def render_recap(
    *,
    movie: str,
    probe: ProbeResult,
    selection: Selection,
    cues: tuple[Cue, ...],
    writeup: Writeup,
    out_dir: str,
    progress: Callable[[float], None] | None = None,
    scenes: Sequence[Scene] = (),
    stop: ffmpeg.StopSignal | None = None,
) -> RenderOutputs:
    """Write recap.mp4, poster.jpg, sprite.jpg, thumbnails.vtt, subtitles.vtt and chapters.vtt.

    Everything is written to a staging folder beside `out_dir`, the recap is decoded once to
    verify it, and only then are the files moved into `out_dir`: a render that is killed,
    stopped or fails never leaves a partial file under a final name. `scenes` (optional) lets
    the poster come from the highest-scored scene; without it the longest clip is used.
    Setting `stop` kills the running ffmpeg at once and raises `Stopped`.
    """
    spans = recap_spans(selection, probe.duration)
    if not spans:
        raise PipelineError("empty_selection", "the selection keeps nothing to render")
    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{os.path.basename(out_dir)}-partial-", dir=parent)
    try:
        written = _render_into(
            staging, movie, probe, selection, spans, cues, writeup, progress, scenes, stop
        )
        clock = time.monotonic()
        verify_recap(
            written.video,
            expected_duration=written.duration,
            expect_audio=True,  # a movie without sound still gets a silent track
            stop=stop,
        ).raise_if_broken()
        written.timings["verify"] = time.monotonic() - clock
        return _publish(written, staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _render_into(
    folder: str,
    movie: str,
    probe: ProbeResult,
    selection: Selection,
    spans: list[tuple[float, float]],
    cues: tuple[Cue, ...],
    writeup: Writeup,
    progress: Callable[[float], None] | None,
    scenes: Sequence[Scene],
    stop: ffmpeg.StopSignal | None,
) -> RenderOutputs:
    paths = {
        name: os.path.join(folder, name)
        for name in ("recap.mp4", "poster.jpg", "sprite.jpg", "thumbnails.vtt")
    }
    total = sum(end - start for start, end in spans)
    size = fit_size(probe.width, probe.height)
    layout = sprite_layout(total, size)
    timings: dict[str, float] = {}

    if needs_remux(probe):
        # MPEG-TS and program streams seek to the wrong frames: read an indexed copy.
        probe = remux_for_seeking(movie, probe, os.path.join(folder, "movie.mp4"), stop=stop)
        movie = probe.path
    sounds = ffmpeg.crossfade_spans(spans, probe.duration)
    script = _write_script(folder, "clips.ffconcat", movie, spans, probe.start_time)
    sound_script = _write_script(folder, "sound.ffconcat", movie, sounds, probe.start_time)

    clock = time.monotonic()
    loudness = None
    if probe.has_audio:
        scan_args = ffmpeg.crossfade_loudness_scan_args(sound_script, spans, sounds)
        scan = ffmpeg.run(scan_args, timeout=_timeout(total), stop=stop)
        loudness = ffmpeg.parse_loudness(scan.stderr)
        timings["loudness_scan"] = time.monotonic() - clock

    clock = time.monotonic()
    # Frames, not `out_time`: with -copyts ffmpeg counts out_time from its first report.
    expected_frames = max(1.0, total * (probe.fps if probe.fps > 0 else 25.0))

    def on_frames(frames: int) -> None:
        if progress:
            progress(min(1.0, frames / expected_frames))

    outputs = {"out_video": paths["recap.mp4"], "out_sprite": paths["sprite.jpg"]}
    if probe.has_audio:
        args = ffmpeg.crossfade_render_args(
            video_script=script, audio_script=sound_script, spans=spans, sounds=sounds,
            size=size, loudness=loudness, sprite=layout, **outputs,
        )  # fmt: skip
    else:
        args = ffmpeg.recap_render_args(
            script=script, spans=spans, has_audio=False, size=size, loudness=None,
            sprite=layout, **outputs,
        )  # fmt: skip
    ffmpeg.run_with_progress(args, on_frames=on_frames, timeout=_timeout(total), stop=stop)
    timings["render"] = time.monotonic() - clock
    write_thumbnails_vtt(paths["thumbnails.vtt"], total, layout)

    clock = time.monotonic()
    write_poster(movie, probe, selection, scenes, size, paths["poster.jpg"], stop=stop)
    timings["poster"] = time.monotonic() - clock

    subtitles_vtt = None
    retimed = retime_cues(cues, selection.clips)
    if retimed:
        subtitles_vtt = write_vtt(retimed, os.path.join(folder, "subtitles.vtt"))
    chapters_vtt = write_chapters_vtt(os.path.join(folder, "chapters.vtt"), writeup, total)
    return RenderOutputs(
        video=paths["recap.mp4"],
        poster=paths["poster.jpg"],
        sprite=paths["sprite.jpg"],
        thumbnails_vtt=paths["thumbnails.vtt"],
        subtitles_vtt=subtitles_vtt,
        duration=total,
        timings=timings,
        chapters_vtt=chapters_vtt,
    )


def _publish(written: RenderOutputs, staging: str, out_dir: str) -> RenderOutputs:
    """Move the finished files into `out_dir` (same filesystem: each move is atomic)."""
    os.makedirs(out_dir, exist_ok=True)

    def place(path: str | None) -> str | None:
        if path is None:
            return None
        final = os.path.join(out_dir, os.path.relpath(path, staging))
        os.replace(path, final)
        return final

    # The video goes last: once it is in place, everything it comes with is too.
    placed = {
        "poster": place(written.poster),
        "sprite": place(written.sprite),
        "thumbnails_vtt": place(written.thumbnails_vtt),
        "subtitles_vtt": place(written.subtitles_vtt),
        "chapters_vtt": place(written.chapters_vtt),
    }
    return replace(written, video=place(written.video), **placed)


def _write_script(
    folder: str, name: str, movie: str, spans: Sequence[tuple[float, float]], start_time: float
) -> str:
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(ffmpeg.concat_script(movie, spans, start_time=start_time))
    return path


def _timeout(recap_seconds: float) -> float:
    # Generous: a slow machine encodes 1080p at a few frames per second.
    return 600.0 + recap_seconds * 20


def recap_spans(selection: Selection, duration: float) -> list[tuple[float, float]]:
    """The clips as (start, end) inside the movie, in recap order, rounded to milliseconds."""
    spans = []
    for clip in selection.clips:
        start = round(max(0.0, clip.start), 3)
        end = round(min(clip.end, duration) if duration > 0 else clip.end, 3)
        if end - start >= MIN_SPAN:
            spans.append((start, end))
    return spans


def fit_size(width: int, height: int) -> tuple[int, int]:
    """Even dimensions no larger than 1080p (portrait: 1080 wide), never upscaled."""
    long_box, short_box = MAX_BOX
    if width >= height:
        factor = min(1.0, long_box / width, short_box / height)
    else:
        factor = min(1.0, short_box / width, long_box / height)
    return _even(width * factor), _even(height * factor)


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)


def sprite_layout(total: float, size: tuple[int, int]) -> tuple[float, int, int, int, int]:
    """(seconds per tile, tile width, tile height, columns, rows): a tile every 2 s or so,
    at most MAX_TILES tiles, ten to a row."""
    every = max(2.0, math.ceil(total / MAX_TILES))
    tiles = max(1, math.ceil(total / every))
    cols = min(10, tiles)
    tile_height = _even(TILE_WIDTH * size[1] / size[0])
    return every, TILE_WIDTH, tile_height, cols, math.ceil(tiles / cols)


def write_thumbnails_vtt(path: str, total: float, layout: tuple[float, int, int, int, int]) -> str:
    every, tile_w, tile_h, cols, _rows = layout
    lines = ["WEBVTT", ""]
    for index in range(math.ceil(total / every)):
        start, end = index * every, min(total, (index + 1) * every)
        x, y = (index % cols) * tile_w, (index // cols) * tile_h
        lines += [
            f"{format_timestamp(start)} --> {format_timestamp(end)}",
            f"sprite.jpg#xywh={x},{y},{tile_w},{tile_h}",
            "",
        ]
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("\n".join(lines))
    return path


def write_chapters_vtt(path: str, writeup: Writeup, total: float) -> str | None:
    """WebVTT chapter cues on the recap timeline; chapters with no recap time are left out."""
    lines = ["WEBVTT", ""]
    count = 0
    for chapter in writeup.chapters:
        start, end = max(0.0, chapter.recap_start), min(total, chapter.recap_end)
        title = " ".join(chapter.title.replace("-->", "→").split())
        if end - start < MIN_SPAN or not title:
            continue
        count += 1
        title = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        lines += [str(count), f"{format_timestamp(start)} --> {format_timestamp(end)}", title, ""]
    if not count:
        return None
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("\n".join(lines))
    return path


def poster_candidates(selection: Selection, scenes: Sequence[Scene]) -> list[float]:
    """Times to try, best first: the middles of the top scenes, then of the longest clips."""
    times = [s.start + s.duration / 2 for s in sorted(scenes, key=lambda s: -s.score)[:3]]
    clips = sorted(selection.clips, key=lambda c: -c.duration)[:3]
    times += [c.start + c.duration / 2 for c in clips]
    return times


def write_poster(
    movie: str,
    probe: ProbeResult,
    selection: Selection,
    scenes: Sequence[Scene],
    size: tuple[int, int],
    out_path: str,
    *,
    stop: ffmpeg.StopSignal | None = None,
) -> str:
    """Save the sharpest well-exposed frame around the first good candidate time as JPEG."""
    best_at, best_score = None, -1.0
    for middle in poster_candidates(selection, scenes):
        at, score = _best_frame_near(movie, probe, middle, stop)
        if score > best_score:
            best_at, best_score = at, score
        if score > 0:
            break
    if best_at is None:
        best_at = selection.clips[0].start
    ffmpeg.run(ffmpeg.poster_args(movie, best_at, size, out_path), timeout=120, stop=stop)
    return out_path


def _best_frame_near(
    movie: str, probe: ProbeResult, middle: float, stop: ffmpeg.StopSignal | None
) -> tuple[float, float]:
    """The time and score of the best of a few frames in the two seconds around `middle`;
    a score <= 0 means every frame was too dark, too bright or too flat."""
    width = 96
    height = _even(width * probe.height / max(1, probe.width))
    start = max(0.0, min(middle - 1.0, probe.duration - 2.0))
    per_second = 3
    args = ffmpeg.frames_gray_args(movie, start, 2.0, per_second, (width, height))
    out = ffmpeg.run(args, timeout=120, stop=stop).stdout
    frames = np.frombuffer(out, dtype=np.uint8)[: len(out) // (width * height) * width * height]
    best_at, best_score = middle, -1.0
    for i, frame in enumerate(frames.reshape(-1, height, width).astype(np.float32)):
        mean, contrast = float(frame.mean()), float(frame.std())
        sharpness = float(np.abs(np.diff(frame, axis=1)).mean())
        usable = POSTER_MIN_LUMA <= mean <= POSTER_MAX_LUMA and contrast >= POSTER_MIN_CONTRAST
        score = (contrast + 2 * sharpness) if usable else 0.0
        if score > best_score:
            best_at, best_score = start + i / per_second, score
    return best_at, best_score
