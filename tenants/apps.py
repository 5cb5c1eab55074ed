from django.apps import AppConfig
from django.db.models import signals
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        # Every write of an organisation or a domain forgets what tenant resolution cached.
        from django.contrib.auth import signals as auth_signals

        from accounts import access, attempts
        from accounts.models import Membership, User
        from billing.models import Plan

        from . import resolution, security, sessions, standing, suspicious, views
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
            # Sessions: every one ends with a new password, or a removal from an organisation.
            (signals.pre_save, sessions.person_saving, User),
            (signals.post_save, sessions.person_saved, User),
            (signals.post_delete, sessions.membership_removed, Membership),
            # And of a plan, the landing page's cards.
            (signals.post_save, views.forget_landing_plans, Plan),
            (signals.post_delete, views.forget_landing_plans, Plan),
            # And of a security policy, whether the access layer demands two-factor sign-in.
            (signals.post_save, access.policy_changed, TenantSecurityPolicy),
            (signals.post_delete, access.policy_changed, TenantSecurityPolicy),
        ):
            signal.connect(
                receiver, sender=sender, dispatch_uid=f"{receiver.__module__}.{receiver.__name__}"
            )
        attempts.account_locked.connect(suspicious.account_locked, dispatch_uid="tenants.locked")
        auth_signals.user_logged_in.connect(sessions.signed_in, dispatch_uid="tenants.signed_in")
        auth_signals.user_logged_out.connect(sessions.signed_out, dispatch_uid="tenants.signed_out")
        standing.subscribe()
