"""Signing in and out, choosing an organisation, invitations, the team page, language and a
person's own account page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from web.sites import public_base_url

from . import access, attempts, services, two_factor
from . import handoff as handoff_flow
from .entry import begin_second_step, sign_in, tenant_entry_url
from .forms import EmailLoginForm, InviteForm, JoinForm, OwnPasswordForm, ProfileForm, RoleForm
from .middleware import open_to_visitors, supported
from .models import Invitation, Membership, Role, User
from .two_factor_views import landing, safe_next


@open_to_visitors
def login_view(request: HttpRequest) -> HttpResponse:
    form = EmailLoginForm(request, data=request.POST or None)
    tenant = request.tenant
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if not tenant.is_public and not access.holds_role(
            user=user, tenant=tenant, roles=access.ANY_ROLE
        ):
            # The same answer as a wrong password: a right one is not confirmed to outsiders.
            form.add_error(None, form.error_messages["invalid_login"])
            return render(request, "accounts/login.html", {"form": form}, status=400)
        if two_factor.has_two_factor(user):
            # Nobody is signed in until the second step accepts a code.
            begin_second_step(request, user, next_url=safe_next(request))
            return HttpResponseRedirect(reverse("accounts:two_factor"))
        sign_in(request, user)
        return landing(request, safe_next(request))
    status = 400 if form.errors else 200
    return render(request, "accounts/login.html", {"form": form}, status=status)


@open_to_visitors
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are signed out."))
    return HttpResponseRedirect(reverse("accounts:login"))


@login_required
def choose_tenant(request: HttpRequest) -> HttpResponse:
    memberships = list(
        Membership.objects.filter(user=request.user, tenant__status="active").select_related(
            "tenant"
        )
    )
    if len(memberships) == 1 and "stay" not in request.GET:
        return HttpResponseRedirect(tenant_entry_url(request, memberships[0].tenant, request.user))
    entries = [(m, tenant_entry_url(request, m.tenant, request.user)) for m in memberships]
    return render(request, "accounts/choose.html", {"entries": entries})


@open_to_visitors
def handoff(request: HttpRequest) -> HttpResponse:
    if "token" not in request.GET:
        return handoff_flow.start(request)
    found = services.consume_handoff_token(
        token=request.GET["token"], tenant=request.tenant, binding=handoff_flow.binding_of(request)
    )
    if found is None:
        messages.error(request, _("That sign-in link has expired. Please sign in again."))
        return handoff_flow.forget(HttpResponseRedirect(reverse("accounts:login")))
    user, device = found
    # The second step passed on the main host holds here too; otherwise the organisation's
    # policy asks for it (landing, then the access middleware on every page).
    sign_in(request, user, device=device)
    # A page on this host to land on (the organisation console, for staff); never elsewhere.
    wanted = request.GET.get("next", "")
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return handoff_flow.forget(HttpResponseRedirect(wanted))
    return handoff_flow.forget(landing(request, None))


class PasswordResetView(auth_views.PasswordResetView):
    open_to_visitors = True
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        # Past the per-account limit no more emails go out, and the visitor is told what everyone
        # is told, so the page never says whether the address has an account.
        if not attempts.may_send_reset_email(form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        # Links in emails use the configured site, never the Host header a visitor sent.
        self.extra_email_context = {"site_url": public_base_url()}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    open_to_visitors = True
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


@open_to_visitors
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.select_related("tenant").filter(token=token).first()
    if invitation is None:
        raise Http404
    if not request.user.is_authenticated:
        return _join_by_invitation(request, invitation)
    if request.method == "POST":
        try:
            membership = services.accept_invitation(token=token, user=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            return HttpResponseRedirect(tenant_entry_url(request, membership.tenant, request.user))
    return render(request, "accounts/invitation.html", {"invitation": invitation})


def _join_by_invitation(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """An invitee without a session: sign in, or create an account for the invited email."""
    has_account = User.objects.filter(email=invitation.email).exists()
    form = None if has_account else JoinForm(request.POST or None, email=invitation.email)
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            membership = services.join_by_invitation(
                token=invitation.token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
                language=request.LANGUAGE_CODE,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            sign_in(request, membership.user)
            return HttpResponseRedirect(
                tenant_entry_url(request, membership.tenant, membership.user)
            )
    login = reverse("accounts:login")
    context = {"invitation": invitation, "form": form, "login_url": f"{login}?next={request.path}"}
    return render(
        request, "accounts/invitation.html", context, status=400 if form and form.errors else 200
    )


def team(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accept_base = f"{public_base_url()}/invitations/"
        try:
            services.invite_member(
                tenant=tenant,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                acting_user=request.user,
                accept_url_base=accept_base,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return HttpResponseRedirect(reverse("team"))
    memberships = list(tenant.memberships.select_related("user").order_by("user__email"))
    owners = [m for m in memberships if m.role == Role.OWNER]
    context = {
        "memberships": memberships,
        # The last owner cannot leave: the page says so instead of offering a refused button.
        "sole_owner": owners[0].user_id if len(owners) == 1 else None,
        "invitations": tenant.invitations.filter(status="pending"),
        "form": form,
        "role_choices": RoleForm.base_fields["role"].choices,
        "can_manage": access.holds_role(
            user=request.user, tenant=tenant, roles=access.MANAGER_ROLES
        ),
    }
    return render(request, "accounts/team.html", context, status=400 if form.errors else 200)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return exc.messages[0]
    return str(exc) or _("You are not allowed to do that.")


def _membership_or_404(request: HttpRequest, pk: int) -> Membership:
    return get_object_or_404(Membership, pk=pk, tenant=request.tenant)


@require_POST
def change_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return HttpResponseRedirect(reverse("team"))
    try:
        services.change_role(
            membership=membership, role=form.cleaned_data["role"], acting_user=request.user
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Role updated."))
    return HttpResponseRedirect(reverse("team"))


@require_POST
def remove_member(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    leaving = membership.user_id == request.user.pk
    try:
        services.remove_member(membership=membership, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
        return HttpResponseRedirect(reverse("team"))
    if leaving:
        messages.success(request, _("You left %(name)s.") % {"name": request.tenant.name})
        return HttpResponseRedirect(f"{public_base_url()}/")
    messages.success(request, _("Member removed."))
    return HttpResponseRedirect(reverse("team"))


@open_to_visitors
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language: remembered in a cookie, and on the profile when signed in."""
    language = supported(request.POST.get("language"))
    target = safe_next(request) or "/"
    response = HttpResponseRedirect(target)
    if language is None:
        messages.error(request, _("This language is not available."))
        return response
    if request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    _remember_language(response, language)
    return response


