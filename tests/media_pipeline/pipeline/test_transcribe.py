"""Transcribe: speech to timed cues with the bundled model, and every way it can hear nothing."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import subprocess
import sys
import threading

import pytest

from media_pipeline.pipeline import asr_model, transcribe
from media_pipeline.pipeline.probe import ProbeLimits, probe
from media_pipeline.pipeline.types import PipelineError, Stopped

from .processes import running_ffmpeg
from .speech import (
    STORY_NAMES,
    make_corrupt_audio_movie,
    make_empty_audio_movie,
    make_music_movie,
    make_speech_movie,
    normalised_words,
    word_recall,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


def _heard(cues) -> list[str]:
    return [w for c in cues for w in normalised_words(c.text)]


def _probe(path: str):
    return probe(path, limits=ProbeLimits())


def test_speech_becomes_timed_cues_with_most_words_recovered_and_the_language_detected(
    story_movie, story_transcript
):
    result = story_transcript

    assert result.note is None
    assert result.language == "en" and result.language_probability > 0.5
    assert word_recall(story_movie.words, _heard(result.cues)) >= 0.7
    # Each line is heard where it is said: a cue overlaps nearly every line of the script.
    placed = [
        any(c.start < line.end and c.end > line.start for c in result.cues)
        for line in story_movie.lines
    ]
    assert sum(placed) >= 0.9 * len(placed)
    assert all(a.start <= b.start for a, b in zip(result.cues, result.cues[1:], strict=False))
    assert 40 < result.speech_seconds < 80  # the voice detector kept the speech, not the noise


def test_the_transcript_keeps_the_names_the_dialogue_says(story_transcript):
    said = " ".join(c.text for c in story_transcript.cues)

    assert sum(name in said for name in STORY_NAMES) >= 4


def test_windows_cut_in_silences_hear_the_same_script(story_movie, asr_model_path, monkeypatch):
    monkeypatch.setattr(transcribe, "WINDOW", 14.0)
    monkeypatch.setattr(transcribe, "LOOKAHEAD", 33.0)
    reports: list[float] = []

    result = transcribe.transcribe(
        story_movie.path, _probe(story_movie.path), model_path=asr_model_path,
        progress=reports.append,
    )  # fmt: skip

    assert word_recall(story_movie.words, _heard(result.cues)) >= 0.7
    for line in story_movie.lines[:12]:  # no line lost or doubled at a window's edge
        overlapping = [c for c in result.cues if c.start < line.end and c.end > line.start]
        assert len(overlapping) in (1, 2)
    assert reports == sorted(reports) and reports[-1] == 1.0 and len(reports) >= 3


def test_setting_stop_ends_the_transcription_and_its_decode(story_movie, asr_model_path):
    stop = threading.Event()

    with pytest.raises(Stopped):
        transcribe.transcribe(
            story_movie.path, _probe(story_movie.path), model_path=asr_model_path,
            progress=lambda _done: stop.set(), stop=stop,
        )  # fmt: skip

    assert stop.is_set()
    assert running_ffmpeg(story_movie.path) == []


def test_a_stop_set_before_the_transcription_starts_no_decode(story_movie, asr_model_path):
    stop = threading.Event()
    stop.set()

    with pytest.raises(Stopped):
        transcribe.transcribe(
            story_movie.path, _probe(story_movie.path), model_path=asr_model_path, stop=stop
        )


@pytest.mark.parametrize("background", ["music", "silence"])
def test_a_movie_without_words_ends_with_no_speech(media_dir, asr_model_path, background):
    path = make_music_movie(str(media_dir / f"wordless-{background}.mp4"), duration=12,
                            background=background)  # fmt: skip

    result = transcribe.transcribe(path, _probe(path), model_path=asr_model_path)

    assert result.cues == () and result.note == "no_speech"


def test_an_empty_audio_stream_and_a_movie_without_audio_end_with_no_audio(
    media_dir, asr_model_path, one_shot_movie
):
    empty = make_empty_audio_movie(str(media_dir / "empty-audio.mkv"))
    empty_probe = _probe(empty)
    assert empty_probe.has_audio

    assert transcribe.transcribe(empty, empty_probe, model_path=asr_model_path).note == "no_audio"
    silent = transcribe.transcribe(
        one_shot_movie.path, _probe(one_shot_movie.path), model_path=asr_model_path
    )
    assert silent.cues == () and silent.note == "no_audio"


def test_a_language_the_model_lacks_gives_no_cues_but_a_note(media_dir, asr_model_path):
    # Lojban: Whisper never learnt it, and hears something Latin-like it is unsure of.
    lojban = make_speech_movie(
        str(media_dir / "lojban.mp4"),
        ["la mara cu klama le barja .i ko'a sisku le bruna",
         ".i no da viska ko'a .i mi na djuno le du'u ma kau zvati",
         "la viktor cu morsi .i le bloti cu farlu le xamsi"],
        duration=30, voice="jbo",
    )  # fmt: skip

    heard = transcribe.transcribe(lojban.path, _probe(lojban.path), model_path=asr_model_path)
    told = transcribe.transcribe(
        lojban.path, _probe(lojban.path), model_path=asr_model_path, language="jbo"
    )

    assert heard.cues == () and heard.note == "language_unsupported"
    assert told.cues == () and told.note == "language_unsupported" and told.language == "jbo"


def test_a_corrupt_audio_stream_fails_cleanly(media_dir, asr_model_path):
    path = make_corrupt_audio_movie(str(media_dir / "corrupt-audio"))

    with pytest.raises(PipelineError) as caught:
        transcribe.transcribe(path, _probe(path), model_path=asr_model_path)

    assert caught.value.code == "audio_unreadable"


def test_without_a_model_the_stage_is_skipped_with_a_note(music_movie, tmp_path):
    (tmp_path / "model.bin").write_bytes(b"")  # a folder without config and tokenizer

    for path in (None, str(tmp_path), str(tmp_path / "missing")):
        result = transcribe.transcribe(music_movie, _probe(music_movie), model_path=path)
        assert result.cues == () and result.note == "no_model"


def test_the_bundled_model_is_joined_once_and_checked_against_its_digest(tmp_path, monkeypatch):
    monkeypatch.setenv("ASR_MODEL_CACHE", str(tmp_path / "cache"))

    path = asr_model.default_model_path()
    again = asr_model.default_model_path()

    assert path == again and asr_model.is_model_folder(path)
    weights = os.path.join(path, "model.bin")
    digest = hashlib.sha256()
    with open(weights, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    assert digest.hexdigest() == asr_model.BUNDLED_SHA256
    assert not [n for n in os.listdir(path) if n.startswith(".model.bin.")]

    monkeypatch.setenv("ASR_MODEL_CACHE", str(tmp_path / "other"))
    monkeypatch.setattr(asr_model, "BUNDLED_SHA256", "0" * 64)
    assert asr_model.default_model_path() is None  # halves that do not add up are not used


NO_NETWORK = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("network access attempted")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
sys.path.insert(0, sys.argv[2])
from media_pipeline.pipeline.asr_model import load_model
from tests.media_pipeline.pipeline.speech import speak
import numpy as np
model = load_model(sys.argv[1])
voice = speak("The harbour is closed tonight.")
audio = np.interp(np.arange(0, voice.size, 22050 / 16000), np.arange(voice.size), voice)
segments, info = model.transcribe(audio.astype(np.float32), vad_filter=True)
print(info.language, " ".join(s.text for s in segments))
"""


def test_the_model_loads_and_runs_with_no_network_at_all(asr_model_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env["HOME"] = os.path.join(ROOT, ".run", "no-home")  # no hub cache or token to fall back on
    done = subprocess.run(
        [sys.executable, "-c", NO_NETWORK, asr_model_path, ROOT],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("en ") and "harbo" in done.stdout.lower()


def test_speech_recognition_brings_no_torch():
    requirements = importlib.metadata.requires("faster-whisper") or []
    assert not [r for r in requirements if r.lower().startswith("torch")]
    assert importlib.util.find_spec("torch") is None
