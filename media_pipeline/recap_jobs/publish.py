"""Publishing a rendered recap exactly once.

The render's files (checked by a full decode before the render put them in place) are copied
to storage under a folder of this take of the stage; then, in ONE transaction under the job's
row lock and lease token: the Recap row, the usage (unique references per job and recap, so a
replay cannot charge twice), and the move to "done" with its event. Work files and any other
take's copies are deleted after that commit; a failed commit deletes this take's copies.
"""

from __future__ import annotations

import json
import logging
import os
import posixpath
import shutil
import time
from collections.abc import Mapping
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction

from billing import quotas
from billing.models import UsageRecord

from ..models import Recap, RecapJob
from ..pipeline import runner
from ..pipeline.codec import from_json, to_json
from ..pipeline.types import (
    Analysis,
    Evidence,
    ProbeResult,
    RenderOutputs,
    Selection,
    Transcript,
    Writeup,
)
from ..storage import tenant_key, work_dir
from . import transitions
from .lease import Lease
from .stages import RerunStage, StageRun
from .states import JobState

log = logging.getLogger(__name__)

# Recap.FILE_FIELDS are named like the render's outputs; these four are always there.
REQUIRED = ("video", "poster", "sprite", "thumbnails_vtt")


class LeaseLost(Exception):
    """Another take of the stage (or a cancel) came first: this one publishes nothing."""


def job_folder(job_id: int) -> str:
    return tenant_key("recaps", str(job_id))


def publish_stage(run: StageRun, *, started: float) -> bool:
    """Publish the render in `run.job.artifacts`; False if the lease was lost meanwhile."""
    job, lease = run.job, run.lease
    outputs = from_json(RenderOutputs, job.artifacts.get("outputs"))
    paths = {field: getattr(outputs, field, None) for field in Recap.FILE_FIELDS}
    if not all(paths[field] and os.path.exists(paths[field]) for field in REQUIRED):
        # The render ran on a worker whose scratch space is gone: render again.
        raise RerunStage(JobState.RENDERING)
    # The render decoded its video completely before moving it into place (pipeline.verify),
    # and each take of the render writes its own folder: what is here plays.
    selection = from_json(Selection, job.artifacts["selection"])
    writeup = from_json(Writeup, job.artifacts["writeup"])
    timings = {**job.timings, lease.state: round(time.monotonic() - started, 3)}
    paths["report"] = write_report(job.artifacts, outputs, timings, str(run.folder))

    folder = posixpath.join(job_folder(job.pk), lease.token)
    stored = _store(paths, folder)
    try:
        with transaction.atomic():
            _record(job, lease, outputs, selection, writeup, stored, timings)
    except LeaseLost:
        _delete(stored.values())
        return False
    except BaseException:
        _delete(stored.values())
        raise
    # Committed: the recap is out. Only now do the work files and stray copies go.
    shutil.rmtree(work_dir(job.pk), ignore_errors=True)
    _delete_other_takes(job.pk, lease.token)
    return True


