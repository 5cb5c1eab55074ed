"""Public-site pages (landing, signup) and the organisation's settings page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.entry import sign_in, tenant_entry_url
from billing.models import Plan
from web.client import client_place

from . import security, services
from .countries import country_name
from .forms import SecurityPolicyForm, SignupForm, TenantSettingsForm
from .models import OPEN_STATUSES, Tenant

# The landing page's plan cards, cached per language (they show no price, so no currency);
# the template's {% cache %} tag names the fragment so, and any change to a plan forgets it.
LANDING_PLANS = "landing-plans"
LANDING_PLANS_SECONDS = 600


@dataclass(frozen=True)
class ExampleRecap:
    """The landing page's example (static/examples/, made by our pipeline from an openly
    licensed film); its credit is the licence's wording, the same in every language."""

    film: str = "Tears of Steel"
    credit: str = "(c) Blender Foundation"
    credit_site: str = "www.blender.org"
    credit_url: str = "https://www.blender.org"
    licence: str = "CC BY 3.0"
    licence_url: str = "https://creativecommons.org/licenses/by/3.0/"


def landing(request: HttpRequest) -> HttpResponse:
    plans = Plan.objects.filter(is_public=True)  # lazy: read only when the fragment is cold
    context = {
        "plans": plans,
        "plans_seconds": LANDING_PLANS_SECONDS,
        "organisations": organisations_of(request),
        "example": ExampleRecap(),
    }
    return render(request, "tenants/landing.html", context)


def organisations_of(request: HttpRequest) -> list[tuple[Tenant, str]]:
    """The open organisations of a signed-in visitor, each with the link that enters it."""
    if not request.user.is_authenticated:
        return []
    tenants = Tenant.objects.filter(
        memberships__user=request.user, status__in=OPEN_STATUSES
    ).order_by("name")
    return [(tenant, tenant_entry_url(request, tenant, request.user)) for tenant in tenants]


def forget_landing_plans(**kwargs: Any) -> None:
    """Plan signal receiver (connected in TenantsConfig.ready()): every language's cards."""
    keys = [make_template_fragment_key(LANDING_PLANS, [code]) for code in settings.LANGUAGE_CODES]

    def drop() -> None:
        public = get_public_schema_name()
        with schema_context(public):
            cache.delete_many(keys)

    drop()
    if connection.in_atomic_block:
        transaction.on_commit(drop, robust=True)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tenant, owner = services.signup_tenant(
            slug=data["slug"],
            name=data["name"],
            region=data["region"],
            owner_email=data.get("email", ""),
            owner_password=data.get("password"),
            owner_name=data.get("full_name", ""),
            language=request.LANGUAGE_CODE,
            existing_user=form.user,
            accept_language=request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
        )
        if form.user is None:
            sign_in(request, owner)
        # No flash message: it would be stored on this host's session and in this request's
        # language, and shown later on the main site or on a page in another language. The
        # organisation's dashboard greets the owner in the language it is read in.
        return HttpResponseRedirect(tenant_entry_url(request, tenant, owner))
    return render(
        request, "tenants/signup.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def organisation_settings(request: HttpRequest) -> HttpResponse:
    """General settings (owners and admins) and the security policy (owners), one page; a
    POST carries one of the two forms."""
    if request.method == "POST" and request.POST.get("section") == "security":
        return _save_security_policy(request)
    tenant = request.tenant
    can_edit = services.can_change_settings(tenant=tenant, user=request.user)
    form = TenantSettingsForm(request.POST or None, tenant=tenant)
    status, refusal = 200, ""
    if request.method == "POST" and not can_edit:
        form = TenantSettingsForm(tenant=tenant)
        refusal, status = services.settings_refusal(), 403
    elif request.method == "POST" and form.is_valid():
        try:
            services.update_tenant_settings(
                tenant=tenant,
                name=form.cleaned_data["name"],
                default_language=form.cleaned_data["default_language"],
                translated_names=form.translated_names(),
                acting_user=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
            status = 400
        else:
            messages.success(request, _("The organisation's settings are saved."))
            return HttpResponseRedirect(reverse("tenant_settings"))
    elif request.method == "POST":
        status = 400
    return _settings_page(request, form=form, refusal=refusal, status=status)


def _settings_page(
    request: HttpRequest,
    *,
    form: TenantSettingsForm | None = None,
    security_form: SecurityPolicyForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    tenant = request.tenant
    form = form or TenantSettingsForm(tenant=tenant)
    policy = security.policy_of(tenant)
    can_edit_security = security.can_change_policy(tenant=tenant, user=request.user)
    if security_form is None and can_edit_security:
        security_form = SecurityPolicyForm(policy=policy)
    context = {
        "form": form,
        "can_edit": services.can_change_settings(tenant=tenant, user=request.user),
        "refusal": refusal,
        "default_language_name": dict(form.fields["default_language"].choices).get(
            tenant.default_language, tenant.default_language
        ),
        "policy": policy,
        "policy_countries": {
            field: [(code, country_name(code)) for code in getattr(policy, field)]
            for field in security.COUNTRY_FIELDS
        },
        "security_form": security_form,
        "can_edit_security": can_edit_security,
        "place": client_place(request),
    }
    return render(request, "tenants/settings.html", context, status=status)


def _save_security_policy(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant
    if not security.can_change_policy(tenant=tenant, user=request.user):
        return _settings_page(request, refusal=security.policy_refusal(), status=403)
    form = SecurityPolicyForm(request.POST, policy=security.policy_of(tenant))
    if form.is_valid():
        try:
            security.set_security_policy(
                tenant=tenant,
                changes=form.changes(),
                acting_user=request.user,
                editor_place=client_place(request),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The security policy is saved."))
            return HttpResponseRedirect(reverse("tenant_settings") + "#security-title")
    return _settings_page(request, security_form=form, status=400)


def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/terms.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/privacy.html")


def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/contact.html", {"support_email": settings.SUPPORT_EMAIL})
