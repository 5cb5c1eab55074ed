from django.apps import AppConfig
from django.db.models import signals
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Every write of a membership or a person forgets what the access layer cached.
        from . import access
        from .models import Membership, User

        for signal, receiver, sender in (
            (signals.post_save, access.membership_changed, Membership),
            (signals.post_delete, access.membership_changed, Membership),
            (signals.post_save, access.person_changed, User),
        ):
            signal.connect(receiver, sender=sender, dispatch_uid=f"accounts.{receiver.__name__}")
