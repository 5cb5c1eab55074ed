"""URLs of the product's own domain: landing, signup, sign-in, invitations, platform admin."""

from django.urls import include, path

from accounts import views as account_views
from tenants import views as tenant_views
from tenants.admin import platform_admin

urlpatterns = [
    path("", tenant_views.landing, name="landing"),
    path("signup/", tenant_views.signup, name="signup"),
    path("accounts/", include("accounts.urls")),
    path("invitations/<str:token>/", account_views.accept_invitation, name="accept_invitation"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("admin/", platform_admin.urls),
]

handler404 = "tenants.errors.not_found"
handler500 = "tenants.errors.server_error"
