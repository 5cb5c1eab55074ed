"""Both admin sites, in one place: the platform console on the product's own domain, and the
console staff see on an organisation's own host (that organisation's data only). The apps
define their ModelAdmins; the sites and what each one shows are decided here."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from accounts import attempts
from accounts.admin import InvitationAdmin, MembershipAdmin, UserAdmin
from accounts.models import Invitation, Membership, User
from billing.admin import InvoiceAdmin, PlanAdmin, StripeEventAdmin, SubscriptionAdmin
from billing.models import Invoice, Plan, StripeEvent, Subscription
from compliance.admin import AuditEventAdmin
from compliance.models import AuditEvent
from media_pipeline.admin import MovieAdmin, RecapAdmin, RecapJobAdmin
from media_pipeline.models import Movie, Recap, RecapJob
from tenants.admin import DomainAdmin, TenantAdmin
from tenants.models import Domain, Tenant
from webhooks.admin import WebhookDeliveryAdmin, WebhookEndpointAdmin
from webhooks.models import WebhookDelivery, WebhookEndpoint


class LimitedSignInSite(admin.AdminSite):
    """The admin's sign-in counts against the same attempts as every other way in."""

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        def sign_in_page(request: HttpRequest) -> HttpResponse:
            return super(LimitedSignInSite, self).login(request, extra_context)

        return attempts.limited()(sign_in_page)(request)


class PlatformAdminSite(LimitedSignInSite):
    site_header = _("Movie Recap platform")
    site_title = _("Movie Recap platform")
    index_title = _("Operations")


class TenantAdminSite(LimitedSignInSite):
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