def _remember_language(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The account page: name and language, and the password; one form is posted at a time."""
    user = request.user
    profile_form = ProfileForm(
        initial={"full_name": user.full_name, "language": user.language or request.LANGUAGE_CODE}
    )
    password_form = OwnPasswordForm(user)
    status = 200
    if request.method == "POST" and request.POST.get("form") == "password":
        password_form = OwnPasswordForm(user, request.POST)
        if password_form.is_valid():
            services.change_password(
                user=user, new_password=password_form.cleaned_data["new_password1"]
            )
            # Other sessions end with the old password; this one carries on.
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password is changed."))
            return HttpResponseRedirect(reverse("accounts:profile"))
        status = 400
    elif request.method == "POST":
        profile_form = ProfileForm(request.POST)
        if profile_form.is_valid():
            data = profile_form.cleaned_data
            try:
                services.update_profile(
                    user=user, full_name=data["full_name"], language=data["language"]
                )
            except ValidationError as exc:
                profile_form.add_error(None, exc.messages[0])
            else:
                # The confirmation already speaks the newly chosen language.
                translation.activate(data["language"])
                messages.success(request, _("Your profile is saved."))
                response = HttpResponseRedirect(reverse("accounts:profile"))
                _remember_language(response, data["language"])
                return response
        status = 400
    context = {"profile_form": profile_form, "password_form": password_form}
    return render(request, "accounts/profile.html", context, status=status)
