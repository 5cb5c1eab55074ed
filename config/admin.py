"""Both admin sites, in one place: the platform console on the product's own domain, and the
console staff see on an organisation's own host (that organisation's data only). The apps
define their ModelAdmins; the sites and what each one shows are decided here."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

from accounts.admin import InvitationAdmin, MembershipAdmin, UserAdmin
from accounts.models import Invitation, Membership, User
from billing.admin import InvoiceAdmin, PlanAdmin, StripeEventAdmin, SubscriptionAdmin
from billing.models import Invoice, Plan, StripeEvent, Subscription
from compliance.admin import AuditEventAdmin
from compliance.models import AuditEvent
from media_pipeline.admin import (
    MovieAdmin,
    RecapAdmin,
    RecapJobAdmin,
    job_action_view,
    job_queue_view,
)
from media_pipeline.models import Movie, Recap, RecapJob
from tenants.admin import DomainAdmin, TenantAdmin
from tenants.models import Domain, Tenant
from webhooks.admin import WebhookDeliveryAdmin, WebhookEndpointAdmin
from webhooks.models import WebhookDelivery, WebhookEndpoint


class PlatformAdminSite(admin.AdminSite):
    site_header = _("Movie Recap platform")
    site_title = _("Movie Recap platform")
    index_title = _("Operations")
    # Django's index with, first, the operations that span every organisation.
    index_template = "admin/platform_index.html"

    def get_urls(self) -> list:
        def on_site(view):
            return self.admin_view(lambda request: view(request, self))

        return [
            path("jobs/", on_site(job_queue_view), name="job_queue"),
            path("jobs/act/", on_site(job_action_view), name="job_action"),
            *super().get_urls(),
        ]


class TenantAdminSite(admin.AdminSite):
    site_header = _("Movie Recap organisation console")
    site_title = _("Organisation console")
    index_title = _("This organisation's data")


platform_admin = PlatformAdminSite(name="platform_admin")
tenant_admin = TenantAdminSite(name="tenant_admin")

for model, model_admin in (
    (Tenant, TenantAdmin),
    (Domain, DomainAdmin),
    (User, UserAdmin),
    (Membership, MembershipAdmin),
    (Invitation, InvitationAdmin),
    (Plan, PlanAdmin),
    (Subscription, SubscriptionAdmin),
    (Invoice, InvoiceAdmin),
    (StripeEvent, StripeEventAdmin),
    (AuditEvent, AuditEventAdmin),
):
    platform_admin.register(model, model_admin)

for model, model_admin in (
    (Movie, MovieAdmin),
    (RecapJob, RecapJobAdmin),
    (Recap, RecapAdmin),
    (WebhookEndpoint, WebhookEndpointAdmin),
    (WebhookDelivery, WebhookDeliveryAdmin),
):
    tenant_admin.register(model, model_admin)
