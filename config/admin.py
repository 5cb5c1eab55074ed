"""Both admin sites, in one place: the platform console on the product's own domain, and the
console staff see on an organisation's own host (that organisation's data only). The apps
define their ModelAdmins; the sites and what each one shows are decided here."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from accounts import two_factor
from accounts.admin import InvitationAdmin, MembershipAdmin, UserAdmin
from accounts.entry import verified_device_id
from accounts.models import Invitation, Membership, User
from billing.admin import InvoiceAdmin, PlanAdmin, StripeEventAdmin, SubscriptionAdmin
from billing.models import Invoice, Plan, StripeEvent, Subscription
from compliance.admin import AuditEventAdmin, SecurityEventAdmin
from compliance.models import AuditEvent, SecurityEvent
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


class TwoFactorAdminSite(admin.AdminSite):
    """Staff reach the admin only from a session that passed two-factor sign-in with a device
    they still have (django-otp's OTPAdminSite rule). Signing in goes through the product's own
    sign-in and its second step; staff without an authenticator are sent to set one up."""

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        device_id = verified_device_id(request)
        device = Device.from_persistent_id(device_id) if device_id else None
        return device is not None and device.user_id == request.user.pk and device.confirmed

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        target = request.GET.get("next") or reverse(f"{self.name}:index")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse(f"{self.name}:index")
        user = request.user
        if self.has_permission(request):
            return HttpResponseRedirect(target)
        if user.is_authenticated and user.is_active and user.is_staff:
            if two_factor.has_two_factor(user):
                step = reverse("accounts:two_factor")
            else:
                messages.info(
                    request,
                    gettext("The admin requires two-factor authentication. Set it up to go on."),
                )
                step = reverse("accounts:security")
            return HttpResponseRedirect(f"{step}?next={quote(target)}")
        return HttpResponseRedirect(f"{reverse('accounts:login')}?next={quote(target)}")


class PlatformAdminSite(TwoFactorAdminSite):
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


class TenantAdminSite(TwoFactorAdminSite):
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
    (SecurityEvent, SecurityEventAdmin),
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
