"""What every failure scenario checks afterwards, and how it watches a job while it runs:
one recap that decodes completely, usage charged once, no stray file, no ffmpeg left."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

from django.core.files import File
from django_tenants.utils import tenant_context

from billing.models import UsageRecord
from compliance.models import AuditEvent
from media_pipeline.models import Movie, MovieStatus, Recap, RecapJob, SubtitleTrack
from media_pipeline.pipeline import ffmpeg
from tests.media_pipeline.pipeline.processes import running_ffmpeg

FPS = 25.0  # bench.synth's frame rate, kept by the render


def add_movie(tenant: object, owner: object, path: Path, *, duration: float) -> Movie:
    """A stored, checked movie, as an upload leaves it."""
    with tenant_context(tenant):
        movie = Movie(title="Storm", uploader=owner, duration=duration, status=MovieStatus.READY)
        with open(path, "rb") as handle:
            movie.file.save(path.name, File(handle), save=True)
        movie.size_bytes = movie.file.size
        movie.save(update_fields=["size_bytes"])
        return movie


def job_row(tenant: object, job_id: int) -> dict:
    with tenant_context(tenant):
        return RecapJob.objects.filter(pk=job_id).values().get()


def leased_in(tenant: object, job_id: int, *states: str) -> dict | None:
    """The job's row once a worker holds the lease of one of `states`."""
    row = job_row(tenant, job_id)
    return row if row["state"] in states and row["lease_owner"] else None


def owner_pid(lease_owner: str) -> int:
    """The process that holds a lease (`host:pid:suffix`, see recap_jobs.lease.worker_id)."""
    return int(lease_owner.split(":")[1])


def parent_pid(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as handle:
        return int(handle.read().rsplit(")", 1)[1].split()[1])


def encoding(folder: Path) -> list[int]:
    """The recap encode of a job whose files are under `folder`."""
    return running_ffmpeg(str(folder), "libx264")


def ffmpeg_left(folder: Path) -> list[int]:
    return running_ffmpeg(str(folder))


class JobWatch(threading.Thread):
    """Looks at a job every 0.1 s while a scenario runs: each take of a stage (state, lease
    owner, token), and every recap encode (ffmpeg pid) that ran for it. Outages are sat out."""

    def __init__(self, tenant: object, job_id: int, folder: Path) -> None:
        super().__init__(daemon=True)
        self.tenant, self.job_id, self.folder = tenant, job_id, folder
        self.leases: list[tuple[str, str, str]] = []
        self.encodes: set[int] = set()
        self._done = threading.Event()

    def run(self) -> None:
        from django.db import connection

        try:
            while not self._done.wait(0.1):
                self.encodes.update(encoding(self.folder))
                try:
                    row = job_row(self.tenant, self.job_id)
                except Exception:  # the database is down for the scenario: look again later
                    connection.close()
                    continue
                # A take is a token; a suspicion of the sweep marks the owner, not a new take.
                taken = {(state, token) for state, _owner, token in self.leases}
                if row["lease_token"] and (row["state"], row["lease_token"]) not in taken:
                    self.leases.append((row["state"], row["lease_owner"], row["lease_token"]))
        finally:
            connection.close()

    def takes_of(self, state: str) -> list[tuple[str, str]]:
        return [(owner, token) for seen, owner, token in self.leases if seen == state]

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=5)


def decoded_frames(path: str) -> tuple[int, int]:
    """Decode every frame of `path` independently of the product's own check: ffmpeg stops at
    the first error (`-xerror`). The number of video and audio frames."""
    done = subprocess.run(
        [
            ffmpeg.binary(), "-v", "error", "-xerror", "-i", f"file:{path}",
            "-map", "0:v:0", "-map", "0:a:0", "-f", "framecrc", "-",
        ],
        capture_output=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0 and not done.stderr, done.stderr.decode()[-2000:]
    lines = [line for line in done.stdout.decode().splitlines() if not line.startswith("#")]
    video = sum(1 for line in lines if line.startswith("0,"))
    return video, len(lines) - video


def assert_published_once(tenant: object, job_id: int) -> Recap:
    """Done, one Recap that decodes to its last frame, processing and storage charged once,
    one `recap.completed` audit row."""
    with tenant_context(tenant):
        job = RecapJob.objects.select_related("movie").get(pk=job_id)
        assert job.state == "done", (job.state, job.failure_code, job.failure_reason)
        [recap] = Recap.objects.filter(movie=job.movie)
        assert recap.job_id == job.pk
        assert Movie.objects.get(pk=job.movie_id).status == MovieStatus.DONE
        video, audio = decoded_frames(recap.video.path)
        assert abs(video - recap.duration * FPS) <= 2, (video, recap.duration)
        assert audio > 0
        size = sum(os.path.getsize(getattr(recap, f).path) for f in Recap.FILE_FIELDS
                   if getattr(recap, f))  # fmt: skip
    charged = ledger(tenant)
    assert charged.count(("processing_seconds", f"job:{job_id}", job.movie.duration)) == 1
    assert [row for row in charged if row[1] == f"recap:{recap.pk}"] == [
        ("storage_bytes", f"recap:{recap.pk}", size)
    ]
    completed = AuditEvent.objects.filter(tenant=tenant, action="recap.completed", data__job=job_id)
    assert completed.count() == 1
    return recap


def ledger(tenant: object) -> list[tuple[str, str, float]]:
    """The organisation's usage rows of processing and of recap storage (uploads aside)."""
    rows = UsageRecord.objects.filter(tenant=tenant).exclude(reference__startswith="movie:")
    return sorted(rows.values_list("kind", "reference", "quantity"))


def stray_files(tenant: object, media_root: Path, work_root: Path) -> list[str]:
    """Files in the organisation's storage that no movie, subtitle track or recap names, and
    anything left in its jobs' work folders."""
    schema = tenant.schema_name
    with tenant_context(tenant):
        named = {movie.file.name for movie in Movie.objects.all()}
        named |= {track.file.name for track in SubtitleTrack.objects.all()}
        for recap in Recap.objects.all():
            named |= {getattr(recap, f).name for f in Recap.FILE_FIELDS if getattr(recap, f)}
    stored = _files_under(media_root / "tenants" / schema)
    stray = sorted(str(p) for p in stored if str(p.relative_to(media_root)) not in named)
    return stray + sorted(str(p) for p in _files_under(work_root / "jobs" / schema))


def _files_under(folder: Path) -> list[Path]:
    return [Path(root) / name for root, _dirs, names in os.walk(folder) for name in names]


def wait_until_gone(pids: list[int] | set[int], within: float) -> float | None:
    """Seconds until none of `pids` runs any more, or None if one still runs after `within`."""
    from tests.media_pipeline.pipeline.processes import is_gone

    start = time.monotonic()
    while time.monotonic() - start < within:
        if all(is_gone(pid) for pid in pids):
            return time.monotonic() - start
        time.sleep(0.02)
    return None


def pool_children(worker_pid: int) -> list[int]:
    """The pool processes of a prefork worker."""
    children = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if parent_pid(int(name)) == worker_pid:
                    children.append(int(name))
            except (OSError, IndexError, ValueError):
                continue
    return children