def write_report(
    artifacts: Mapping[str, Any], outputs: RenderOutputs, timings: Mapping[str, float], folder: str
) -> str:
    """report.json, as the command line writes it: cuts, scenes, clips, the synopsis sentences
    and chapters with their evidence, the transcript's language and note, timings."""
    run = runner.RecapRun(
        probe=from_json(ProbeResult, artifacts["probe"]),
        analysis=from_json(Analysis, artifacts["analysis"]),
        scenes=from_json(Selection, artifacts["selection"]).scenes,
        selection=from_json(Selection, artifacts["selection"]),
        writeup=from_json(Writeup, artifacts["writeup"]),
        outputs=outputs,
        timings=dict(timings),
        transcript=from_json(Transcript, artifacts.get("transcript")),
    )
    path = os.path.join(folder, "report.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(runner.report(run), handle, ensure_ascii=False, indent=2)
    return path


def seek_points(evidence: Evidence, selection: Selection) -> dict[str, float | None]:
    """Where a written line's evidence starts in the movie, and where to seek in the recap to
    see it: inside the clip that keeps it, else the start of the next clip (None past the end)."""
    scenes = {scene.index: (scene.start, scene.end) for scene in selection.scenes}
    spans = [*evidence.cues, *(scenes[i] for i in evidence.scenes if i in scenes)]
    if not spans:
        return {"source_at": None, "recap_at": None}
    clips = sorted(selection.clips, key=lambda clip: clip.start)
    for start, end in sorted(spans):
        for clip in clips:
            if clip.start < end and start < clip.end:
                at = clip.recap_start + max(0.0, start - clip.start)
                return {"source_at": round(min(s for s, _ in spans), 3), "recap_at": round(at, 3)}
    first = min(s for s, _ in spans)
    later = next((clip for clip in clips if clip.start >= first), None)
    return {
        "source_at": round(first, 3),
        "recap_at": round(later.recap_start, 3) if later else None,
    }


def sentences_of(writeup: Writeup, selection: Selection) -> list[dict[str, Any]]:
    return [
        {**to_json(sentence), **seek_points(sentence.evidence, selection)}
        for sentence in writeup.sentences
    ]


def notes_of(artifacts: Mapping[str, Any], writeup: Writeup) -> list[str]:
    """What the recap page must say about how it was made (stable codes, translated there)."""
    transcript = artifacts.get("transcript") or {}
    return [code for code in (transcript.get("note"), writeup.note) if code]


def _store(paths: Mapping[str, str | None], folder: str) -> dict[str, str]:
    stored: dict[str, str] = {}
    try:
        for field, path in paths.items():
            if not path:
                continue
            with open(path, "rb") as handle:
                name = posixpath.join(folder, os.path.basename(path))
                stored[field] = default_storage.save(name, File(handle))
    except BaseException:
        _delete(stored.values())
        raise
    return stored


def _record(
    job: RecapJob,
    lease: Lease,
    outputs: RenderOutputs,
    selection: Selection,
    writeup: Writeup,
    stored: Mapping[str, str],
    timings: Mapping[str, float],
) -> Recap:
    locked = RecapJob.objects.select_for_update().get(pk=job.pk)
    if locked.state != JobState.PUBLISHING or locked.lease_token != lease.token:
        raise LeaseLost
    tenant = connection.tenant
    for old in Recap.objects.filter(job=locked):
        # A recap of this very job published before (an earlier bug, a manual replay): its
        # files go after the commit and the storage it used is given back.
        quotas.record_usage(
            tenant=tenant, kind=UsageRecord.Kind.STORAGE_BYTES, quantity=-old.size_bytes,
            reference=f"recap:{old.pk}:replaced",
        )  # fmt: skip
        names = [getattr(old, field).name for field in Recap.FILE_FIELDS]
        old.delete()
        transaction.on_commit(lambda names=names: _delete(names))
    recap = Recap(
        job=locked,
        movie_id=locked.movie_id,
        language=writeup.language,
        synopsis=writeup.synopsis,
        sentences=sentences_of(writeup, selection),
        notes=notes_of(job.artifacts, writeup),
        include_ending=writeup.include_ending,
        text_language=writeup.text_language or writeup.language,
        chapters=to_json(writeup.chapters),
        time_map=[[c.start, c.end, c.recap_start] for c in selection.clips],
        duration=outputs.duration,
    )
    for field, name in stored.items():
        getattr(recap, field).name = name
    recap.size_bytes = sum(default_storage.size(name) for name in stored.values())
    recap.save()
    quotas.record_usage(
        tenant=tenant, kind=UsageRecord.Kind.PROCESSING_SECONDS,
        quantity=job.movie.duration or 0, reference=f"job:{locked.pk}",
    )  # fmt: skip
    quotas.record_usage(
        tenant=tenant, kind=UsageRecord.Kind.STORAGE_BYTES, quantity=recap.size_bytes,
        reference=f"recap:{recap.pk}",
    )  # fmt: skip
    if not transitions.publish(lease, timings=timings, audit={"recap": recap.pk}):
        raise LeaseLost
    return recap


def _delete(names: object) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def _delete_other_takes(job_id: int, keep: str) -> None:
    """Copies left by takes of the publish stage that never committed (a worker killed between
    the copy and the commit)."""
    folder = job_folder(job_id)
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in folders:
        if name == keep:
            continue
        inner = posixpath.join(folder, name)
        _delete(posixpath.join(inner, f) for f in default_storage.listdir(inner)[1])
    _delete(posixpath.join(folder, f) for f in files)
