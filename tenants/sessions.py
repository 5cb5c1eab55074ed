"""Browser sessions under an organisation's policy: the idle timeout and the absolute lifetime,
the session key rotated when the person's role changes (Django's login() rotates it at
sign-in), and every session of a person ended when their password changes or they are removed
from an organisation. The middleware (tenants.enforcement) calls `check`; the receivers are
connected in TenantsConfig.ready()."""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from accounts.models import Membership, User
from compliance.services import record_event
from web.errors import is_api

from .models import BrowserSession, Tenant
from .security import Rules

log = logging.getLogger(__name__)

STARTED = "_security_started"
SEEN = "_security_seen"
ROLES = "_security_roles"
# Session keys ended during the current request (see `after_view`).
_ended: ContextVar[frozenset[str]] = ContextVar("ended_sessions", default=frozenset())
# "Last seen" is written at most this often, so a busy page does not save its session on
# every request; the idle timeout is that much coarser.
SEEN_RESOLUTION_SECONDS = 60


def _store() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore


def absolute_seconds(rules: Rules) -> int:
    return max(settings.SESSION_ABSOLUTE_HOURS * 3600, rules.session_timeout_minutes * 60)


def register(request: HttpRequest, user: Any) -> None:
    """Remember the request's session as one of `user`'s (after sign-in, or a new key)."""
    session = request.session
    if session.session_key is None:
        session.save()
    session.setdefault(STARTED, int(time.time()))
    session[SEEN] = int(time.time())
    BrowserSession.objects.get_or_create(
        session_key=session.session_key, defaults={"user_id": user.pk}
    )
    # Rows of this person's sessions that have expired on their own since.
    BrowserSession.objects.filter(
        user_id=user.pk, created_at__lt=timezone.now() - timedelta(seconds=_longest_life())
    ).delete()


def _longest_life() -> int:
    return max(settings.SESSION_COOKIE_AGE, settings.SESSION_ABSOLUTE_HOURS * 3600, 1440 * 60)


def check(request: HttpRequest, *, tenant: Tenant, rules: Rules) -> None:
    """Apply the organisation's session limits to a request signed in by its session: sign it
    out past the idle or absolute limit, rotate its key after a change of role."""
    _ended.set(frozenset())
    session = request.session
    # Signed in by this session (not an API credential), and still valid (Django signs out a
    # session whose password hash no longer matches when it reads the user).
    if session.get(SESSION_KEY) is None or not request.user.is_authenticated:
        return
    now = int(time.time())
    key_before = session.session_key
    started, seen = session.get(STARTED), session.get(SEEN)
    if started is None or seen is None:
        # A session from before these limits: they count from now.
        register(request, request.user)
        started, seen = session[STARTED], session[SEEN]
    idle = now - seen > rules.session_timeout_minutes * 60
    if idle or now - started > absolute_seconds(rules):
        sign_out(request, reason="idle" if idle else "absolute")
        return
    if now - seen >= SEEN_RESOLUTION_SECONDS:
        session[SEEN] = now
    _rotate_on_role_change(request, tenant)
    if session.session_key != key_before:
        BrowserSession.objects.filter(session_key=key_before).delete()
        register(request, request.user)


def after_view(request: HttpRequest, key_before: str | None) -> None:
    """A view that ended the request's own session (someone leaving an organisation) leaves
    the browser signed out, not a save of a deleted session; a view that gave the session a
    new key (a password change keeps its own session going so) leaves it registered."""
    session = request.session
    if session.session_key is not None and session.session_key in _ended.get():
        session.flush()
        return
    if session.get(SESSION_KEY) is not None and session.session_key not in (None, key_before):
        user = request.user
        if user.is_authenticated:
            BrowserSession.objects.get_or_create(
                session_key=session.session_key, defaults={"user_id": user.pk}
            )


def _rotate_on_role_change(request: HttpRequest, tenant: Tenant) -> None:
    user = request.user
    if not user.is_authenticated:
        return
    membership = access.membership_of(user=user, tenant=tenant)
    access.remember(user=user, tenant=tenant, membership=membership)
    role = membership.role if membership is not None else None
    roles = dict(request.session.get(ROLES, {}))
    seen = roles.get(str(tenant.pk))
    if seen is not None and seen != role:
        request.session.cycle_key()
    if seen != role:
        roles[str(tenant.pk)] = role
        request.session[ROLES] = roles


def sign_out(request: HttpRequest, *, reason: str) -> None:
    user = request.user
    logout(request)
    if not is_api(request):
        messages.info(request, _("Your session has ended. Sign in again to continue."))
    log.info("session of user %s ended (%s)", getattr(user, "pk", None), reason)


def end_sessions(*, user_id: int, reason: str) -> int:
    """End every registered browser session of `user_id` now; the number ended. At once, not
    after commit: a rollback can then only have signed someone out, never left a session
    alive; and a view that keeps its own session going (a password change) gives it a new key
    after this, which `note_new_key` registers."""
    keys = list(
        BrowserSession.objects.filter(user_id=user_id).values_list("session_key", flat=True)
    )
    store = _store()
    for key in keys:
        store(session_key=key).delete()
    _ended.set(_ended.get() | frozenset(keys))
    BrowserSession.objects.filter(session_key__in=keys).delete()
    if keys:
        record_event(
            action="user.sessions_ended",
            actor=None,
            target=str(user_id),
            data={"reason": reason, "sessions": len(keys)},
        )
    return len(keys)


# Signal receivers (TenantsConfig.ready()).
def signed_in(sender: type, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session.pop(STARTED, None)
        register(request, user)


def signed_out(sender: type, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        BrowserSession.objects.filter(session_key=key).delete()


def person_saving(sender: type, instance: User, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    before = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._password_changed = before is not None and before != instance.password


def person_saved(sender: type, instance: User, **kwargs: Any) -> None:
    if getattr(instance, "_password_changed", False):
        instance._password_changed = False
        end_sessions(user_id=instance.pk, reason="password_changed")


def membership_removed(sender: type, instance: Membership, **kwargs: Any) -> None:
    end_sessions(user_id=instance.user_id, reason="removed_from_organisation")
