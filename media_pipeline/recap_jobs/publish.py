"""Publishing a rendered recap exactly once.

The render's files (checked by a full decode before the render put them in place) are copied
to storage under a folder of this take of the stage; then, in ONE transaction under the job's
row lock and lease token: the Recap row, the usage (unique references per job and recap, so a
replay cannot charge twice), and the move to "done" with its event. Work files and any other
take's copies are deleted after that commit; a failed commit deletes this take's copies.
"""

from __future__ import annotations

import logging
import os
import posixpath
import shutil
import time
from collections.abc import Mapping

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction

from billing import quotas
from billing.models import UsageRecord

from ..models import Recap, RecapJob
from ..pipeline.codec import from_json, to_json
from ..pipeline.types import RenderOutputs, Selection, Writeup
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

    folder = posixpath.join(job_folder(job.pk), lease.token)
    stored = _store(paths, folder)
    timings = {**job.timings, lease.state: round(time.monotonic() - started, 3)}
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
