"""A movie with speech and no subtitle file, end to end: subtitles from the speech, a synopsis
naming who and where, chapter titles from the dialogue, evidence for every line, and a
spoiler-free recap that leaves the planted last act out."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from media_pipeline.pipeline import ffmpeg
from media_pipeline.pipeline.runner import run_all
from media_pipeline.pipeline.subtitles import parse_subtitles
from media_pipeline.pipeline.types import PipelineError

from .speech import (
    ENDING,
    STORY_NAMES,
    make_corrupt_audio_movie,
    make_empty_audio_movie,
    normalised_words,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
ENDING_WORDS = {"explodes", "burning", "dies", "sinks", "fortress"}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "media_pipeline.pipeline", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def full(story_movie, tmp_path_factory):
    out = tmp_path_factory.mktemp("speech") / "recap"
    done = _cli(story_movie.path, "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out, json.loads((out / "report.json").read_text())


@pytest.fixture(scope="module")
def spoiler_free(story_movie, tmp_path_factory):
    out = tmp_path_factory.mktemp("speech") / "recap"
    done = _cli(story_movie.path, "--out", str(out), "--no-ending")
    assert done.returncode == 0, done.stderr
    return out, json.loads((out / "report.json").read_text())


def test_a_movie_without_subtitles_gets_them_from_its_speech(full):
    out, report = full

    assert report["transcript"]["language"] == "en"
    assert report["transcript"]["language_probability"] > 0.5
    assert report["transcript"]["note"] is None
    assert report["dialogue_language"] == "en"
    track = parse_subtitles(str(out / "transcript.vtt"))
    assert len(track.cues) == report["transcript"]["cues"] == report["cues"] >= 10
    assert (out / "subtitles.vtt").exists()  # and the recap's own, re-timed to it


def test_the_synopsis_names_the_people_and_places_and_titles_come_from_the_dialogue(full):
    out, report = full
    said = [c.text for c in parse_subtitles(str(out / "transcript.vtt")).cues]

    assert sum(name in report["synopsis"] for name in STORY_NAMES) >= 4
    for chapter in report["chapters"]:
        assert any(line.startswith(chapter["title"].rstrip("…")) for line in said)
    titles = " ".join(c["title"] for c in report["chapters"])
    assert any(name in titles for name in STORY_NAMES)


def test_every_synopsis_sentence_and_title_has_its_evidence_in_the_report(full):
    out, report = full
    spans = [(c.start, c.end) for c in parse_subtitles(str(out / "transcript.vtt")).cues]
    scenes = {s["index"] for s in report["scenes"]}

    assert report["sentences"]
    assert report["synopsis"] == " ".join(s["text"] for s in report["sentences"])
    for line in [*report["sentences"], *report["chapters"]]:
        evidence = line["evidence"]
        assert evidence["cues"] or evidence["scenes"]
        assert set(evidence["scenes"]) <= scenes
        for start, end in evidence["cues"]:  # from a cue's start to a cue's end
            assert any(abs(a - start) < 0.01 for a, _ in spans)
            assert any(abs(b - end) < 0.01 for _, b in spans)


def _magenta_frames(video: str) -> int:
    """Frames of `video` whose picture is mostly the planted magenta."""
    done = subprocess.run(
        [ffmpeg.binary(), "-hide_banner", "-nostdin", "-i", video, "-vf",
         "fps=4,scale=32:18", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    frames = np.frombuffer(done.stdout, np.uint8).reshape(-1, 18 * 32, 3).astype(int)
    r, g, b = frames[..., 0].mean(axis=1), frames[..., 1].mean(axis=1), frames[..., 2].mean(axis=1)
    return int(np.count_nonzero((r > 150) & (b > 150) & (g < 110)))


def test_with_the_ending_the_last_act_is_there_to_leave_out(full, story_movie):
    out, report = full

    assert report["include_ending"] is True and report["ending_cutoff"] is None
    assert report["chapters"][-1]["source_end"] == pytest.approx(story_movie.duration, abs=0.1)
    heard = set(normalised_words((out / "transcript.vtt").read_text()))
    assert heard & ENDING_WORDS  # the last act's lines were heard


def test_without_the_ending_the_planted_last_act_is_left_out_everywhere(spoiler_free, story_movie):
    out, report = spoiler_free
    act_start = story_movie.planted[0]
    cutoff = report["ending_cutoff"]

    assert report["include_ending"] is False
    assert cutoff <= act_start and cutoff <= 0.85 * story_movie.duration
    assert all(end <= cutoff for _, end in report["clips"])
    assert report["chapters"][-1]["source_end"] <= cutoff
    written = " ".join([report["synopsis"], *(c["title"] for c in report["chapters"])])
    assert not set(normalised_words(written)) & ENDING_WORDS
    assert not any(line in written for line in ENDING)
    for line in [*report["sentences"], *report["chapters"]]:
        assert all(end <= cutoff for _, end in line["evidence"]["cues"])
    assert _magenta_frames(str(out / "recap.mp4")) == 0
    assert sum(name in report["synopsis"] for name in STORY_NAMES) >= 3


@pytest.mark.parametrize(
    ("movie", "options", "note"),
    [
        ("music", {}, "no_speech"),
        ("music", {"asr_model": None}, "no_model"),
        ("empty", {}, "no_audio"),
    ],
)
def test_a_movie_asr_cannot_use_still_gets_a_recap_with_a_note(
    music_movie, media_dir, tmp_path, movie, options, note
):
    path = music_movie if movie == "music" else make_empty_audio_movie(str(tmp_path / "e.mkv"))

    report = run_all(path, str(tmp_path / "out"), **options)

    assert report["transcript"]["note"] == note and report["transcript"]["cues"] == 0
    assert report["clips"] and report["synopsis"] and report["chapters"]
    assert all(s["evidence"]["scenes"] for s in report["sentences"])
    assert not (tmp_path / "out" / "transcript.vtt").exists()


def test_asr_is_not_run_when_subtitles_are_given_or_it_is_turned_off(music_movie, tmp_path):
    report = run_all(music_movie, str(tmp_path / "out"), asr=False)

    assert report["transcript"] is None and "transcribe" not in report["timings"]


def test_a_corrupt_audio_stream_fails_the_run_cleanly(tmp_path):
    path = make_corrupt_audio_movie(str(tmp_path / "corrupt"))

    with pytest.raises(PipelineError) as caught:
        run_all(path, str(tmp_path / "out"))

    assert caught.value.code == "audio_unreadable"
    assert not (tmp_path / "out").exists()


def test_the_cli_takes_a_model_folder_or_no_asr_at_all(music_movie, tmp_path):
    missing = _cli(music_movie, "--out", str(tmp_path / "a"), "--asr-model", str(tmp_path))
    off = _cli(music_movie, "--out", str(tmp_path / "b"), "--no-asr")

    assert missing.returncode == 0 and off.returncode == 0, missing.stderr + off.stderr
    assert json.loads(missing.stdout)["transcript"]["note"] == "no_model"
    assert "transcript" not in json.loads(off.stdout)
    assert json.loads((tmp_path / "b" / "report.json").read_text())["transcript"] is None
