"""Adapters between a leased job and the pure pipeline: each stage reads what earlier stages left
in `job.artifacts`, runs one pipeline function in the job's work folder, and returns what it
adds. Outputs go to a folder of this attempt only, so two takes of a stage never share files.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection

from billing import quotas

from .. import subtitle_tracks
from ..models import RecapJob
from ..pipeline import runner
from ..pipeline.codec import from_json, to_json
from ..pipeline.probe import ProbeLimits
from ..pipeline.types import Analysis, ProbeResult, Selection, SubtitleTrackParse, Writeup
from ..storage import work_dir
from .lease import Lease


class RerunStage(Exception):
    """An earlier stage must run again (its results are gone with another worker's disk)."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


@dataclass(frozen=True)
class StageRun:
    job: RecapJob
    lease: Lease
    progress: Callable[[float], None]
    # Set by the heartbeat on cancel or a lost lease: the pipeline kills ffmpeg at once.
    stop: threading.Event

    @property
    def folder(self) -> Path:
        """This attempt's own folder; moved into place or deleted, never shared."""
        path = work_dir(self.job.pk) / f"attempt-{self.lease.token}"
        path.mkdir(parents=True, exist_ok=True)
        return path


def local_file(job: RecapJob, name: str, label: str) -> str:
    """A local path to a stored file: the file itself on local storage, a copy from S3 (made
    under a temporary name, so a copy cut short is never taken for a whole one)."""
    try:
        return default_storage.path(name)
    except NotImplementedError:
        local = work_dir(job.pk) / (label + Path(name).suffix)
        if not local.exists():
            partial = local.with_name(local.name + f".{os.getpid()}.part")
            with default_storage.open(name, "rb") as src, open(partial, "wb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
            os.replace(partial, local)
        return str(local)


def source_path(job: RecapJob) -> str:
    return local_file(job, job.movie.file.name, "source")


def probe_stage(run: StageRun) -> dict[str, Any]:
    job, movie = run.job, run.job.movie
    limits = ProbeLimits(max_duration=quotas.max_movie_seconds(connection.tenant))
    probe = runner.run_probe(source_path(job), limits=limits, stop=run.stop)
    tracks = movie.subtitle_tracks.order_by("-source", "pk")
    track = tracks.filter(language=job.language).first() or tracks.first()
    uploaded = local_file(job, track.file.name, "subtitles") if track else None
    parsed = runner.load_subtitles(
        source_path(job), probe, uploaded=uploaded, work_dir=str(run.folder),
        language=movie.language, stop=run.stop,
    )  # fmt: skip
    return {"probe": to_json(probe), "subtitles": to_json(parsed)}


def transcribe_stage(run: StageRun) -> dict[str, Any]:
    """Speech to cues when the movie has no subtitles (or when the job asks for it): the
    transcript becomes the movie's subtitle track and the dialogue of the recap. No model, no
    speech, no audio: the stage ends with a note, never a failure."""
    job, movie = run.job, run.job.movie
    if job.artifacts.get("subtitles") and not job.recognise_speech:
        return {"transcript": None}
    model = None if settings.ASR_MODEL == "off" else settings.ASR_MODEL
    hint = movie.language.split("-")[0] if movie.language_chosen else None
    transcript = runner.run_transcribe(
        source_path(job),
        from_json(ProbeResult, job.artifacts["probe"]),
        model_path=model,
        language=hint,
        progress=run.progress,
        stop=run.stop,
    )
    added: dict[str, Any] = {"transcript": to_json(replace(transcript, cues=()))}
    track = runner.transcript_track(transcript)
    if track is not None:
        subtitle_tracks.keep_speech_track(
            movie=movie,
            cues=transcript.cues,
            language=transcript.language,
            confidence=transcript.language_probability,
        )
        added["subtitles"] = to_json(track)
    return added


def analyze_stage(run: StageRun) -> dict[str, Any]:
    artifacts = run.job.artifacts
    probe = from_json(ProbeResult, artifacts["probe"])
    parsed = from_json(SubtitleTrackParse, artifacts.get("subtitles"))
    analysis = runner.run_analyze(
        source_path(run.job), probe, parsed, progress=run.progress, stop=run.stop
    )
    return {"analysis": to_json(analysis)}


def select_stage(run: StageRun) -> dict[str, Any]:
    job = run.job
    analysis = from_json(Analysis, job.artifacts["analysis"])
    scenes = runner.run_scenes(analysis)
    selection = runner.run_select(
        analysis, scenes, requested=job.target, include_ending=job.include_ending
    )
    writeup = runner.run_write(
        analysis, selection.scenes, selection, language=job.language, settings=llm_settings(),
        include_ending=job.include_ending,
    )  # fmt: skip
    return {"selection": to_json(selection), "writeup": to_json(writeup)}


def render_stage(run: StageRun) -> dict[str, Any]:
    artifacts = run.job.artifacts
    probe = from_json(ProbeResult, artifacts["probe"])
    analysis = from_json(Analysis, artifacts["analysis"])
    selection = from_json(Selection, artifacts["selection"])
    writeup = from_json(Writeup, artifacts["writeup"])
    outputs = runner.run_render(
        source_path(run.job), probe, selection, cues=analysis.cues, writeup=writeup,
        out_dir=str(run.folder / "out"), scenes=selection.scenes, progress=run.progress,
        stop=run.stop,
    )  # fmt: skip
    return {"outputs": to_json(outputs)}


def llm_settings() -> dict[str, str]:
    keys = ("LLM_API_KEY", "LLM_BASE_URL", "LLM_MODEL")
    return {key: getattr(settings, key) for key in keys if getattr(settings, key, "")}
