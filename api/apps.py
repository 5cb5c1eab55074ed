from django.apps import AppConfig
from django.db.models import signals
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Integrator API")

    def ready(self) -> None:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts.models import Membership, User

        # `schema` registers the OpenAPI extensions before any schema is generated.
        from . import (
            schema,  # noqa: F401
            services,
        )
        from .models import ApiKey

        # Every write of a key, of a membership, of a person or of their authenticator forgets
        # the cached keys it touches: revocation, a new role, a removal or two-factor sign-in
        # turned on or off acts on the very next request.
        for signal, receiver, sender in (
            (signals.post_save, services.key_changed, ApiKey),
            (signals.post_delete, services.key_changed, ApiKey),
            (signals.post_save, services.membership_changed, Membership),
            (signals.post_delete, services.membership_changed, Membership),
            (signals.post_save, services.person_changed, User),
            (signals.post_save, services.device_changed, TOTPDevice),
            (signals.post_delete, services.device_changed, TOTPDevice),
        ):
            signal.connect(receiver, sender=sender, dispatch_uid=f"api.{receiver.__name__}")
