from django.apps import AppConfig
from django.db.models import signals
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        # Every write of an organisation or a domain forgets what tenant resolution cached.
        from accounts import access
        from billing.models import Plan

        from . import resolution, standing, views
        from .models import Domain, Tenant, TenantSecurityPolicy

        for signal, receiver, sender in (
            (signals.pre_save, resolution.tenant_changing, Tenant),
            (signals.post_save, resolution.tenant_changed, Tenant),
            (signals.post_delete, resolution.tenant_changed, Tenant),
            (signals.pre_save, resolution.domain_changing, Domain),
            (signals.post_save, resolution.domain_changed, Domain),
            (signals.post_delete, resolution.domain_changed, Domain),
            # And of a plan, the landing page's cards.
            (signals.post_save, views.forget_landing_plans, Plan),
            (signals.post_delete, views.forget_landing_plans, Plan),
            # And of a security policy, whether the access layer demands two-factor sign-in.
            (signals.post_save, access.policy_changed, TenantSecurityPolicy),
            (signals.post_delete, access.policy_changed, TenantSecurityPolicy),
        ):
            signal.connect(receiver, sender=sender, dispatch_uid=f"tenants.{receiver.__name__}")
        standing.subscribe()
