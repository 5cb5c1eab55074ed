"""URLs of an organisation's site, on its host or under /t/<slug>/."""

from django.urls import include, path, re_path

from accounts import views as account_views
from api.views.fallback import NotFoundApi
from config.admin import tenant_admin
from media_pipeline import views as media_views
from tenants import views as tenant_views

urlpatterns = [
    path("", media_views.dashboard, name="dashboard"),
    path("accounts/", include("accounts.urls")),
    path("settings/", tenant_views.organisation_settings, name="tenant_settings"),
    path("", include("billing.urls")),
    path("team/", account_views.team, name="team"),
    path("team/<int:pk>/role/", account_views.change_role, name="change_role"),
    path("team/<int:pk>/remove/", account_views.remove_member, name="remove_member"),
    path("invitations/<str:token>/", account_views.accept_invitation, name="accept_invitation"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("media/<path:name>", media_views.protected_file, name="protected_file"),
    path("api/", include("api.urls")),
    # Last under /api/: unknown API URLs answer problem+json, not the HTML 404 page.
    re_path(r"^api/", NotFoundApi.as_view()),
    path("", include("media_pipeline.urls")),
    path("admin/", tenant_admin.urls),
]

handler404 = "web.errors.not_found"
handler500 = "web.errors.server_error"
