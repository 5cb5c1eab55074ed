"""Running one stage of a recap job: the lease, the heartbeat, the stage itself, the hand-over.

The RecapJob row is the source of truth. A stage runs only under a lease (owner + expiry) taken
atomically, so a duplicate delivery does nothing; a heartbeat renews the lease while ffmpeg works;
a worker that dies stops renewing, and the recovery task hands the stage to another worker. Each
stage leaves its results in `job.artifacts` as JSON, so the next stage may run anywhere.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from billing import quotas
from billing.models import UsageRecord
from compliance.services import record_event
from webhooks import events as webhook_events

from . import notifications
from .models import JobState, Movie, MovieStatus, Recap, RecapJob
from .pipeline import runner
from .pipeline.codec import from_json, to_json
from .pipeline.probe import ProbeLimits
from .pipeline.types import (
    Analysis,
    PipelineError,
    ProbeResult,
    RenderOutputs,
    Selection,
    SubtitleTrackParse,
    TransientPipelineError,
    Writeup,
)
from .storage import work_dir

log = logging.getLogger(__name__)

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
# Where each stage's progress sits on the job's 0–100 bar.
BANDS = {
    JobState.PROBING: (0, 5),
    JobState.ANALYZING: (5, 60),
    JobState.SELECTING: (60, 65),
    JobState.RENDERING: (65, 95),
    JobState.PUBLISHING: (95, 100),
}
NEXT = {
    JobState.PROBING: JobState.ANALYZING,
    JobState.ANALYZING: JobState.SELECTING,
    JobState.SELECTING: JobState.RENDERING,
    JobState.RENDERING: JobState.PUBLISHING,
}


class JobCanceled(Exception):
    """The job was canceled while its stage ran."""


class RerunStage(Exception):
    """An earlier stage must run again (its local results are gone with another worker)."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


def acquire(job_id: int, state: str) -> RecapJob | None:
    """Take the lease on `job_id` in `state`, or None if another worker holds it or it moved on."""
    now = timezone.now()
    taken = RecapJob.objects.filter(
        Q(lease_owner="") | Q(lease_expires_at__lt=now), pk=job_id, state=state
    ).update(
        lease_owner=WORKER_ID,
        lease_expires_at=now + timedelta(seconds=settings.RECAP_LEASE_SECONDS),
        started_at=now,
        attempts=F("attempts") + 1,
    )
    if not taken:
        return None
    return RecapJob.objects.select_related("movie").get(pk=job_id)


class Heartbeat(threading.Thread):
    """Renews the lease and notices cancellation while a stage runs in the main thread."""

    def __init__(self, job: RecapJob, schema: object) -> None:
        super().__init__(daemon=True)
        self.job_id = job.pk
        self.tenant = schema
        self.stopped = threading.Event()
        self.canceled = False
        self.lost = False

    def run(self) -> None:
        from django.db import connections
        from django_tenants.utils import tenant_context

        interval = max(1.0, settings.RECAP_LEASE_SECONDS / 3)
        try:
            with tenant_context(self.tenant):
                while not self.stopped.wait(interval):
                    expires = timezone.now() + timedelta(seconds=settings.RECAP_LEASE_SECONDS)
                    renewed = RecapJob.objects.filter(pk=self.job_id, lease_owner=WORKER_ID).update(
                        lease_expires_at=expires
                    )
                    state = RecapJob.objects.filter(pk=self.job_id).values_list("state", flat=True)
                    self.canceled = list(state) == [JobState.CANCELED]
                    self.lost = not renewed
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


def progress_reporter(job: RecapJob, state: str, beat: Heartbeat) -> Callable[[float], None]:
    low, high = BANDS[state]
    last = [0.0]

    def report(fraction: float) -> None:
        if beat.canceled or beat.lost:
            raise JobCanceled
        now = time.monotonic()
        if now - last[0] < 1.0:
            return
        last[0] = now
        percent = int(low + (high - low) * max(0.0, min(1.0, fraction)))
        RecapJob.objects.filter(pk=job.pk, lease_owner=WORKER_ID).update(percent=percent)

    return report


