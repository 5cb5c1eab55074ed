"""Writes to the audit trail; called by services inside their own transaction."""

from __future__ import annotations

from typing import Any

from .models import AuditEvent


def field_changes(before: dict[str, Any], after: Any, fields: Any) -> dict[str, dict[str, Any]]:
    """{field: {"from", "to"}} for each of `fields` whose value in `before` differs from the one
    `after` (a model instance) holds now: the data of a "changed" audit event."""
    return {
        field: {"from": before[field], "to": getattr(after, field)}
        for field in fields
        if before[field] != getattr(after, field)
    }


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
