"""Writes on organisations: signup, status changes; each in one transaction with its audit row."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from accounts import access
from accounts import services as account_services
from accounts.models import User
from billing import services as billing_services
from billing.currencies import currency_for_signup
from billing.models import Plan
from compliance.services import field_changes, record_event

from .models import Domain, Region, Tenant, TenantStatus

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
# Names that are, or may one day be, the product's own hosts and paths.
RESERVED_SLUGS = frozenset(
    {
        "www",
        "admin",
        "api",
        "app",
        "public",
        "static",
        "media",
        "mail",
        "email",
        "smtp",
        "ftp",
        "help",
        "support",
        "status",
        "docs",
        "blog",
        "billing",
        "auth",
        "login",
        "signup",
        "account",
        "accounts",
        "dashboard",
        "health",
        "cdn",
        "assets",
        "dev",
        "test",
        "staging",
        "demo-template",
        "tenant-template",
        "root",
        "system",
        "postgres",
        "information-schema",
    }
)


def validate_slug(slug: str) -> str:
    """Return the slug if it can name a new organisation; raise ValidationError otherwise."""
    slug = slug.strip().lower()
    if not SLUG_PATTERN.match(slug) or "--" in slug:
        raise ValidationError(
            _(
                "Use 3 to 40 lowercase letters, digits and single hyphens, starting with a "
                "letter and not ending with a hyphen."
            ),
            code="invalid",
        )
    if slug in RESERVED_SLUGS or slug.startswith("pg-"):
        raise ValidationError(_("This address is reserved. Choose another one."), code="reserved")
    if Tenant.objects.filter(slug=slug).exists():
        raise ValidationError(_("This address is already taken."), code="taken")
    return slug


def schema_for_slug(slug: str) -> str:
    return "t_" + slug.replace("-", "_")


def default_plan() -> Plan | None:
    return Plan.objects.filter(code="free").first()


def create_tenant(
    *,
    slug: str,
    name: str,
    region: str = Region.EU_WEST_1,
    default_language: str = "en",
    plan: Plan | None = None,
    currency: str | None = None,
    acting_user: User | None = None,
) -> Tenant:
    """Create an organisation, its schema (cloned from the template) and its primary domain.
    Without a `currency`, the region's and the language's decide (billing.currencies)."""
    slug = validate_slug(slug)
    currency = currency or currency_for_signup(region=region, language=default_language)
    with transaction.atomic():
        tenant = Tenant(
            schema_name=schema_for_slug(slug),
            slug=slug,
            name=name.strip(),
            region=region,
            default_language=default_language,
            currency=currency,
            plan=plan or default_plan(),
        )
        tenant.save(verbosity=0)
        Domain.objects.create(
            domain=f"{slug}.{settings.BASE_DOMAIN}", tenant=tenant, is_primary=True
        )
        billing_services.subscription_of(tenant)
        record_event(
            action="tenant.created",
            actor=acting_user,
            tenant=tenant,
            target=slug,
            data={
                "region": region,
                "currency": currency,
                "plan": tenant.plan.code if tenant.plan else None,
            },
        )
    return tenant


def signup_tenant(
    *,
    slug: str,
    name: str,
    owner_email: str,
    owner_password: str | None,
    owner_name: str = "",
    language: str = "en",
    region: str = Region.EU_WEST_1,
    existing_user: User | None = None,
    accept_language: str = "",
) -> tuple[Tenant, User]:
    """A visitor creates an organisation and becomes its owner; it is billed in the currency
    of the browser's country, else of its language, else of the data region."""
    with transaction.atomic():
        if existing_user is not None:
            owner = existing_user
        else:
            owner = User.objects.create_user(
                owner_email, owner_password, full_name=owner_name.strip(), language=language
            )
        currency = currency_for_signup(
            region=region, accept_language=accept_language, language=language
        )
        tenant = create_tenant(
            slug=slug,
            name=name,
            region=region,
            default_language=language,
            currency=currency,
            acting_user=owner,
        )
        account_services.make_first_owner(user=owner, tenant=tenant)
    return tenant, owner


def set_tenant_status(
    *, tenant: Tenant, status: str, acting_user: User | None, reason: str = ""
) -> Tenant:
    if acting_user is not None:
        access.require_staff(user=acting_user)
    if status not in TenantStatus.values:
        raise ValidationError(_("Unknown status."), code="invalid")
    with transaction.atomic():
        previous = tenant.status
        tenant.status = status
        tenant.save(update_fields=["status"])
        record_event(
            action="tenant.status_changed",
            actor=acting_user,
            tenant=tenant,
            target=tenant.slug,
            data={"from": previous, "to": status, **({"reason": reason} if reason else {})},
        )
    return tenant


# The name typed on the settings page is the fallback every language without its own name shows.
BASE_NAME_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
NAME_MAX_LENGTH = Tenant._meta.get_field("name").max_length


def settings_refusal() -> str:
    return _("Only owners and admins can change the organisation's settings.")


def can_change_settings(*, tenant: Tenant, user: User) -> bool:
    """Owners and admins of the organisation (and staff) may change its settings."""
    return access.holds_role(user=user, tenant=tenant, roles=access.MANAGER_ROLES)


def _clean_name(value: str) -> str:
    value = " ".join(value.split())
    if len(value) > NAME_MAX_LENGTH:
        raise ValidationError(
            _("Keep the name under %(limit)d characters.") % {"limit": NAME_MAX_LENGTH},
            code="too_long",
        )
    return value


def update_tenant_settings(
    *,
    tenant: Tenant,
    name: str,
    default_language: str,
    acting_user: User,
    translated_names: Mapping[str, str] | None = None,
) -> Tenant:
    """Rename the organisation and set its default language; `translated_names` maps other
    language codes to the name shown in that language (empty: fall back to `name`)."""
    access.require_role(
        user=acting_user, tenant=tenant, roles=access.MANAGER_ROLES, message=settings_refusal()
    )
    name = _clean_name(name)
    if not name:
        raise ValidationError(_("Enter the organisation's name."), code="required")
    if default_language not in settings.LANGUAGE_CODES:
        raise ValidationError(_("Choose one of the offered languages."), code="invalid_language")
    names = {}
    for code, value in (translated_names or {}).items():
        if code not in settings.LANGUAGE_CODES or code == BASE_NAME_LANGUAGE:
            raise ValidationError(
                _("Choose one of the offered languages."), code="invalid_language"
            )
        names[build_localized_fieldname("name", code)] = _clean_name(value) or None

    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        base_field = build_localized_fieldname("name", BASE_NAME_LANGUAGE)
        fields = [base_field, *names, "default_language"]
        before = {field: getattr(locked, field) for field in fields}
        # Assigning `name` writes the column of the active language: pin it to the base one.
        with translation.override(BASE_NAME_LANGUAGE):
            locked.name = name
        for field, value in names.items():
            setattr(locked, field, value)
        locked.default_language = default_language
        changed = field_changes(before, locked, fields)
        locked.save(update_fields=["name", *fields])
        record_event(
            action="tenant.settings_changed",
            actor=acting_user,
            tenant=locked,
            target=locked.slug,
            data=changed,
        )
    return locked


def ensure_public_tenant() -> Tenant:
    """The row django-tenants needs for the product's own domain (public schema)."""
    tenant, _created = Tenant.objects.get_or_create(
        schema_name="public",
        defaults={"slug": "public", "name": "Movie Recap"},
    )
    Domain.objects.get_or_create(
        domain=settings.BASE_DOMAIN, defaults={"tenant": tenant, "is_primary": True}
    )
    return tenant
