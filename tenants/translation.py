"""An organisation's display name may differ per language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Tenant


@register(Tenant)
class TenantTranslationOptions(TranslationOptions):
    fields = ("name",)
