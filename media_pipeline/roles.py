"""Who may do what with movies and recaps, in the words the pages use (accounts.access decides)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from accounts import access


def require_uploader(*, user: Any) -> None:
    """Owners, admins and members upload; viewers only watch; staff may act."""
    access.require_role(
        user=user,
        tenant=connection.tenant,
        roles=access.WRITER_ROLES,
        message=_("Viewers can watch movies and recaps but not upload them."),
    )


def require_writer(*, user: Any) -> None:
    """Owners, admins and members start and stop recaps; viewers watch; staff may act."""
    access.require_role(
        user=user,
        tenant=connection.tenant,
        roles=access.WRITER_ROLES,
        message=_("Viewers can watch recaps but not start them."),
    )
