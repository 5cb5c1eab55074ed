"""Writes on people and teams: invitations, roles, leaving, the hand-off to a tenant host, and
a person's own profile and password."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django_otp.models import Device

from compliance.models import AuditEvent
from compliance.services import record_event

from . import access
from .models import Invitation, InvitationStatus, Membership, Role, User

if TYPE_CHECKING:
    from tenants.models import Tenant

HANDOFF_SALT = "accounts.handoff"
HANDOFF_MAX_AGE = 60


def _require_manager(*, tenant: Tenant, acting_user: User) -> Membership | None:
    return access.require_role(
        user=acting_user,
        tenant=tenant,
        roles=access.MANAGER_ROLES,
        message=_("Only owners and admins can manage the team."),
    )


def invite_member(
    *, tenant: Tenant, email: str, role: str, acting_user: User, accept_url_base: str
) -> Invitation:
    """Invite someone by email; the email is sent once the invitation is committed."""
    acting = _require_manager(tenant=tenant, acting_user=acting_user)
    email = User.objects.normalize_email(email).strip().lower()
    if role not in Role.values:
        raise ValidationError(_("Choose a valid role."), code="invalid_role")
    if role == Role.OWNER and acting is not None and acting.role != Role.OWNER:
        raise PermissionDenied(_("Only owners can invite another owner."))
    if Membership.objects.filter(tenant=tenant, user__email=email).exists():
        raise ValidationError(_("This person is already a member."), code="already_member")
    with transaction.atomic():
        Invitation.objects.filter(
            tenant=tenant, email=email, status=InvitationStatus.PENDING
        ).update(status=InvitationStatus.REVOKED)
        invitation = Invitation.objects.create(
            tenant=tenant,
            email=email,
            role=role,
            invited_by=acting_user,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
        )
        record_event(
            action="invitation.sent",
            actor=acting_user,
            tenant=tenant,
            target=email,
            data={"role": role},
        )
        url = f"{accept_url_base}{invitation.token}/"
        language = tenant.default_language
        transaction.on_commit(lambda: _send_invitation(invitation, url, language))
    return invitation


def _send_invitation(invitation: Invitation, url: str, language: str) -> None:
    with translation.override(language):
        context = {"invitation": invitation, "url": url, "tenant": invitation.tenant}
        send_mail(
            subject=_("You are invited to join %(name)s on Movie Recap")
            % {"name": invitation.tenant.name},
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )


def make_first_owner(*, user: User, tenant: Tenant) -> Membership:
    """The person who created an organisation becomes its owner (inside signup's transaction)."""
    membership = Membership.objects.create(user=user, tenant=tenant, role=Role.OWNER)
    record_event(
        action="member.joined", actor=user, tenant=tenant, target=user.email,
        data={"role": Role.OWNER},
    )  # fmt: skip
    return membership


def accept_invitation(*, token: str, user: User) -> Membership:
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().select_related("tenant").filter(token=token)
        ).first()
        if invitation is None or not invitation.is_usable:
            raise ValidationError(
                _("This invitation has expired or was already used. Ask for a new one."),
                code="unusable",
            )
        if invitation.email != user.email.lower():
            raise ValidationError(
                _("This invitation was sent to another email address."), code="wrong_user"
            )
        membership, _created = Membership.objects.get_or_create(
            user=user, tenant=invitation.tenant, defaults={"role": invitation.role}
        )
        invitation.status = InvitationStatus.ACCEPTED
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["status", "accepted_at"])
        access.forget(user)
        record_event(
            action="member.joined",
            actor=user,
            tenant=invitation.tenant,
            target=user.email,
            data={"role": membership.role, "invitation": invitation.pk},
        )
    return membership


