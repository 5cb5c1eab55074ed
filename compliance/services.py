"""Writes to the audit trail; called by services inside their own transaction."""

from __future__ import annotations

from typing import Any

from .models import AuditEvent


def record_event(
    *,
    action: str,
    actor: Any | None,
    tenant: Any | None = None,
    target: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    return AuditEvent.objects.create(
        tenant=tenant,
        actor_id=actor_id,
        action=action,
        target=target,
        data=data or {},
    )
