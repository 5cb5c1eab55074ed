"""The integrator REST API (/api/v1/ on an organisation's site); see docs/decisions/0008."""

from __future__ import annotations

from datetime import timedelta

from .base import env

REST_FRAMEWORK = {
    # The caller is read by api.middleware.ApiCredentialMiddleware (key, token) or the session.
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.CallerAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.SignedIn", "api.permissions.ScopedKey"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    # `N/period` (5/5min, 100/min, 10/hour). "api" is per key or person unless the plan raises
    # it; "ip" is per address for callers without a valid credential (api.middleware); "auth"
    # per address on the token endpoints (docs/decisions/0023).
    "DEFAULT_THROTTLE_RATES": {
        "api": env.str("API_THROTTLE_RATE", default="100/min"),
        "ip": env.str("API_IP_THROTTLE_RATE", default="1000/hour"),
        "auth": env.str("API_AUTH_THROTTLE_RATE", default="30/min"),
    },
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "api.errors.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.ProblemAutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
}
# A refresh-token family (one password sign-in and its rotations) ends this many days after the
# sign-in, however often it was refreshed (api/token_families.py).
API_REFRESH_FAMILY_DAYS = env.int("API_REFRESH_FAMILY_DAYS", default=30)
SPECTACULAR_SETTINGS = {
    "TITLE": "Movie Recap API",
    "DESCRIPTION": "Upload movies, make recaps and download them from your own systems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/(v1|platform)",
    "SERVE_AUTHENTICATION": [],
    # Swagger UI's assets are served by the product itself, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Signed download links of recap files stay valid this long (seconds).
API_DOWNLOAD_TTL = env.int("API_DOWNLOAD_TTL", default=15 * 60)
