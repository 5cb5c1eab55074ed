from django.apps import AppConfig
from django.db.models import signals
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        # Every write of an organisation or a domain forgets what tenant resolution cached.
        from billing.models import Plan

        from . import resolution, security, standing, views
        from .models import Domain, Tenant, TenantSecurityPolicy

        for signal, receiver, sender in (
            (signals.pre_save, resolution.tenant_changing, Tenant),
            (signals.post_save, resolution.tenant_changed, Tenant),
            (signals.post_delete, resolution.tenant_changed, Tenant),
            (signals.pre_save, resolution.domain_changing, Domain),
            (signals.post_save, resolution.domain_changed, Domain),
            (signals.post_delete, resolution.domain_changed, Domain),
            # And of a security policy, its cached rules.
            (signals.post_save, security.policy_changed, TenantSecurityPolicy),
            (signals.post_delete, security.policy_changed, TenantSecurityPolicy),
            # And of a plan, the landing page's cards.
            (signals.post_save, views.forget_landing_plans, Plan),
            (signals.post_delete, views.forget_landing_plans, Plan),
        ):
            signal.connect(receiver, sender=sender, dispatch_uid=f"tenants.{receiver.__name__}")
        standing.subscribe()