def run_stage(job_id: int, state: str) -> str | None:
    """Run `state` of the job if this worker gets the lease; return the next state queued."""
    job = acquire(job_id, state)
    if job is None:
        log.info("job %s: %s is not ours to run (done, leased or moved on)", job_id, state)
        return None
    if job.attempts > settings.RECAP_MAX_ATTEMPTS:
        fail(job, PipelineError("attempts_exhausted", f"{state} failed {job.attempts - 1} times"))
        return None

    beat = Heartbeat(job, connection.tenant)
    beat.start()
    started = time.monotonic()
    try:
        STAGES[state](job, progress_reporter(job, state, beat))
    except JobCanceled:
        log.info("job %s: %s stopped (canceled or lease lost)", job_id, state)
        if RecapJob.objects.filter(pk=job_id, state=JobState.CANCELED).exists():
            cleanup(job)
        return None
    except RerunStage as rerun:
        return hand_back(job, state, rerun.state)
    except TransientPipelineError:
        release(job)
        raise
    except PipelineError as error:
        fail(job, error)
        return None
    finally:
        beat.stop()

    job.timings = {**job.timings, state: round(time.monotonic() - started, 3)}
    return advance(job, state)


def advance(job: RecapJob, state: str) -> str | None:
    from .services import enqueue_stage

    with transaction.atomic():
        locked = RecapJob.objects.select_for_update().get(pk=job.pk)
        if locked.state != state or locked.lease_owner != WORKER_ID:
            return None  # canceled meanwhile, or the lease went to another worker
        locked.timings = job.timings
        locked.artifacts = job.artifacts
        locked.percent = BANDS[state][1]
        locked.attempts = 0
        next_state = NEXT.get(state)
        if next_state is None:
            locked.state = JobState.DONE
            locked.finished_at = timezone.now()
            locked.lease_owner = ""
            locked.lease_expires_at = None
            locked.save()
            tenant = connection.tenant
            transaction.on_commit(lambda: notifications.recap_finished(locked.pk, tenant))
            webhook_events.emit_recap_completed(locked)
            return JobState.DONE
        locked.save(update_fields=["timings", "artifacts", "percent", "attempts"])
        enqueue_stage(locked, next_state)
        return next_state


def hand_back(job: RecapJob, state: str, earlier: str) -> str | None:
    from .services import enqueue_stage

    with transaction.atomic():
        locked = RecapJob.objects.select_for_update().get(pk=job.pk)
        if locked.state != state or locked.lease_owner != WORKER_ID:
            return None
        locked.attempts = 0
        enqueue_stage(locked, earlier)
    return earlier


def release(job: RecapJob) -> None:
    """Give the lease back so a retry (or the recovery task) can take the stage again."""
    RecapJob.objects.filter(pk=job.pk, lease_owner=WORKER_ID).update(lease_owner="")


def fail(job: RecapJob, error: PipelineError) -> None:
    log.warning(
        "job %s failed in %s: %s (%s)", job.pk, job.state, error.message, error.code,
        extra={"job": job.pk, "stage": job.state},
    )  # fmt: skip
    tenant = connection.tenant
    with transaction.atomic():
        RecapJob.objects.filter(pk=job.pk).update(
            state=JobState.FAILED,
            failure_code=error.code,
            failure_reason=error.message[:2000],
            finished_at=timezone.now(),
            lease_owner="",
            lease_expires_at=None,
        )
        Movie.objects.filter(pk=job.movie_id).update(status=MovieStatus.FAILED)
        record_event(
            action="recap.failed",
            actor=None,
            tenant=tenant,
            target=f"movie:{job.movie_id}",
            data={"job": job.pk, "code": error.code},
        )
        transaction.on_commit(lambda: notifications.recap_finished(job.pk, tenant))
        webhook_events.emit_recap_failed(job)
    cleanup(job)


def cleanup(job: RecapJob) -> None:
    shutil.rmtree(work_dir(job.pk), ignore_errors=True)


