from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaPipelineConfig(AppConfig):
    name = "media_pipeline"
    verbose_name = _("Movies and recaps")

    def ready(self) -> None:
        from . import notifications

        notifications.subscribe()
