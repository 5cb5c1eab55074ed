"""Domain events of billing, published inside the transaction that made them true: a usage
limit crossed (webhooks and the owners' email subscribe) and a change of the organisation's
payment standing (tenants subscribes and sets the organisation's status). This app never
imports its subscribers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

# One signal for every billing event; receivers connect with `sender=<event class>`.
published = Signal()


@dataclass(frozen=True)
class QuotaThresholdReached:
    """`percent` is the alert's threshold (80 or 100); sent once per month and kind."""

    tenant: Any
    kind: str
    percent: int
    used: float
    limit: float

    @property
    def exceeded(self) -> bool:
        return self.percent >= 100


class Standing:
    """What the organisation's status should become after a payment event."""

    ACTIVE = "active"
    PAST_DUE = "past_due"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class StandingChanged:
    tenant: Any
    standing: str
    reason: str


def publish(event: object) -> None:
    published.send(sender=type(event), event=event)