def join_by_invitation(*, token: str, full_name: str, password: str, language: str) -> Membership:
    """Create the invitee's account and accept the invitation, in one transaction."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(token=token).first()
        if invitation is None or not invitation.is_usable:
            raise ValidationError(
                _("This invitation has expired or was already used. Ask for a new one."),
                code="unusable",
            )
        if User.objects.filter(email=invitation.email).exists():
            raise ValidationError(
                _("An account with this email already exists. Sign in to accept."),
                code="email_taken",
            )
        user = User.objects.create_user(
            invitation.email, password, full_name=full_name.strip(), language=language
        )
        return accept_invitation(token=token, user=user)


def _owners(tenant: Tenant) -> int:
    return Membership.objects.filter(tenant=tenant, role=Role.OWNER).count()


def change_role(*, membership: Membership, role: str, acting_user: User) -> Membership:
    acting = _require_manager(tenant=membership.tenant, acting_user=acting_user)
    if role not in Role.values:
        raise ValidationError(_("Choose a valid role."), code="invalid_role")
    touches_owner = Role.OWNER in (role, membership.role)
    if touches_owner and acting is not None and acting.role != Role.OWNER:
        raise PermissionDenied(_("Only owners can grant or take away ownership."))
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == Role.OWNER and role != Role.OWNER and _owners(locked.tenant) <= 1:
            raise ValidationError(
                _("An organisation needs at least one owner. Make someone else owner first."),
                code="last_owner",
            )
        previous = locked.role
        locked.role = role
        locked.save(update_fields=["role"])
        access.forget(acting_user)
        record_event(
            action="member.role_changed",
            actor=acting_user,
            tenant=locked.tenant,
            target=locked.user.email,
            data={"from": previous, "to": role},
        )
    return locked


def remove_member(*, membership: Membership, acting_user: User) -> None:
    """Remove someone from a team; people may also remove themselves (leave)."""
    leaving = membership.user_id == acting_user.pk
    if not leaving:
        acting = _require_manager(tenant=membership.tenant, acting_user=acting_user)
        if membership.role == Role.OWNER and acting is not None and acting.role != Role.OWNER:
            raise PermissionDenied(_("Only owners can remove an owner."))
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == Role.OWNER and _owners(locked.tenant) <= 1:
            raise ValidationError(
                _("The last owner cannot leave. Make someone else owner first."),
                code="last_owner",
            )
        record_event(
            action="member.left" if leaving else "member.removed",
            actor=acting_user,
            tenant=locked.tenant,
            target=locked.user.email,
            data={"role": locked.role},
        )
        locked.delete()
        access.forget(acting_user)


def was_removed(*, user: User, tenant: object) -> bool:
    """Whether `user` was taken off `tenant`'s team (not merely never a member): they get a
    page that says so instead of a bare "not found"."""
    return AuditEvent.objects.filter(
        tenant=tenant, action="member.removed", target=user.email
    ).exists()


def expire_invitations(*, now: datetime | None = None) -> int:
    """Mark pending invitations past their expiry as expired; returns how many."""
    now = now or timezone.now()
    return Invitation.objects.filter(status=InvitationStatus.PENDING, expires_at__lte=now).update(
        status=InvitationStatus.EXPIRED
    )


def make_handoff_token(
    *, user: User, tenant: Tenant, binding: str, device: str | None = None
) -> str:
    """A short-lived, single-use token that signs a person in on a tenant's own host, in the
    browser whose hand-off cookie has the digest `binding` (accounts/handoff.py); `device` names
    the two-factor device the issuing session passed sign-in with, if it did."""
    payload: dict[str, object] = {"u": user.pk, "t": tenant.pk, "b": binding}
    if device:
        payload["d"] = device
    return signing.dumps(payload, salt=HANDOFF_SALT)


def consume_handoff_token(
    *, token: str, tenant: Tenant, binding: str
) -> tuple[User, Device | None] | None:
    """The person a valid, unused token of this organisation signs in, in the browser it was
    made for, with the two-factor device their session had passed (still theirs and
    confirmed), or None."""
    try:
        data = signing.loads(token, salt=HANDOFF_SALT, max_age=HANDOFF_MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("t") != tenant.pk:
        return None
    # Another browser's token (login CSRF: someone else's account in this browser) signs no one in.
    if not binding or not constant_time_compare(str(data.get("b", "")), binding):
        return None
    # Single use: the first request to present the token wins.
    digest = hashlib.sha256(token.encode()).hexdigest()
    if not cache.add(f"handoff:{digest}", 1, HANDOFF_MAX_AGE):
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None:
        return None
    if not access.holds_role(user=user, tenant=tenant, roles=access.ANY_ROLE):
        return None
    device = Device.from_persistent_id(data["d"]) if data.get("d") else None
    if device is not None and (device.user_id != user.pk or not device.confirmed):
        device = None
    return user, device


def update_profile(*, user: User, full_name: str, language: str) -> User:
    """A person changes their own name and preferred language (used from the next response)."""
    full_name = " ".join(full_name.split())
    if not full_name:
        raise ValidationError(_("Enter your name."), code="required")
    if len(full_name) > User._meta.get_field("full_name").max_length:
        raise ValidationError(_("Keep your name under 150 characters."), code="too_long")
    if language not in settings.LANGUAGE_CODES:
        raise ValidationError(_("Choose one of the offered languages."), code="invalid_language")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        changed = {
            field: {"from": getattr(locked, field), "to": value}
            for field, value in (("full_name", full_name), ("language", language))
            if getattr(locked, field) != value
        }
        locked.full_name = full_name
        locked.language = language
        locked.save(update_fields=["full_name", "language"])
        record_event(action="user.profile_updated", actor=locked, target=locked.email, data=changed)
    user.full_name, user.language = full_name, language
    return locked


def change_password(*, user: User, new_password: str) -> User:
    """Set a new password the caller has already checked (old password, validators)."""
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        # Never the password itself: the trail only says it changed.
        record_event(action="user.password_changed", actor=user, target=user.email)
    return user
