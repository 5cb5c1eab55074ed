from django.apps import AppConfig
from django.db.models import signals
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Integrator API")

    def ready(self) -> None:
        # Registers the OpenAPI extensions (security schemes) before any schema is generated.
        from . import (
            schema,  # noqa: F401
            services,
        )
        from .models import ApiKey

        # Every write of an API key forgets the cached key (revocation acts on the next request).
        for signal in (signals.post_save, signals.post_delete):
            signal.connect(services.key_changed, sender=ApiKey, dispatch_uid="api.key_changed")
