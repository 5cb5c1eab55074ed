"""Analyze: shot boundaries, black, motion and loudness from one streaming decode."""

from __future__ import annotations

import tracemalloc

import pytest

from bench.synth import make_movie
from media_pipeline.pipeline import ffmpeg
from media_pipeline.pipeline.analyze import analyze
from media_pipeline.pipeline.probe import ProbeLimits, probe

from .conftest import tolerance_f1


def test_shot_boundaries_are_found_with_f1_above_0_95(feature):
    truth = feature.movie.truth
    assert tolerance_f1(feature.analysis.cuts, truth.boundaries, tolerance=0.5) >= 0.95


def test_hard_cuts_are_placed_on_the_right_frame(feature):
    cuts = [t.start for t in feature.analysis.transitions if t.kind == "cut"]
    for truth_cut in feature.movie.truth.cuts:
        assert (
            min(abs(c - truth_cut) for c in cuts) <= 1.5 / feature.analysis.fps
        )  # truth is not frame-aligned


def test_dissolves_are_reported_as_gradual_transitions(feature):
    gradual = [t for t in feature.analysis.transitions if t.kind == "gradual"]
    for start, end in feature.movie.truth.dissolves:
        centre = (start + end) / 2
        assert any(t.start - 0.3 <= centre <= t.end + 0.3 for t in gradual), centre


def test_a_single_moving_shot_has_no_cuts(one_shot_movie):
    result = probe(one_shot_movie.path, limits=ProbeLimits())
    analysis = analyze(one_shot_movie.path, result)
    assert analysis.transitions == ()
    assert min(analysis.motion) > 0  # it does move


def test_something_sweeping_past_the_lens_is_not_a_cut(media_dir):
    # A card as wide as the picture crosses it in three frames every two seconds, like a car
    # passing close to the camera: the background it uncovers is the one it covered.
    path = str(media_dir / "sweep.mp4")
    graph = (
        "gradients=s=320x180:r=25:c0=0x336699:c1=0x99cc66:speed=0.002:d=8[bg];"
        "testsrc=s=240x180:r=25[fg];[bg][fg]overlay=x='mod(t,2)*4800-240':y=0:shortest=1"
    )
    ffmpeg.run(["-filter_complex", graph, "-c:v", "libx264", "-preset", "ultrafast", path])
    assert analyze(path, probe(path, limits=ProbeLimits())).transitions == ()


def test_black_at_both_ends_is_found(feature):
    found = feature.analysis.black
    assert len(found) == len(feature.movie.truth.black) == 2
    for (start, end), (true_start, true_end) in zip(found, feature.movie.truth.black, strict=True):
        assert start == pytest.approx(true_start, abs=0.1)
        assert end == pytest.approx(true_end, abs=0.1)


def _mean_level(analysis, spans) -> float:
    levels = [
        level
        for i, level in enumerate(analysis.loudness)
        for start, end in spans
        if start + 0.5 <= i * analysis.window and (i + 1) * analysis.window <= end - 0.5
    ]
    assert levels
    return sum(levels) / len(levels)


def test_loud_windows_measure_far_louder_than_quiet_ones(feature):
    truth, analysis = feature.movie.truth, feature.analysis
    assert _mean_level(analysis, truth.loud) > _mean_level(analysis, truth.quiet) + 20
    assert analysis.loudness[0] < -60  # the opening black is silent


def test_per_window_series_cover_the_whole_movie(feature):
    analysis = feature.analysis
    windows = round(analysis.duration / analysis.window)
    assert len(analysis.motion) == len(analysis.loudness) == len(analysis.looks) == windows
    assert analysis.frames == round(analysis.duration * analysis.fps)
    assert analysis.cues == feature.movie.truth.cues


def test_a_movie_without_sound_reads_as_silence(one_shot_movie):
    result = probe(one_shot_movie.path, limits=ProbeLimits())
    assert set(analyze(one_shot_movie.path, result).loudness) == {-120.0}


def test_progress_rises_to_one(feature_movie):
    seen: list[float] = []
    result = probe(feature_movie.path, limits=ProbeLimits())
    analyze(feature_movie.path, result, progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == 1.0 and len(seen) > 3


def _peak_python_memory(path: str) -> int:
    result = probe(path, limits=ProbeLimits())
    tracemalloc.start()
    try:
        analyze(path, result)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_length_of_the_movie(media_dir):
    short, long = str(media_dir / "short.mp4"), str(media_dir / "long.mp4")
    make_movie(short, duration=20, width=160, height=90, shots=4)
    make_movie(long, duration=60, width=160, height=90, shots=12)
    short_peak, long_peak = _peak_python_memory(short), _peak_python_memory(long)
    # Three times the frames; only a few bytes a frame may be kept.
    assert long_peak < short_peak * 1.25 + 100_000
