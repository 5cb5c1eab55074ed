"""Two-factor sign-in: enrolment of an authenticator app (TOTP), recovery codes, checking a
code, and counting wrong ones (docs/decisions/0022-two-factor-authentication.md).

A person has two-factor sign-in on when they have a confirmed TOTP device; their recovery codes
are the tokens of one static device. Wrong codes are counted per person in the shared cache:
after `MAX_FAILURES` in `LOCK_SECONDS`, every code is refused until the window ends.
"""

from __future__ import annotations

import io
import math
import re
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from typing import Any

import qrcode
import qrcode.image.svg
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key
from django_tenants.utils import get_public_schema_name, schema_context

from compliance.services import record_event

from . import access
from .models import User

RECOVERY_CODE_COUNT = 10
MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery"


@dataclass(frozen=True)
class Enrolment:
    """An authenticator being set up: the secret lives in the person's session until confirmed."""

    key: str  # hex, as TOTPDevice stores it

    @property
    def secret(self) -> str:
        """The base32 secret people type into an app, in groups of four."""
        text = b32encode(unhexlify(self.key)).decode()
        return " ".join(text[i : i + 4] for i in range(0, len(text), 4))

    def config_url(self, user: User) -> str:
        return TOTPDevice(user=user, key=self.key, name=DEVICE_NAME).config_url

    def qr_svg(self, user: User) -> str:
        """The otpauth:// URL as an inline SVG image (no request leaves the page)."""
        image = qrcode.make(
            self.config_url(user), image_factory=qrcode.image.svg.SvgPathImage, border=2
        )
        buffer = io.BytesIO()
        image.save(buffer)
        svg = buffer.getvalue().decode()
        return re.sub(r"^<\?xml[^>]*>\s*", "", svg)


def new_enrolment() -> Enrolment:
    return Enrolment(key=default_key())


def authenticator(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def has_two_factor(user: Any) -> bool:
    """Whether `user` signs in with a second step (a confirmed authenticator)."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _check_password(user: User, password: str) -> None:
    if not password or not user.check_password(password):
        raise ValidationError(_("That password is not right."), code="wrong_password")


@transaction.atomic
def confirm_enrolment(*, user: User, enrolment: Enrolment, code: str) -> list[str]:
    """Turn two-factor sign-in on once `code` proves the app holds the secret; the recovery
    codes are returned, to be shown once (only their use is stored after that)."""
    # One confirmation at a time per person: two tabs cannot each add an authenticator.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if has_two_factor(user):
        raise ValidationError(
            _("Two-factor authentication is already on for your account."), code="enabled"
        )
    code = _normalise(code)
    totp = TOTP(unhexlify(enrolment.key))
    if not code.isdigit() or not totp.verify(int(code), tolerance=1):
        raise ValidationError(
            _("That code is not right. Enter the 6-digit code your app shows now."),
            code="otp_invalid",
        )
    TOTPDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(
        user=user, name=DEVICE_NAME, key=enrolment.key, confirmed=True, last_t=totp.t()
    )
    codes = _new_recovery_codes(user)
    record_event(action="user.two_factor_enabled", actor=user, target=f"user:{user.pk}")
    return codes


@transaction.atomic
def disable(*, user: User, password: str) -> None:
    """Turn two-factor sign-in off, after the password; refused while an organisation of the
    person demands it."""
    _check_password(user, password)
    required_by = access.organisations_requiring_two_factor(user)
    if required_by:
        raise ValidationError(
            _("%(names)s requires two-factor authentication, so it stays on.")
            % {"names": ", ".join(required_by)},
            code="required",
        )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record_event(action="user.two_factor_disabled", actor=user, target=f"user:{user.pk}")


@transaction.atomic
def reset(*, user: User, acting_user: User) -> bool:
    """Staff remove a person's authenticator and recovery codes (a lost phone and lost codes);
    they set it up again at their next sign-in. False when there was nothing to remove."""
    access.require_staff(user=acting_user)
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    if removed:
        record_event(action="user.two_factor_reset", actor=acting_user, target=f"user:{user.pk}")
    return bool(removed)


@transaction.atomic
def regenerate_recovery_codes(*, user: User, password: str) -> list[str]:
    """New recovery codes after the password; the old ones stop working."""
    _check_password(user, password)
    if not has_two_factor(user):
        raise ValidationError(_("Turn two-factor authentication on first."), code="not_enabled")
    codes = _new_recovery_codes(user)
    record_event(action="user.recovery_codes_regenerated", actor=user, target=f"user:{user.pk}")
    return codes


# Wrong codes, per person, in the public key space (the same count on every host).
def _failures_key(user_id: int) -> str:
    return f"two-factor:failures:{user_id}"


def _failures(user_id: int) -> int:
    with schema_context(get_public_schema_name()):
        return int(cache.get(_failures_key(user_id), 0))


def _count_failure(user_id: int) -> None:
    with schema_context(get_public_schema_name()):
        key = _failures_key(user_id)
        if not cache.add(key, 1, LOCK_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between the two calls
                cache.add(key, 1, LOCK_SECONDS)


def _clear_failures(user_id: int) -> None:
    with schema_context(get_public_schema_name()):
        cache.delete(_failures_key(user_id))


def locked_message() -> str:
    minutes = math.ceil(LOCK_SECONDS / 60)
    return ngettext(
        "Too many wrong codes. Try again in %(minutes)d minute.",
        "Too many wrong codes. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def _verify_totp(user: User, code: str) -> TOTPDevice | None:
    if not (code.isdigit() and len(code) == 6):
        return None
    with transaction.atomic():
        # Locked, so the same code presented twice at once is accepted once (last_t moves on).
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is not None and device.verify_token(code):
            return device
    return None


def _verify_recovery(user: User, code: str) -> StaticDevice | None:
    token = (
        StaticToken.objects.select_related("device")
        .filter(device__user=user, device__confirmed=True, token=code)
        .first()
    )
    # Single use: of two requests presenting it at once, only the one that deletes it wins.
    if token is None or StaticToken.objects.filter(pk=token.pk).delete()[0] != 1:
        return None
    return token.device


def verify(*, user: User, code: str) -> TOTPDevice | StaticDevice:
    """The device that accepts `code` (a current authenticator code, or an unused recovery code,
    which is then spent); ValidationError `otp_invalid` or `otp_locked` otherwise."""
    if _failures(user.pk) >= MAX_FAILURES:
        raise ValidationError(locked_message(), code="otp_locked")
    code = _normalise(code)
    device = (_verify_totp(user, code) or _verify_recovery(user, code)) if code else None
    if device is None:
        _count_failure(user.pk)
        if _failures(user.pk) >= MAX_FAILURES:
            raise ValidationError(locked_message(), code="otp_locked")
        raise ValidationError(
            _("That code is not right. Enter the code from your app, or a recovery code."),
            code="otp_invalid",
        )
    _clear_failures(user.pk)
    if isinstance(device, StaticDevice):
        record_event(
            action="user.recovery_code_used",
            actor=user,
            target=f"user:{user.pk}",
            data={"left": recovery_codes_left(user)},
        )
    return device
