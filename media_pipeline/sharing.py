"""Share links: one recap shown to people outside the organisation, public or behind a
password, with an optional expiry, revocable at any time; and the names files are downloaded
under (RFC 6266), for members and visitors alike."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.services import record_event

from .models import Recap, ShareLink
from .roles import require_writer

# How long a new link lives, in days; None: until it is revoked.
EXPIRY_DAYS = (None, 1, 7, 30)
MIN_PASSWORD = 8
MAX_PASSWORD = 128
# What a visitor may fetch through a link: the recap's video and what its player reads.
SHARED_FILES = ("video", "poster", "chapters_vtt", "subtitles_vtt", "thumbnails_vtt", "sprite")
# The file name a download gets: "<movie title> - <what>.<extension>".
DOWNLOAD_SUFFIX = {
    "video": ("recap", "mp4"),
    "poster": ("poster", "jpg"),
    "sprite": ("thumbnails", "jpg"),
    "thumbnails_vtt": ("thumbnails", "vtt"),
    "chapters_vtt": ("chapters", "vtt"),
    "subtitles_vtt": ("subtitles", "vtt"),
    "report": ("report", "json"),
}


def create_share_link(
    *, recap: Recap, acting_user: object, password: str = "", expires_in_days: int | None = None
) -> ShareLink:
    """A new link to `recap`; refused with a clear message for an expiry off the list or a
    password too short or too long. Nothing is stored on a refusal."""
    require_writer(user=acting_user)
    if expires_in_days not in EXPIRY_DAYS:
        raise ValidationError(_("Choose how long the link works from the list."), code="expiry")
    if password and not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValidationError(
            _("A link's password needs %(min)s to %(max)s characters.")
            % {"min": MIN_PASSWORD, "max": MAX_PASSWORD},
            code="password",
        )
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    with transaction.atomic():
        link = ShareLink.objects.create(
            recap=recap,
            token=secrets.token_urlsafe(24),
            password=make_password(password) if password else "",
            expires_at=expires_at,
            created_by_id=getattr(acting_user, "pk", None),
        )
        record_event(
            action="share.created",
            actor=acting_user,
            tenant=connection.tenant,
            target=f"recap:{recap.pk}",
            data={"link": link.pk, "protected": bool(password), "expires_in_days": expires_in_days},
        )
    return link


def revoke_share_link(*, link: ShareLink, acting_user: object) -> ShareLink:
    """The link stops working at once; revoking twice changes nothing."""
    require_writer(user=acting_user)
    with transaction.atomic():
        locked = ShareLink.objects.select_for_update().get(pk=link.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            record_event(
                action="share.revoked",
                actor=acting_user,
                tenant=connection.tenant,
                target=f"recap:{locked.recap_id}",
                data={"link": locked.pk},
            )
    return locked


def live_link(token: str) -> ShareLink | None:
    """The link a visitor's token names, if it still works (not revoked, not expired)."""
    link = ShareLink.objects.select_related("recap__movie").filter(token=token).first()
    return link if link is not None and link.is_live() else None


def password_matches(link: ShareLink, password: str) -> bool:
    return bool(link.password) and check_password(password, link.password)


def download_name(title: str, kind: str) -> str:
    """The name a recap file is saved under: the movie's title, then what the file is."""
    what, extension = DOWNLOAD_SUFFIX[kind]
    clean = re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]+', " ", title)
    clean = re.sub(r"\s+", " ", clean).strip(" .") or "movie"
    return f"{clean[:150]} - {what}.{extension}"
