"""Per-request plumbing of people: the language they read, and the access check that keeps
each organisation's site to its members.

Language: the person's saved preference, else the cookie, else the browser's Accept-Language,
else the organisation's default language. URLs stay the same in every language.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework.exceptions import NotFound

from web.errors import error_page, is_api
from web.problems import problem_json

from . import access, two_factor
from .entry import verified_device_id
from .services import was_removed


def supported(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def language_for(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and supported(user.language):
        return supported(user.language)
    cookie = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if cookie:
        return cookie
    accept = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    if accept:
        for code, _q in translation.trans_real.parse_accept_lang_header(accept):
            if code == "*":
                break
            found = supported(code)
            if found:
                return found
    tenant = getattr(request, "tenant", None)
    if tenant is not None and supported(tenant.default_language):
        return supported(tenant.default_language)
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


def open_to_visitors(view: Callable) -> Callable:
    """Mark a view that people outside the organisation may open on its site (sign-in, password
    reset, invitations, the language switch, token endpoints, signed download links)."""
    view.open_to_visitors = True
    return view


def allowed_before_two_factor(view: Callable) -> Callable:
    """Mark a view a signed-in person may open before passing two-factor sign-in that their
    organisation demands (the page where they set it up)."""
    view.allowed_before_two_factor = True
    return view


def is_open(view_func: Callable) -> bool:
    view_class = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None)
    return bool(
        getattr(view_func, "open_to_visitors", False)
        or getattr(view_class, "open_to_visitors", False)
    )


class AccessMiddleware:
    """The isolation boundary: on an organisation's site, only its members (and staff) reach a
    view not marked open; everyone else gets the sign-in page, or a 404 that does not confirm
    the page exists. Pages and API alike; `request.membership` is the one lookup of the request.

    It runs as a view hook, after the API's credential middleware has said who the caller is
    (API key, token or session). Anonymous API calls go on to the API, which answers 401.

    Where the organisation demands two-factor sign-in, a session that has not passed it is
    sent to its second step, or to set it up first (decision 0022); API keys and tokens are
    held to the same rule where they are read (api.auth).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponse | None:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.is_public or is_open(view_func):
            return None
        user = request.user
        if not user.is_authenticated:
            if is_api(request):
                return None
            login = reverse("accounts:login")
            return HttpResponseRedirect(f"{login}?next={quote(request.get_full_path())}")
        membership = access.membership_of(user=user, tenant=tenant)
        access.remember(user=user, tenant=tenant, membership=membership)
        if membership is None and not access.is_staff(user):
            if is_api(request):
                return problem_json(404, NotFound.default_detail, request=request)
            if was_removed(user=user, tenant=tenant):
                return error_page(
                    request,
                    403,
                    gettext_noop("You are no longer a member"),
                    gettext_noop(
                        "You were removed from this organisation's team. Ask one of its owners "
                        "to invite you again."
                    ),
                )
            return error_page(
                request,
                404,
                gettext_noop("Page not found"),
                gettext_noop("This page does not exist, or you do not have access to it."),
            )
        request.membership = membership
        if self._needs_second_factor(request, view_func, tenant):
            return self._second_factor(request)
        return None

    @staticmethod
    def _needs_second_factor(request: HttpRequest, view_func: Callable, tenant: object) -> bool:
        return (
            getattr(request, "api_auth", None) is None
            and not getattr(view_func, "allowed_before_two_factor", False)
            and verified_device_id(request) is None
            and access.requires_two_factor(tenant)
        )

    @staticmethod
    def _second_factor(request: HttpRequest) -> HttpResponse:
        if is_api(request):
            return problem_json(
                403,
                _(
                    "This organisation requires two-factor authentication: sign in again with "
                    "your authenticator code."
                ),
                request=request,
                code="otp_required",
            )
        has_device = two_factor.has_two_factor(request.user)
        target = reverse("accounts:two_factor" if has_device else "accounts:security")
        return HttpResponseRedirect(f"{target}?next={quote(request.get_full_path())}")
