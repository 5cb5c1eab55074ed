"""Small movies with known content, made once per session with ffmpeg's generated sources."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bench.synth import SynthTruth, make_movie
from media_pipeline.pipeline.analyze import analyze
from media_pipeline.pipeline.probe import ProbeLimits, probe
from media_pipeline.pipeline.types import Analysis, ProbeResult


@dataclass(frozen=True)
class Movie:
    path: str
    truth: SynthTruth


@dataclass(frozen=True)
class Analysed:
    movie: Movie
    probe: ProbeResult
    analysis: Analysis


def tolerance_f1(found: tuple[float, ...], truth: tuple[float, ...], tolerance: float) -> float:
    """F1 of boundary instants, each truth instant matched at most once within `tolerance`."""
    unused = list(found)
    hits = 0
    for t in truth:
        near = [f for f in unused if abs(f - t) <= tolerance]
        if near:
            unused.remove(min(near, key=lambda f: abs(f - t)))
            hits += 1
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def feature_movie(media_dir) -> Movie:
    """45 s: black, 10 shots joined by cuts and 3 dissolves, rolling credits, black; dialogue."""
    path = str(media_dir / "feature.mp4")
    truth = make_movie(
        path, duration=45, shots=10, dissolves=3, black_start=1.5, black_end=1.5, credits=5, seed=7
    )
    return Movie(path, truth)


@pytest.fixture(scope="session")
def feature(feature_movie) -> Analysed:
    result = probe(feature_movie.path, limits=ProbeLimits())
    analysis = analyze(feature_movie.path, result, cues=feature_movie.truth.cues)
    return Analysed(feature_movie, result, analysis)


@pytest.fixture(scope="session")
def one_shot_movie(media_dir) -> Movie:
    """12 s, a single shot with a test card moving across it, no audio."""
    path = str(media_dir / "one_shot.mkv")
    return Movie(path, make_movie(path, duration=12, shots=1, with_audio=False, seed=2))


# --- speech movies (tests/media_pipeline/pipeline/speech.py), made once per session ---


@pytest.fixture(scope="session")
def asr_model_path() -> str:
    from media_pipeline.pipeline.asr_model import default_model_path

    path = default_model_path()
    assert path, "the bundled speech model (requirements.txt) is not installed"
    return path


@pytest.fixture(scope="session")
def story_movie(media_dir):
    """95 s: twelve lines of a story naming people and places over noise, then a planted last
    act from 72 s (magenta shots, loud, two lines of its own)."""
    from .speech import ENDING, STORY, make_speech_movie

    return make_speech_movie(
        str(media_dir / "story.mp4"), STORY, duration=95, ending=ENDING, ending_at=72
    )


@pytest.fixture(scope="session")
def story_transcript(story_movie, asr_model_path):
    from media_pipeline.pipeline.transcribe import transcribe

    result = probe(story_movie.path, limits=ProbeLimits())
    return transcribe(story_movie.path, result, model_path=asr_model_path)


@pytest.fixture(scope="session")
def music_movie(media_dir) -> str:
    from .speech import make_music_movie

    return make_music_movie(str(media_dir / "music.mp4"), duration=12)
