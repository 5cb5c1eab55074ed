"""Synth: generated test movies are what their truth says."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from bench.synth import make_movie, write_srt
from media_pipeline.pipeline.probe import ProbeLimits, probe
from media_pipeline.pipeline.types import Cue


def test_the_truth_describes_the_timeline(feature_movie):
    truth = feature_movie.truth
    assert truth.duration == 45 and len(truth.shots) == 10 and len(truth.dissolves) == 3
    # Content shots tile the span between the opening black and the credits (whole frames).
    assert truth.shots[0][0] == truth.black[0][1] == pytest.approx(1.5, abs=1 / 25)
    assert truth.shots[-1][1] == truth.credits[0]
    # Every boundary is a cut or a dissolve: 9 between shots, plus black/credits edges.
    assert len(truth.boundaries) == 9 + 3
    assert all(b - a == pytest.approx(1.0, abs=2 / 25) for a, b in truth.dissolves)
    # Loud and quiet stretches alternate over the content, credits are quiet.
    spans = sorted([*truth.loud, *truth.quiet])
    assert spans[0][0] == truth.shots[0][0] and spans[-1][1] == truth.credits[1]
    assert all(a[1] == pytest.approx(b[0]) for a, b in itertools.pairwise(spans))


def test_dialogue_cues_fall_inside_the_shots(feature_movie):
    truth = feature_movie.truth
    assert len(truth.cues) >= 5
    for cue in truth.cues:
        assert truth.shots[0][0] <= cue.start < cue.end <= truth.shots[-1][1]


def test_the_file_has_the_requested_shape(media_dir):
    path = str(media_dir / "shape.mkv")
    make_movie(path, duration=6, width=256, height=144, fps=30, shots=2, with_audio=False)
    result = probe(path, limits=ProbeLimits())
    assert (result.width, result.height, result.fps) == (256, 144, 30)
    assert result.duration == pytest.approx(6, abs=0.05)
    assert not result.has_audio


def test_write_srt_writes_numbered_subrip_blocks(tmp_path):
    path = write_srt(
        [Cue(1.5, 3.25, "Hello"), Cue(3661.0, 3662.5, "Über alles")], tmp_path / "a.srt"
    )
    assert Path(path).read_text(encoding="utf-8") == (
        "1\n00:00:01,500 --> 00:00:03,250\nHello\n\n2\n01:01:01,000 --> 01:01:02,500\nÜber alles\n"
    )
