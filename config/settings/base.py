"""Core settings: paths, the environment reader, debug and secret key, apps, middleware,
templates, database, cache and logging. Every other topic module builds on these names.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
RUN_DIR = BASE_DIR / ".run"

env = environ.Env()
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
DEVELOPMENT_SECRET_KEY = "development-only-key-not-for-production-use-0123456789abcdefghij"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="" if PRODUCTION else DEVELOPMENT_SECRET_KEY)
# Sessions, password-reset links and signed hand-offs all rest on this key: without the debug
# pages (any deployment reachable by others) the public development key or a short one is
# refused at start, whatever DJANGO_ENV says.
if (PRODUCTION or not DEBUG or "SECRET_KEY" in env) and (
    len(SECRET_KEY) < 50 or SECRET_KEY == DEVELOPMENT_SECRET_KEY
):
    raise ImproperlyConfigured("SECRET_KEY must be set to at least 50 random characters.")

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "accounts",
    "billing",
    "compliance",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Two-factor sign-in: authenticator apps (TOTP) and recovery codes, with the global users.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Must precede the admin so its translated-field widgets win.
    "modeltranslation",
    "django.contrib.admin",
    # The integrator API: no tables of their own, except the JWT blacklist, which sits with
    # the global users in public.
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "media_pipeline",
    "webhooks",
    # API keys and idempotency records belong to one organisation.
    "api",
]
INSTALLED_APPS = list(dict.fromkeys(SHARED_APPS + TENANT_APPS))

MIDDLEWARE = [
    "tenants.middleware.HealthCheckMiddleware",
    "web.errors.OutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (settings/security.py).
    "csp.middleware.CSPMiddleware",
    "web.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.middleware.TenantResolutionMiddleware",
    # Addresses blocked after a burst of refused requests (tenants/suspicious.py).
    "tenants.suspicious.SuspiciousActivityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # View hooks, in this order: who calls the API, then the membership check for everyone.
    "api.middleware.ApiCredentialMiddleware",
    "accounts.middleware.AccessMiddleware",
    # The organisation's security policy: networks, countries, session limits (decision 0021).
    "tenants.enforcement.SecurityPolicyMiddleware",
    # Counts the organisation's API calls for the usage ledger (billing.metering).
    "api.metering.ApiCallMeterMiddleware",
]

ROOT_URLCONF = "config.urls_tenant"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.tenant",
            ],
        },
    },
]

# Database: DATABASE_URL, or the embedded PostgreSQL that `make run` / `make test` start.
DATABASES = {"default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1/recap")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# A Unix socket directory arrives percent-encoded in the URL's host part.
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST") or "")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        # Django's Redis cache, reusing its client objects (see web/cache.py).
        "BACKEND": "web.cache.RedisCache",
        "LOCATION": REDIS_URL,
        # Keys carry the schema so one tenant never reads another's cache entries.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="recap"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"tenant_context": {"()": "django_tenants.log.TenantContextFilter"}},
    "formatters": {
        "tenant": {
            "format": "%(asctime)s %(levelname)s [%(schema_name)s:%(domain_url)s] "
            "%(name)s: %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["tenant_context"],
            "formatter": "tenant",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
