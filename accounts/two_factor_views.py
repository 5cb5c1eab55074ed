"""Pages of two-factor sign-in: the second step after the password, and the security page
where a person sets up an authenticator, renews recovery codes or turns it off."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from . import access, two_factor
from .entry import (
    end_pending_sign_in,
    forget_verification,
    mark_verified,
    pending_sign_in,
    sign_in,
    verified_device_id,
)
from .forms import OtpCodeForm, PasswordConfirmForm
from .middleware import allowed_before_two_factor, open_to_visitors

# The authenticator being set up, before its first code confirms it (hex secret).
ENROLMENT_SESSION_KEY = "two_factor_enrolment"


def safe_next(request: HttpRequest, target: str | None = None) -> str | None:
    target = target if target is not None else request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def landing(request: HttpRequest, next_url: str | None) -> HttpResponse:
    """Where a person goes once signed in: set up two-factor sign-in first when their
    organisation demands it and this session has not passed it, else where they were going."""
    tenant, user = request.tenant, request.user
    if verified_device_id(request) is None:
        required = (
            access.requires_two_factor(tenant)
            if not tenant.is_public
            else bool(access.organisations_requiring_two_factor(user))
        )
        if required and two_factor.has_two_factor(user):
            target = reverse("accounts:two_factor")
            return HttpResponseRedirect(f"{target}?next={quote(next_url or '')}")
        if required:
            messages.info(
                request,
                _("Your organisation requires two-factor authentication. Set it up to go on."),
            )
            target = reverse("accounts:security")
            return HttpResponseRedirect(f"{target}?next={quote(next_url or '')}")
    default = reverse("dashboard") if not tenant.is_public else reverse("accounts:choose")
    return HttpResponseRedirect(next_url or default)


@open_to_visitors
@require_http_methods(["GET", "POST"])
def second_step(request: HttpRequest) -> HttpResponse:
    """The code after the password (a sign-in waiting for it), or for a signed-in session that
    has not passed it yet while the person has an authenticator."""
    pending = pending_sign_in(request)
    if pending is not None:
        user, next_url = pending
    elif request.user.is_authenticated and verified_device_id(request) is not None:
        return landing(request, safe_next(request))  # passed already
    elif request.user.is_authenticated and two_factor.has_two_factor(request.user):
        user, next_url = request.user, safe_next(request) or ""
    else:
        messages.error(request, _("Your sign-in has expired. Please sign in again."))
        return HttpResponseRedirect(reverse("accounts:login"))
    form = OtpCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.verify(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc.messages[0])
            if exc.code == "otp_locked":
                end_pending_sign_in(request)
                status = 429
        else:
            if request.user.is_authenticated and request.user.pk == user.pk:
                mark_verified(request, device)
            else:
                sign_in(request, user, device=device)
            if device.name == two_factor.RECOVERY_NAME:
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(count)d is left. Make new ones on your "
                        "security page.",
                        "You used a recovery code; %(count)d are left. Make new ones on your "
                        "security page.",
                        left,
                    )
                    % {"count": left},
                )
            return landing(request, safe_next(request, next_url))
    if form.errors and status == 200:
        status = 400
    context = {"form": form, "next": next_url}
    return render(request, "accounts/two_factor.html", context, status=status)


def _enrolment(request: HttpRequest) -> two_factor.Enrolment:
    key = request.session.get(ENROLMENT_SESSION_KEY)
    if not key:
        key = two_factor.new_enrolment().key
        request.session[ENROLMENT_SESSION_KEY] = key
    return two_factor.Enrolment(key=key)


@allowed_before_two_factor
@login_required
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator (QR code, secret, first code), then renew the recovery codes
    or turn two-factor sign-in off, each after the password."""
    user = request.user
    enabled = two_factor.has_two_factor(user)
    next_url = safe_next(request) or ""
    if enabled and verified_device_id(request) is None:
        # Changes to the second factor are for sessions that passed it.
        target = reverse("accounts:two_factor")
        return HttpResponseRedirect(f"{target}?next={quote(request.get_full_path())}")
    confirm_form = OtpCodeForm()
    regenerate_form = PasswordConfirmForm(prefix="regenerate")
    disable_form = PasswordConfirmForm(prefix="disable")
    codes: list[str] | None = None
    status = 200
    action = request.POST.get("form") if request.method == "POST" else None
    if action == "confirm" and not enabled:
        confirm_form = OtpCodeForm(request.POST)
        if confirm_form.is_valid():
            try:
                codes = two_factor.confirm_enrolment(
                    user=user, enrolment=_enrolment(request), code=confirm_form.cleaned_data["code"]
                )
            except ValidationError as exc:
                confirm_form.add_error("code", exc.messages[0])
            else:
                request.session.pop(ENROLMENT_SESSION_KEY, None)
                mark_verified(request, two_factor.authenticator(user))
                enabled = True
                messages.success(request, _("Two-factor authentication is on."))
        status = 200 if codes else 400
    elif action == "regenerate" and enabled:
        regenerate_form = PasswordConfirmForm(request.POST, prefix="regenerate")
        if regenerate_form.is_valid():
            try:
                codes = two_factor.regenerate_recovery_codes(
                    user=user, password=regenerate_form.cleaned_data["password"]
                )
            except ValidationError as exc:
                regenerate_form.add_error("password", exc.messages[0])
            else:
                messages.success(request, _("New recovery codes are ready; the old ones no "
                                            "longer work."))  # fmt: skip
        status = 200 if codes else 400
    elif action == "disable" and enabled:
        disable_form = PasswordConfirmForm(request.POST, prefix="disable")
        if disable_form.is_valid():
            try:
                two_factor.disable(user=user, password=disable_form.cleaned_data["password"])
            except ValidationError as exc:
                disable_form.add_error("password", exc.messages[0])
            else:
                forget_verification(request)
                messages.success(request, _("Two-factor authentication is off."))
                return HttpResponseRedirect(reverse("accounts:security"))
        status = 400
    elif action is not None:
        messages.error(request, _("This change is not available now. Please try again."))
        status = 400
    context = {
        "enabled": enabled,
        "codes": codes,
        "codes_left": two_factor.recovery_codes_left(user) if enabled else 0,
        "confirm_form": confirm_form,
        "regenerate_form": regenerate_form,
        "disable_form": disable_form,
        "next": next_url,
        "required_by": access.organisations_requiring_two_factor(user),
    }
    if not enabled:
        enrolment = _enrolment(request)
        context.update(qr_svg=enrolment.qr_svg(user), secret=enrolment.secret)
    return render(request, "accounts/security.html", context, status=status)
