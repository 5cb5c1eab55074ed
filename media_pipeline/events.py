"""Domain events of movies and recap jobs, published inside the transaction that made them
true. Webhooks and notifications subscribe in their AppConfig.ready(); this app never imports
its subscribers. A receiver that needs to act outside the database uses on_commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.dispatch import Signal

# One signal for every event; receivers connect with `sender=<event class>`.
published = Signal()


@dataclass(frozen=True)
class MovieUploaded:
    tenant: Any
    movie_id: int


@dataclass(frozen=True)
class JobMoved:
    """A recap job changed state (the transition service sends one per transition)."""

    tenant: Any
    job_id: int
    movie_id: int
    previous: str
    state: str
    acting_user_id: int | None = None


def publish(event: object) -> None:
    published.send(sender=type(event), event=event)


def current_tenant() -> Any:
    return connection.tenant
