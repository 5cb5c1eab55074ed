"""Plan copy shown to visitors, one column per language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Plan


@register(Plan)
class PlanTranslationOptions(TranslationOptions):
    fields = ("name", "description")