def local_file(job: RecapJob, name: str, label: str) -> str:
    """A local path to a stored file: the file itself on local storage, a copy from S3."""
    try:
        return default_storage.path(name)
    except NotImplementedError:
        local = work_dir(job.pk) / (label + Path(name).suffix)
        if not local.exists():
            with default_storage.open(name, "rb") as src, open(local, "wb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
        return str(local)


def source_path(job: RecapJob) -> str:
    return local_file(job, job.movie.file.name, "source")


def probe_stage(job: RecapJob, progress: Callable[[float], None]) -> None:
    movie = job.movie
    limits = ProbeLimits(max_duration=quotas.max_movie_seconds(connection.tenant))
    probe = runner.run_probe(source_path(job), limits=limits)
    track = movie.subtitle_tracks.order_by("-source", "pk").filter(language=job.language).first()
    track = track or movie.subtitle_tracks.order_by("pk").first()
    uploaded = local_file(job, track.file.name, "subtitles") if track else None
    parsed = runner.load_subtitles(
        source_path(job), probe, uploaded=uploaded, work_dir=str(work_dir(job.pk)),
        language=movie.language,
    )  # fmt: skip
    job.artifacts = {"probe": to_json(probe), "subtitles": to_json(parsed)}


def analyze_stage(job: RecapJob, progress: Callable[[float], None]) -> None:
    probe = from_json(ProbeResult, job.artifacts["probe"])
    parsed = from_json(SubtitleTrackParse, job.artifacts.get("subtitles"))
    analysis = runner.run_analyze(source_path(job), probe, parsed, progress=progress)
    job.artifacts = {**job.artifacts, "analysis": to_json(analysis)}


def select_stage(job: RecapJob, progress: Callable[[float], None]) -> None:
    analysis = from_json(Analysis, job.artifacts["analysis"])
    scenes = runner.run_scenes(analysis)
    selection = runner.run_select(analysis, scenes, requested=job.target)
    writeup = runner.run_write(
        analysis, selection.scenes, selection, language=job.language, settings=llm_settings()
    )
    job.artifacts = {
        **job.artifacts,
        "selection": to_json(selection),
        "writeup": to_json(writeup),
    }


def render_stage(job: RecapJob, progress: Callable[[float], None]) -> None:
    probe = from_json(ProbeResult, job.artifacts["probe"])
    analysis = from_json(Analysis, job.artifacts["analysis"])
    selection = from_json(Selection, job.artifacts["selection"])
    writeup = from_json(Writeup, job.artifacts["writeup"])
    out_dir = work_dir(job.pk) / "out"
    outputs = runner.run_render(
        source_path(job), probe, selection, cues=analysis.cues, writeup=writeup,
        out_dir=str(out_dir), scenes=selection.scenes, progress=progress,
    )  # fmt: skip
    job.artifacts = {**job.artifacts, "outputs": to_json(outputs), "worker": WORKER_ID}


def publish_stage(job: RecapJob, progress: Callable[[float], None]) -> None:
    outputs = from_json(RenderOutputs, job.artifacts["outputs"])
    files = [outputs.video, outputs.poster, outputs.sprite, outputs.thumbnails_vtt]
    if not all(os.path.exists(path) for path in files):
        # The render ran on a worker whose scratch space is gone: render again.
        raise RerunStage(JobState.RENDERING)
    selection = from_json(Selection, job.artifacts["selection"])
    writeup = from_json(Writeup, job.artifacts["writeup"])
    with transaction.atomic():
        Recap.objects.filter(job=job).delete()
        recap = Recap(
            job=job,
            movie=job.movie,
            language=writeup.language,
            synopsis=writeup.synopsis,
            chapters=to_json(writeup.chapters),
            time_map=[[c.start, c.end, c.recap_start] for c in selection.clips],
            duration=outputs.duration,
        )
        for field, path in (
            ("video", outputs.video),
            ("poster", outputs.poster),
            ("sprite", outputs.sprite),
            ("thumbnails_vtt", outputs.thumbnails_vtt),
            ("chapters_vtt", outputs.chapters_vtt),
            ("subtitles_vtt", outputs.subtitles_vtt),
        ):
            if path:
                with open(path, "rb") as handle:
                    getattr(recap, field).save(os.path.basename(path), File(handle), save=False)
        recap.size_bytes = sum(os.path.getsize(p) for p in files)
        recap.save()
        Movie.objects.filter(pk=job.movie_id).update(status=MovieStatus.DONE)
        tenant = connection.tenant
        quotas.record_usage(
            tenant=tenant,
            kind=UsageRecord.Kind.PROCESSING_SECONDS,
            quantity=job.movie.duration or 0,
            reference=f"job:{job.pk}",
        )
        quotas.record_usage(
            tenant=tenant,
            kind=UsageRecord.Kind.STORAGE_BYTES,
            quantity=recap.size_bytes,
            reference=f"recap:{recap.pk}",
        )
        record_event(
            action="recap.completed",
            actor=None,
            tenant=tenant,
            target=f"movie:{job.movie_id}",
            data={"job": job.pk, "recap": recap.pk},
        )
    cleanup(job)


def llm_settings() -> dict[str, str]:
    keys = ("LLM_API_KEY", "LLM_BASE_URL", "LLM_MODEL")
    return {key: getattr(settings, key) for key in keys if getattr(settings, key, "")}


STAGES: dict[str, Callable[[RecapJob, Callable[[float], None]], None]] = {
    JobState.PROBING: probe_stage,
    JobState.ANALYZING: analyze_stage,
    JobState.SELECTING: select_stage,
    JobState.RENDERING: render_stage,
    JobState.PUBLISHING: publish_stage,
}


def stalled_jobs() -> list[tuple[int, str]]:
    """Active jobs whose lease date has passed: their worker died or their message was lost."""
    return list(
        RecapJob.objects.filter(
            state__in=list(BANDS), lease_expires_at__lt=timezone.now()
        ).values_list("pk", "state")
    )
