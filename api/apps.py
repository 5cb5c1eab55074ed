from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Integrator API")

    def ready(self) -> None:
        # Registers the OpenAPI extensions (security schemes) before any schema is generated.
        from . import schema  # noqa: F401
