"""Share links from the recap page (members), the public share page, its embeddable player and
its files (anyone holding a live link), and downloads named after the movie."""

from __future__ import annotations

import hashlib

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.middleware import open_to_visitors
from web import ratelimit
from web.client import client_ip

from . import sharing
from .files import file_response
from .models import Recap, ShareLink
from .storage import tenant_key

SHARE_PASSWORD = "share-password"  # noqa: S105 (a bucket name)


def _relative(field: object) -> str:
    """A stored file's name inside the organisation's folder ('' when there is none)."""
    name = getattr(field, "name", "") or ""
    prefix = tenant_key("x")[:-1]
    return name[len(prefix) :] if name.startswith(prefix) else ""


def _send(request: HttpRequest, recap: Recap, kind: str, *, attachment: bool) -> HttpResponse:
    name = _relative(getattr(recap, kind))
    if not name:
        raise Http404
    filename = sharing.download_name(recap.movie.title, kind) if attachment else None
    return file_response(request, name, download_name=filename)


@require_GET
def download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """A member's download of one file of a recap, saved under the movie's title."""
    if kind not in sharing.DOWNLOAD_SUFFIX:
        raise Http404
    recap = get_object_or_404(Recap.objects.select_related("movie"), pk=pk)
    return _send(request, recap, kind, attachment=True)


@require_POST
def create_link(request: HttpRequest, pk: int) -> HttpResponse:
    recap = get_object_or_404(Recap, pk=pk)
    expiry = request.POST.get("expires", "")
    try:
        days = int(expiry) if expiry else None
        sharing.create_share_link(
            recap=recap,
            acting_user=request.user,
            password=request.POST.get("password", ""),
            expires_in_days=days,
        )
    except ValueError:
        messages.error(request, _("Choose how long the link works from the list."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("The share link is ready: copy it below."))
    return HttpResponseRedirect(reverse("recap_detail", args=[pk]) + "#share")


@require_POST
def revoke_link(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(ShareLink, pk=pk)
    try:
        sharing.revoke_share_link(link=link, acting_user=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The link no longer works."))
    return HttpResponseRedirect(reverse("recap_detail", args=[link.recap_id]) + "#share")


def _unlocked(request: HttpRequest, link: ShareLink) -> bool:
    return not link.protected or request.session.get(f"share:{link.pk}") == link.token


def _password_buckets(
    request: HttpRequest, link: ShareLink
) -> list[tuple[str, ratelimit.Rate | None]]:
    """(bucket, rate) of wrong passwords on `link`: from this address, and in all. The link is
    named by a digest of its token: ids repeat across organisations, tokens are secret."""
    name = hashlib.sha256(link.token.encode()).hexdigest()[:32]
    return [
        (
            f"link:{name}:ip:{client_ip(request)}",
            ratelimit.parse_rate(settings.SHARE_PASSWORD_RATE),
        ),
        (f"link:{name}", ratelimit.parse_rate(settings.SHARE_PASSWORD_LINK_RATE)),
    ]


def _visitor(request: HttpRequest) -> dict[str, object]:
    """What every shared page knows of the organisation: its name, no menu, no notices."""
    return {"tenant": None, "membership": None, "organisation_name": request.tenant.name}


def _gone(request: HttpRequest) -> HttpResponse:
    return render(request, "media_pipeline/share_gone.html", _visitor(request), status=404)


@open_to_visitors
@require_http_methods(["GET", "POST"])
def share_page(request: HttpRequest, token: str) -> HttpResponse:
    """The one recap a link shows, to anyone holding it; a password first if it has one."""
    link = sharing.live_link(token)
    if link is None:
        return _gone(request)
    error, status = "", 200
    if request.method == "POST" and link.protected:
        # Over the limit, even the right password waits: the answer must not tell guesses apart.
        buckets = _password_buckets(request, link)
        refused = ratelimit.check_each(SHARE_PASSWORD, buckets)
        if not refused.allowed:
            error, status = ratelimit.retry_message(refused.retry_after), 429
        elif sharing.password_matches(link, request.POST.get("password", "")):
            request.session[f"share:{link.pk}"] = link.token
            return HttpResponseRedirect(reverse("share_page", args=[token]))
        else:
            for bucket, rate in buckets:
                ratelimit.record(SHARE_PASSWORD, bucket, rate)
            error, status = _("That password is not right."), 403
    if not _unlocked(request, link):
        context = {**_visitor(request), "link": link, "error": error}
        response = render(request, "media_pipeline/share_password.html", context, status=status)
        if status == 429:
            response["Retry-After"] = str(refused.retry_after)
        return response
    context = {**_visitor(request), **_share_context(link)}
    return render(request, "media_pipeline/share.html", context)


@open_to_visitors
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@require_GET
def share_embed(request: HttpRequest, token: str) -> HttpResponse:
    """The player alone, for other sites to frame: the only page that may be framed."""
    link = sharing.live_link(token)
    if link is None:
        return _gone(request)
    context = {**_share_context(link), "locked": not _unlocked(request, link)}
    return render(request, "media_pipeline/share_embed.html", context)


@open_to_visitors
@require_GET
def share_file(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    link = sharing.live_link(token)
    if link is None or kind not in sharing.SHARED_FILES or not _unlocked(request, link):
        raise Http404
    return _send(request, link.recap, kind, attachment="download" in request.GET)


def share_rows(request: HttpRequest, recap: Recap) -> list[dict[str, object]]:
    """The recap's links for its page: address, embed snippet (public live links), state."""
    rows = []
    for link in recap.share_links.all():
        url = request.build_absolute_uri(reverse("share_page", args=[link.token]))
        embed = request.build_absolute_uri(reverse("share_embed", args=[link.token]))
        live = link.is_live()
        rows.append(
            {
                "link": link,
                "url": url,
                "live": live,
                "embed": (
                    f'<iframe src="{embed}" width="640" height="360" allow="fullscreen" '
                    f'style="border:0" title="{escape(recap.movie.title)}"></iframe>'
                    if live and not link.protected
                    else ""
                ),
            }
        )
    return rows


def _share_context(link: ShareLink) -> dict[str, object]:
    recap = link.recap
    urls = {
        kind: reverse("share_file", args=[link.token, kind])
        if _relative(getattr(recap, kind))
        else ""
        for kind in sharing.SHARED_FILES
    }
    return {"link": link, "recap": recap, "urls": urls}
