"""An organisation's status follows its payment standing: billing publishes the change (a
failed payment, the grace period over, a paid invoice) and this sets the status through the
one service that writes it, in the same transaction. Subscribed in TenantsConfig.ready()."""

from __future__ import annotations

from typing import Any

from billing import events

from .models import Tenant, TenantStatus
from .services import set_tenant_status

STATUS_FOR = {
    events.Standing.ACTIVE: TenantStatus.ACTIVE,
    events.Standing.PAST_DUE: TenantStatus.PAST_DUE,
    events.Standing.SUSPENDED: TenantStatus.SUSPENDED,
}


def on_standing_changed(sender: type, event: events.StandingChanged, **kwargs: Any) -> None:
    tenant = Tenant.objects.select_for_update().get(pk=event.tenant.pk)
    status = STATUS_FOR[event.standing]
    if tenant.status != status:
        set_tenant_status(tenant=tenant, status=status, acting_user=None, reason=event.reason)
        event.tenant.status = status


def subscribe() -> None:
    events.published.connect(
        on_standing_changed, sender=events.StandingChanged, dispatch_uid="tenants.standing"
    )
