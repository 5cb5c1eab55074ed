"""Running one stage of a job on a worker: take the lease, keep it alive, run the stage, hand
over to the next stage (or fail, or give the stage back for a retry).

The RecapJob row is the source of truth. A duplicate delivery finds the stage taken and does
nothing; a worker that dies stops renewing and the recovery sweep queues the stage again; a
cancel or a lost lease sets the stage's stop signal and ffmpeg is killed within a second.
"""

from __future__ import annotations

import errno
import logging
import shutil
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection

from ..pipeline.types import PipelineError, Stopped, TransientPipelineError
from ..storage import work_dir
from . import alerts, publish, stages, transitions
from .lease import Heartbeat, Lease, acquire, held, release, report_percent
from .states import BANDS, JobState

log = logging.getLogger(__name__)
T = TypeVar("T")

STAGE_FUNCTIONS: dict[str, Callable[[stages.StageRun], dict[str, Any]]] = {
    JobState.PROBING: stages.probe_stage,
    JobState.TRANSCRIBING: stages.transcribe_stage,
    JobState.ANALYZING: stages.analyze_stage,
    JobState.SELECTING: stages.select_stage,
    JobState.RENDERING: stages.render_stage,
}
# How long a finished stage waits for the database to come back before its hand-over gives up
# (the stage is then taken again by the recovery sweep).
HANDOVER_PATIENCE = 120.0


def run_stage(job_id: int, state: str) -> str | None:
    """Run `state` of the job if this worker gets the lease; the state it moved to, or None."""
    lease = acquire(job_id, state)
    if lease is None:
        log.info("job %s: %s is not ours to run (done, leased or moved on)", job_id, state)
        return None
    if lease.attempt > settings.RECAP_MAX_ATTEMPTS:
        reason = f"{state} was started {lease.attempt - 1} times without finishing"
        _end(lease, code="attempts_exhausted", reason=reason)
        return None
    job = held(lease)
    if job is None:
        return None
    stop = threading.Event()
    beat = Heartbeat(lease, connection.tenant, stop)
    beat.start()
    run = stages.StageRun(job, lease, _progress(lease, state, stop), stop)
    started = time.monotonic()
    try:
        if state == JobState.PUBLISHING:
            published = publish.publish_stage(run, started=started)
            return JobState.DONE if published else None
        added = STAGE_FUNCTIONS[state](run)
    except Stopped:
        log.info("job %s: %s stopped (canceled: %s, lease lost: %s)",
                 job_id, state, beat.canceled, beat.lost)  # fmt: skip
        if beat.canceled:
            shutil.rmtree(work_dir(job_id), ignore_errors=True)
        return None
    except stages.RerunStage as rerun:
        return rerun.state if _with_database(transitions.rerun, lease, rerun.state) else None
    except TransientPipelineError:
        _give_back(lease, transient=True)
        raise
    except PipelineError as error:
        if _disk_full(error):
            raise _disk_full_alert(lease, error) from error
        _end(lease, code=error.code, reason=error.message)
        return None
    except OSError as error:
        if error.errno != errno.ENOSPC:
            _give_back(lease)
            raise
        raise _disk_full_alert(lease, error) from error
    except BaseException:
        # A time limit, a worker shutting down, a bug: the stage is free for the next take,
        # and RECAP_MAX_ATTEMPTS takes end a job whose input keeps breaking us.
        _give_back(lease)
        raise
    finally:
        beat.end()

    timings = {**job.timings, state: round(time.monotonic() - started, 3)}
    artifacts = {**job.artifacts, **added}
    moved = _with_database(transitions.advance, lease, timings=timings, artifacts=artifacts)
    return moved or None


def _progress(lease: Lease, state: str, stop: threading.Event) -> Callable[[float], None]:
    low, high = BANDS[state]
    last = [0.0]

    def report(fraction: float) -> None:
        if stop.is_set():
            raise Stopped(f"job {lease.job_id}: {state} stopped")
        now = time.monotonic()
        if now - last[0] < 1.0:
            return
        last[0] = now
        try:
            report_percent(lease, int(low + (high - low) * max(0.0, min(1.0, fraction))))
        except DatabaseError as exc:
            # The bar on the page can wait for the database; the work in progress cannot be
            # thrown away for it. The broken connection goes, the hand-over opens a new one.
            log.warning("job %s: progress not recorded, database away: %s", lease.job_id, exc)
            connection.close()

    return report


def _give_back(lease: Lease, *, transient: bool = False) -> None:
    try:
        release(lease, transient=transient)
    except DatabaseError as exc:
        log.warning("job %s: could not give %s back: %s", lease.job_id, lease.state, exc)


def _end(lease: Lease, *, code: str, reason: str) -> None:
    log.warning("job %s failed in %s: %s (%s)", lease.job_id, lease.state, reason, code,
                extra={"job": lease.job_id, "stage": lease.state})  # fmt: skip
    if _with_database(transitions.fail, lease.job_id, code=code, reason=reason, token=lease.token):
        shutil.rmtree(work_dir(lease.job_id), ignore_errors=True)


def _disk_full(error: PipelineError) -> bool:
    return "No space left on device" in error.message


def _disk_full_alert(lease: Lease, error: Exception) -> TransientPipelineError:
    """A full disk is ours to fix, not the movie's fault: the stage waits and is retried."""
    _give_back(lease, transient=True)
    alerts.raise_alert(
        "disk_full",
        f"job {lease.job_id} ({connection.schema_name}): no space left on the work volume "
        f"{settings.WORK_ROOT} during {lease.state}; the stage will be retried. {error}",
    )
    return TransientPipelineError("disk_full", f"no space left during {lease.state}")


def _with_database(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call `fn` on a fresh connection, waiting for the database to come back if it is away
    (a restart, a failover), so finished work is not thrown away for a blip. Inside an outer
    transaction nothing can be retried: the error goes up as it is."""
    deadline = time.monotonic() + HANDOVER_PATIENCE
    while True:
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
        try:
            return fn(*args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            if connection.in_atomic_block or time.monotonic() > deadline:
                raise
            log.warning("%s: database away during the hand-over, retrying: %s", fn.__name__, exc)
            connection.close()
            time.sleep(2.0)
