from django.contrib.auth import views as auth_views
from django.urls import path

from . import attempts, handoff, two_factor_views, views
from .middleware import open_to_visitors

app_name = "accounts"

urlpatterns = [
    path("login/", attempts.limited()(views.login_view), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("choose/", views.choose_tenant, name="choose"),
    path("profile/", views.profile, name="profile"),
    path("security/", two_factor_views.security, name="security"),
    path("two-factor/", two_factor_views.second_step, name="two_factor"),
    path("handoff/", views.handoff, name="handoff"),
    path("handoff/issue/", handoff.issue, name="handoff_issue"),
    path(
        "password-reset/",
        attempts.limited(field="email", scope=attempts.PASSWORD_RESET, count_every_post=True)(
            views.PasswordResetView.as_view()
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        open_to_visitors(
            auth_views.PasswordResetDoneView.as_view(
                template_name="accounts/password_reset_done.html"
            )
        ),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        open_to_visitors(
            auth_views.PasswordResetCompleteView.as_view(
                template_name="accounts/password_reset_complete.html"
            )
        ),
        name="password_reset_complete",
    ),
]
