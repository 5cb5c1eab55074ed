"""Writes on organisations: signup, status changes; each in one transaction with its audit row."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User
from billing.models import Plan
from compliance.services import record_event

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
    acting_user: User | None = None,
) -> Tenant:
    """Create an organisation, its schema (cloned from the template) and its primary domain."""
    slug = validate_slug(slug)
    with transaction.atomic():
        tenant = Tenant(
            schema_name=schema_for_slug(slug),
            slug=slug,
            name=name.strip(),
            region=region,
            default_language=default_language,
            plan=plan or default_plan(),
        )
        tenant.save(verbosity=0)
        Domain.objects.create(
            domain=f"{slug}.{settings.BASE_DOMAIN}", tenant=tenant, is_primary=True
        )
        record_event(
            action="tenant.created",
            actor=acting_user,
            tenant=tenant,
            target=slug,
            data={"region": region, "plan": tenant.plan.code if tenant.plan else None},
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
) -> tuple[Tenant, User]:
    """A visitor creates an organisation and becomes its owner."""
    with transaction.atomic():
        if existing_user is not None:
            owner = existing_user
        else:
            owner = User.objects.create_user(
                owner_email, owner_password, full_name=owner_name.strip(), language=language
            )
        tenant = create_tenant(
            slug=slug, name=name, region=region, default_language=language, acting_user=owner
        )
        Membership.objects.create(user=owner, tenant=tenant, role=Role.OWNER)
        record_event(
            action="member.joined",
            actor=owner,
            tenant=tenant,
            target=owner.email,
            data={"role": Role.OWNER},
        )
    return tenant, owner


def set_tenant_status(*, tenant: Tenant, status: str, acting_user: User | None) -> Tenant:
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
            data={"from": previous, "to": status},
        )
    return tenant


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
