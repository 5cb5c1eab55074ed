"""Who may reach the site and how: hosts, sign-in, sessions, cookies and HTTPS headers."""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF

from .base import PRODUCTION, env
from .tenancy import BASE_DOMAIN, SITE_PORT

# Custom domains are allowed, so hosts are checked by tenant resolution against the Domain table.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS",
    default=[f"http://*.{BASE_DOMAIN}:{SITE_PORT}", f"http://{BASE_DOMAIN}:{SITE_PORT}"]
    if SITE_PORT
    else [],
)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)
# Seconds an API key or a member (person + role) stays in the shared cache; any change to the
# key, the membership or the person forgets it at once (docs/decisions/0019).
AUTH_CACHE_SECONDS = env.int("AUTH_CACHE_SECONDS", default=300)

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Liveness and readiness probes arrive by pod IP over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health(/.*)?$"]

# Where a request comes from (web.client): forwarding headers are believed only from our own
# proxies, named by network (TRUSTED_PROXIES) or counted (TRUSTED_PROXY_COUNT, the peer being
# the last of them). Country: a trusted CDN's header, else a GeoIP2 country database (.mmdb).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
GEOIP_COUNTRY_DB = env.str("GEOIP_COUNTRY_DB", default="")
GEOIP_COUNTRY_HEADER = env.str("GEOIP_COUNTRY_HEADER", default="")
# A browser session ends after the organisation's timeout without a request, and at the latest
# this many hours after sign-in (or the organisation's timeout, if longer).
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=24)

# Rate limits outside the API (docs/decisions/0023): failed sign-ins per account and per address
# (browser, admin, token endpoint; password-reset requests count in their own buckets), reset
# emails per account, and signups per address. `N/period`: 5/5min, 10/hour, 100/day.
SIGNIN_THROTTLE_RATE = env.str("SIGNIN_THROTTLE_RATE", default="5/5min")
PASSWORD_RESET_EMAIL_RATE = env.str("PASSWORD_RESET_EMAIL_RATE", default="3/hour")
SIGNUP_THROTTLE_RATE = env.str("SIGNUP_THROTTLE_RATE", default="10/hour")
# Suspicious activity: this many 401/403/404 answers to one address in the window block it for
# SUSPICIOUS_BLOCK_MINUTES (tenants/suspicious.py).
SUSPICIOUS_FAILURE_RATE = env.str("SUSPICIOUS_FAILURE_RATE", default="50/5min")
SUSPICIOUS_BLOCK_MINUTES = env.int("SUSPICIOUS_BLOCK_MINUTES", default=15)
# New uploads (tus creation, page or API) per person in an organisation.
UPLOAD_THROTTLE_RATE = env.str("UPLOAD_THROTTLE_RATE", default="10/hour")
# Wrong passwords on a protected share link: per address for that link, and for the link from
# every address together (so guesses spread over many addresses are capped as well).
SHARE_PASSWORD_RATE = env.str("SHARE_PASSWORD_RATE", default="5/5min")
SHARE_PASSWORD_LINK_RATE = env.str("SHARE_PASSWORD_LINK_RATE", default="50/hour")

# Content-Security-Policy (django-csp): scripts and styles from this site only, or carrying the
# response's nonce; no framing anywhere. Recaps and posters may be served by the storage bucket
# (presigned redirects): its origin is allowed for media and images, from AWS_S3_ENDPOINT_URL or
# S3 itself, unless CSP_MEDIA_SOURCES names them.
_endpoint = env.str("AWS_S3_ENDPOINT_URL", default="")
_bucket_sources = (
    [f"{urlsplit(_endpoint).scheme}://{urlsplit(_endpoint).netloc}"]
    if _endpoint
    else ["https://*.amazonaws.com"]
    if env.str("AWS_STORAGE_BUCKET_NAME", default="")
    else []
)
CSP_MEDIA_SOURCES = env.list("CSP_MEDIA_SOURCES", default=_bucket_sources)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:", *CSP_MEDIA_SOURCES],
        "media-src": [SELF, "blob:", *CSP_MEDIA_SOURCES],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # No form-action: browsers apply it to the redirects after a form is sent, and signing in
        # or signing up ends on the organisation's own host (a subdomain or a custom domain).
        "frame-ancestors": [NONE],
    }
}
# Powerful browser features nothing here uses stay off; fullscreen serves the recap player.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=(), fullscreen=(self)"
)
