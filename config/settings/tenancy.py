"""Tenancy: the product's domain, how organisations are addressed, and django-tenants' wiring."""

from __future__ import annotations

from .base import PRODUCTION, env

# The product's own domain; tenants live on <slug>.BASE_DOMAIN or under /t/<slug>/.
BASE_DOMAIN = env.str("BASE_DOMAIN", default="localhost")
# Port and scheme used when building absolute links (emails, the move to a tenant subdomain).
SITE_SCHEME = env.str("SITE_SCHEME", default="https" if PRODUCTION else "http")
SITE_PORT = env.str("SITE_PORT", default="" if PRODUCTION else "8000")
# "subdomain" sends people to <slug>.BASE_DOMAIN; "path" to BASE_DOMAIN/t/<slug>/ (no wildcard DNS).
TENANT_URL_MODE = env.str("TENANT_URL_MODE", default="subdomain")

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
# New schemas run the tenant migrations (~0.3 s today). Cloning the migrated template schema
# instead is one switch away for when migrations grow; see docs/decisions/0002.
TENANT_CREATION_FAKES_MIGRATIONS = env.bool("TENANT_CLONE_TEMPLATE", default=False)
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_SUBFOLDER_PREFIX = None
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
