"""The command line runs every stage and writes the recap with its report, or nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bench.synth import write_srt

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "media_pipeline.pipeline", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def recap(feature_movie, tmp_path_factory):
    work = tmp_path_factory.mktemp("cli")
    subtitles = write_srt(feature_movie.truth.cues, str(work / "dialogue.srt"))
    out = work / "recap"
    done = _cli(feature_movie.path, "--out", str(out), "--subtitles", subtitles)
    assert done.returncode == 0, done.stderr
    return out, json.loads((out / "report.json").read_text())


def test_the_cli_writes_the_recap_files_and_a_report(recap):
    out, report = recap
    assert {"recap.mp4", "poster.jpg", "sprite.jpg", "thumbnails.vtt", "report.json"} <= set(
        os.listdir(out)
    )
    assert (out / "subtitles.vtt").exists()
    for key in ("duration", "cuts", "scenes", "clips", "chapters", "synopsis", "timings"):
        assert key in report
    assert set(report["timings"]) >= {"probe", "analyze", "scenes", "select", "write", "render"}


def test_the_report_speaks_in_source_seconds(recap, feature_movie):
    _, report = recap
    assert report["duration"] == pytest.approx(45, abs=0.1)
    assert len(report["cuts"]) >= 10
    assert report["cues"] == len(feature_movie.truth.cues)
    # "auto" is 10% of 45 s; a 4.5 s recap of ~3.5 s shots holds one or two clips.
    assert 1 <= len(report["clips"]) <= 2
    for start, end in report["clips"]:
        assert 0 <= start < end <= report["duration"]


def test_a_refused_movie_exits_with_its_code_and_leaves_nothing(tmp_path):
    (tmp_path / "notes.mp4").write_text("not a movie at all\n" * 10)
    out = tmp_path / "out"
    done = _cli(str(tmp_path / "notes.mp4"), "--out", str(out))
    assert done.returncode == 2
    assert "not_a_video" in done.stderr
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == ["notes.mp4"]


def test_a_movie_over_the_length_limit_is_refused(feature_movie, tmp_path):
    done = _cli(feature_movie.path, "--out", str(tmp_path / "out"), "--max-duration", "30")
    assert done.returncode == 2 and "too_long" in done.stderr
    assert os.listdir(tmp_path) == []


def test_a_length_longer_than_the_movie_is_refused_before_any_work(feature_movie, tmp_path):
    done = _cli(feature_movie.path, "--out", str(tmp_path / "out"), "--target", "60")
    assert done.returncode == 2
    assert "error [target_too_long]" in done.stderr
    assert os.listdir(tmp_path) == []
