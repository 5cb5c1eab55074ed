"""URLs of the product's own domain: landing, signup, sign-in, invitations, platform admin."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from accounts.middleware import open_to_visitors
from api.views import platform as platform_api
from api.views import tokens
from api.views.fallback import NotFoundApi
from api.views.stripe_webhook import stripe_webhook
from billing import views as billing_views
from config.admin import platform_admin
from tenants import views as tenant_views
from web.ratelimit import limit_posts

# The platform API for staff (api/views/platform.py), and JWTs for it (tenant claim "public").
platform_api_patterns = [
    path("api/v1/auth/token/", tokens.TokenObtainApi.as_view(), name="platform_token"),
    path(
        "api/v1/auth/token/refresh/",
        tokens.TokenRefreshApi.as_view(),
        name="platform_token_refresh",
    ),
    path("api/platform/tenants", platform_api.TenantListApi.as_view(), name="platform_tenants"),
    path("api/platform/tenants/<int:pk>", platform_api.TenantDetailApi.as_view()),
    path("api/platform/tenants/<int:pk>/usage", platform_api.TenantUsageApi.as_view()),
    path("api/platform/tenants/<int:pk>/plan", platform_api.TenantPlanApi.as_view()),
    path("api/platform/tenants/<int:pk>/security", platform_api.TenantSecurityApi.as_view()),
    path("api/platform/tenants/<int:pk>/suspend", platform_api.TenantSuspendApi.as_view()),
    path("api/platform/tenants/<int:pk>/reactivate", platform_api.TenantReactivateApi.as_view()),
]

urlpatterns = [
    *platform_api_patterns,
    # Stripe's events (billing.stripe_sync); the URL to give Stripe's webhook endpoint.
    path("api/stripe/webhook", stripe_webhook, name="stripe_webhook"),
    # The integrators' API lives on organisation sites; its schema and docs are here too.
    path(
        "api/schema/",
        open_to_visitors(SpectacularAPIView.as_view(urlconf="config.urls_tenant")),
        name="api_schema",
    ),
    path(
        "api/docs/",
        open_to_visitors(SpectacularSwaggerSplitView.as_view(url_name="api_schema")),
        name="api_docs",
    ),
    path(
        "api/platform/schema/",
        open_to_visitors(SpectacularAPIView.as_view(patterns=platform_api_patterns)),
        name="platform_schema",
    ),
    path(
        "api/platform/docs/",
        open_to_visitors(SpectacularSwaggerSplitView.as_view(url_name="platform_schema")),
        name="platform_docs",
    ),
    re_path(r"^api/", NotFoundApi.as_view()),
    path("", tenant_views.landing, name="landing"),
    path(
        "signup/", limit_posts("signup", "SIGNUP_THROTTLE_RATE")(tenant_views.signup), name="signup"
    ),
    path("pricing/", billing_views.pricing, name="pricing"),
    path("terms/", tenant_views.terms, name="terms"),
    path("privacy/", tenant_views.privacy, name="privacy"),
    path("contact/", tenant_views.contact, name="contact"),
    path("accounts/", include("accounts.urls")),
    path("invitations/<str:token>/", account_views.accept_invitation, name="accept_invitation"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("admin/", platform_admin.urls),
]

handler404 = "web.errors.not_found"
handler500 = "web.errors.server_error"
