"""The lease a worker process holds while it runs one stage of a job: take, renew, give back.

A take is one conditional UPDATE (the stage is free, or its holder stopped renewing), so two
deliveries of the same message never run a stage twice at once. Each take gets a fresh token:
the heartbeat, the hand-over to the next stage and the publish all check it and stop when it
changed, so a worker that lost its lease can never overwrite the work of the one that took it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from ..models import RecapJob
from .states import JobState

log = logging.getLogger(__name__)

# The worker id is read per process: Celery's pool forks children after import, and each
# child must hold leases in its own name.
_worker: tuple[int, str] | None = None


def worker_id() -> str:
    global _worker
    pid = os.getpid()
    if _worker is None or _worker[0] != pid:
        _worker = (pid, f"{socket.gethostname()}:{pid}:{uuid.uuid4().hex[:6]}")
    return _worker[1]


@dataclass(frozen=True)
class Lease:
    job_id: int
    state: str
    token: str
    attempt: int


def lease_seconds() -> timedelta:
    return timedelta(seconds=settings.RECAP_LEASE_SECONDS)


def renew_every() -> float:
    """Seconds between two renewals by the heartbeat: a third of the lease, at least one."""
    return max(1.0, settings.RECAP_LEASE_SECONDS / 3)


def grace() -> timedelta:
    """What a holder whose lease ran out is given to renew it before the sweep takes its stage
    away: one renewal and a beat. A holder that only lost the database for longer than the
    lease (a restart, a failover) renews within it once the database is back."""
    return timedelta(seconds=renew_every() + 1.0)


# Appended to the owner by the sweep that finds a held lease run out; a renewal takes it off,
# and a later sweep that still finds it knows the grace passed without one.
SUSPECT = "?"


def suspected(owner: str) -> bool:
    return owner.endswith(SUSPECT)


def acquire(job_id: int, state: str) -> Lease | None:
    """Take the stage `state` of job `job_id`; None if it is held, moved on or ended."""
    now = timezone.now()
    token = uuid.uuid4().hex
    taken = RecapJob.objects.filter(
        Q(lease_owner="") | Q(lease_expires_at__lt=now), pk=job_id, state=state
    ).update(
        lease_owner=worker_id(),
        lease_token=token,
        lease_expires_at=now + lease_seconds(),
        started_at=now,
        attempts=F("attempts") + 1,
    )
    if not taken:
        return None
    attempts = RecapJob.objects.filter(pk=job_id).values_list("attempts", flat=True).first()
    return Lease(job_id=job_id, state=state, token=token, attempt=attempts or 1)


def held(lease: Lease) -> RecapJob | None:
    """The job, if `lease` is still the current take of its stage."""
    return (
        RecapJob.objects.select_related("movie")
        .filter(pk=lease.job_id, state=lease.state, lease_token=lease.token)
        .first()
    )


def renew(lease: Lease) -> bool:
    """Date the lease ahead again (and clear a suspicion), if this take still holds it."""
    return bool(
        RecapJob.objects.filter(pk=lease.job_id, state=lease.state, lease_token=lease.token).update(
            lease_expires_at=timezone.now() + lease_seconds(), lease_owner=worker_id()
        )
    )


def release(lease: Lease, *, transient: bool = False) -> None:
    """Give the stage back: the retry, or the recovery sweep once the date passes, takes it
    again. A transient failure (a full disk, a timeout) was reported, not a crash: it does not
    count as one of the RECAP_MAX_ATTEMPTS takes; the task's own retries bound it."""
    fields: dict[str, object] = {"lease_owner": "", "lease_token": ""}
    if transient:
        fields["attempts"] = Greatest(F("attempts") - 1, 0)
    RecapJob.objects.filter(pk=lease.job_id, lease_token=lease.token).update(**fields)


def report_percent(lease: Lease, percent: int) -> None:
    RecapJob.objects.filter(pk=lease.job_id, lease_token=lease.token).update(percent=percent)


class Heartbeat(threading.Thread):
    """Renews the lease while a stage runs in the main thread, and sets `stop` at once when the
    job is canceled or the lease is lost, so the stage's ffmpeg is killed (the pipeline watches
    `stop`). It outlives database errors: the connection is dropped and the next beat retries.
    """

    def __init__(self, lease: Lease, tenant: object, stop: threading.Event) -> None:
        super().__init__(daemon=True, name=f"lease-{lease.job_id}")
        self.lease = lease
        self.tenant = tenant
        self.stop = stop
        self.finished = threading.Event()
        self.canceled = False
        self.lost = False
        self.renew_every = renew_every()
        self.look_every = min(1.0, self.renew_every)

    def run(self) -> None:
        connection.set_tenant(self.tenant)
        renewed_at = 0.0
        clock = 0.0
        overdue = False
        try:
            while not self.finished.wait(self.look_every):
                clock += self.look_every
                try:
                    if overdue or clock - renewed_at >= self.renew_every:
                        if not renew(self.lease) and self._look():
                            return
                        renewed_at, overdue = clock, False
                    elif self._look():
                        return
                except DatabaseError as exc:
                    # The database is away (restart, failover): drop the connection and renew
                    # at the next beat, so the lease is renewed as soon as it is back, within
                    # the grace the sweep gives a holder before taking its stage away. If
                    # another worker took the stage meanwhile, the renewal notices the token.
                    log.warning("job %s: heartbeat could not reach the database: %s",
                                self.lease.job_id, exc)  # fmt: skip
                    overdue = True
                    connection.close()
                    connection.set_tenant(self.tenant)
        finally:
            connections.close_all()

    def _look(self) -> bool:
        """Whether the stage must stop (canceled, or the lease went elsewhere). A row this
        connection cannot see says nothing either way (jobs are never deleted while active)."""
        row = (
            RecapJob.objects.filter(pk=self.lease.job_id)
            .values_list("state", "lease_token")
            .first()
        )
        if row is None:
            return False
        if row[0] == JobState.CANCELED:
            self.canceled = True
        elif row[1] != self.lease.token or row[0] != self.lease.state:
            self.lost = True
        else:
            return False
        self.stop.set()
        return True

    def end(self) -> None:
        self.finished.set()
        self.join(timeout=5)
