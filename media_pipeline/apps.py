from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _library_changed(sender: type, **kwargs: Any) -> None:
    from . import library

    library.changed()


class MediaPipelineConfig(AppConfig):
    name = "media_pipeline"
    verbose_name = _("Movies and recaps")

    def ready(self) -> None:
        from . import notifications
        from .models import Movie

        notifications.subscribe()
        # A saved or deleted movie renews its organisation's library version (library.py).
        for signal, uid in ((post_save, "library-saved"), (post_delete, "library-deleted")):
            signal.connect(_library_changed, sender=Movie, dispatch_uid=uid)
