"""A worker killed right after the publish transaction committed, while it tells the person by
email (the mail server never answers, so the kill lands at a known instant after the commit):
the recap is out once, charged once, announced once, and nothing is left behind."""

from __future__ import annotations

import os
import signal
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from media_pipeline import services
from media_pipeline.models import JobState
from tests.webhooks import receiver as receivers
from tests.worker import celery_worker, wait_for
from webhooks import services as webhooks
from webhooks.models import WebhookDelivery
from webhooks.tasks import queue_overdue_deliveries

from .checks import (
    add_movie,
    assert_published_once,
    ffmpeg_left,
    job_row,
    pool_children,
    stray_files,
)
from .harness import Beat, worker_env
from .servers import SmtpSink

pytestmark = pytest.mark.worker


@pytest.fixture
def mail_server():
    sink = SmtpSink(hang=True)
    yield sink
    sink.close()


@pytest.fixture
def integrator(tenant, owner, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    rx = receivers.start(receivers.Receiver())
    with tenant_context(tenant):
        endpoint = webhooks.create_endpoint(
            url=rx.url, events=["recap.completed"], acting_user=owner
        )
    rx.secret = endpoint.secret
    yield rx
    rx.server.shutdown()


def test_a_worker_killed_right_after_the_publish_commit_published_once(
    tenant, owner, movie_file, folders, mail_server, integrator
):
    env = worker_env(folders, WEBHOOKS_ALLOW_PRIVATE_TARGETS="1", **mail_server.env())
    path, duration = movie_file
    movie = add_movie(tenant, owner, path, duration=duration)
    with celery_worker(pool="prefork", concurrency=1, extra_env=env) as worker:
        with tenant_context(tenant):
            job = services.start_recap_job(
                movie=movie, target="auto", language="en", acting_user=owner
            )
        # The email is sent once the move to done has committed: the worker is in there now.
        assert mail_server.connected.wait(90), "the recap email was never sent"
        [child] = pool_children(worker.pid)
        os.kill(child, signal.SIGKILL)
        assert job_row(tenant, job.pk)["state"] == JobState.DONE

        with Beat():
            # A minute later the overdue-deliveries sweep finds the delivery if its message was
            # never sent (the worker died before that part of the commit's follow-up).
            with tenant_context(tenant):
                WebhookDelivery.objects.update(
                    next_attempt_at=timezone.now() - timedelta(minutes=2)
                )
            queue_overdue_deliveries()
            [delivery] = integrator.wait_for(1, seconds=60)
            # The recovery sweep removes the work folder the killed worker never got to.
            wait_for(lambda: not stray_files(tenant, folders["media"], folders["work"]), 10,
                     "the sweep to tidy up")  # fmt: skip
        assert worker.poll() is None

    assert_published_once(tenant, job.pk)
    assert delivery.signature_ok and delivery.json["type"] == "recap.completed"
    assert delivery.json["data"]["job"]["id"] == job.pk
    assert len(integrator.requests) == 1
    with tenant_context(tenant):
        assert WebhookDelivery.objects.count() == 1
    assert stray_files(tenant, folders["media"], folders["work"]) == []
    assert ffmpeg_left(folders["root"]) == []
