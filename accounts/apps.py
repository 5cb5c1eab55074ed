from django.apps import AppConfig
from django.db.models import signals
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Every write of a membership, a person or their authenticator forgets what the access
        # layer cached.
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from . import access
        from .models import Membership, User

        for signal, receiver, sender in (
            (signals.post_save, access.membership_changed, Membership),
            (signals.post_delete, access.membership_changed, Membership),
            (signals.post_save, access.person_changed, User),
            (signals.post_save, access.device_changed, TOTPDevice),
            (signals.post_delete, access.device_changed, TOTPDevice),
        ):
            signal.connect(receiver, sender=sender, dispatch_uid=f"accounts.{receiver.__name__}")
