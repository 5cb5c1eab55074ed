"""The periodic sweeps run on the `maintenance` queue, which every way of running the product
serves with a worker of its own, so recovering a stalled job never waits behind a render.
"""

from __future__ import annotations

import shlex
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from accounts import services
from accounts.models import Invitation
from config.celery import app
from tests import factories
from tests.worker import celery_worker, wait_for

ROOT = Path(__file__).resolve().parent.parent.parent
SWEEPS = {
    "media_pipeline.tasks.recover_stalled_jobs",
    "media_pipeline.tasks.discard_stale_uploads",
    "api.tasks.purge_idempotency_records",
    "api.tasks.purge_token_families",
    "webhooks.tasks.queue_overdue_deliveries",
    "accounts.tasks.expire_invitations",
    "billing.tasks.flush_api_calls",
    "billing.tasks.suspend_overdue",
    "billing.tasks.report_overage",
}
ALL_QUEUES = {"default", "video", "maintenance"}


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def worker_queues(command: list[str]) -> set[str] | None:
    """The queues a `celery worker` command consumes, or None for any other command."""
    if "celery" not in command or "worker" not in command:
        return None
    return set(command[command.index("--queues") + 1].split(","))


def procfile_workers() -> list[set[str]]:
    found = []
    for line in (ROOT / "Procfile").read_text().splitlines():
        _name, _colon, command = line.partition(":")
        found.append(worker_queues(shlex.split(command)))
    return [queues for queues in found if queues is not None]


def compose_workers() -> list[set[str]]:
    services_ = yaml.safe_load((ROOT / "deploy/docker-compose.yml").read_text())["services"]
    commands = [shlex.split(s["command"]) for s in services_.values() if "command" in s]
    return [q for q in map(worker_queues, commands) if q is not None]


def kubernetes_workers() -> list[set[str]]:
    documents = yaml.safe_load_all((ROOT / "deploy/k8s/app.yaml").read_text())
    commands = [
        container.get("command", [])
        for doc in documents
        if doc["kind"] == "Deployment"
        for container in doc["spec"]["template"]["spec"]["containers"]
    ]
    return [q for q in map(worker_queues, commands) if q is not None]


def test_every_sweep_in_the_beat_schedule_goes_to_the_maintenance_queue():
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled == SWEEPS
    assert {queue_of(name) for name in SWEEPS} == {"maintenance"}


def test_stages_stay_on_video_and_other_tasks_on_default():
    assert queue_of("media_pipeline.tasks.run_stage") == "video"
    assert queue_of("webhooks.tasks.deliver") == "default"
    assert queue_of("media_pipeline.tasks.verify_movie_checksum") == "default"


@pytest.mark.parametrize("workers", [procfile_workers, compose_workers, kubernetes_workers])
def test_each_deployment_has_a_worker_for_the_sweeps_alone(workers):
    found = workers()
    assert ALL_QUEUES in found, "the main worker serves every queue"
    assert {"maintenance"} in found, "a small worker serves the sweeps alone"
    assert set().union(*found) == ALL_QUEUES


@pytest.fixture
def tenant(transactional_db):
    factories.ensure_platform()
    tenant = factories.make_tenant("sweeps")
    yield tenant
    tenant.delete(force_drop=True)


@pytest.mark.worker
def test_a_worker_on_the_maintenance_queue_alone_runs_a_scheduled_sweep(tenant):
    owner = factories.make_member(tenant, "owner@sweeps.example", role="owner")
    invitation = services.invite_member(
        tenant=tenant,
        email="late@sweeps.example",
        role="member",
        acting_user=owner,
        accept_url_base="x/",
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    # As beat sends it: by name, routed by the settings.
    app.send_task("accounts.tasks.expire_invitations")

    def expired() -> bool:
        return Invitation.objects.get(pk=invitation.pk).status == "expired"

    with celery_worker(queues="maintenance") as worker:
        wait_for(expired, 60, "the sweep to expire the invitation")
        assert worker.poll() is None
