"""Languages, translated model text and time zone; the product's language list lives here only."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .base import BASE_DIR

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("de", _("German")),
    ("pt", _("Portuguese")),
    ("it", _("Italian")),
    ("ja", _("Japanese")),
    ("ko", _("Korean")),
    ("zh-hans", _("Simplified Chinese")),
    ("hi", _("Hindi")),
    ("ar", _("Arabic")),
    ("ru", _("Russian")),
    ("he", _("Hebrew")),
    ("fa", _("Persian")),
    ("ur", _("Urdu")),
]
# The codes alone, for validation and API enums; read it as settings.LANGUAGE_CODES rather than
# deriving it from LANGUAGES again (a test keeps it the only copy).
LANGUAGE_CODES = tuple(code for code, _name in LANGUAGES)
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date formats for the product languages whose Django locale lacks some (config/formats).
FORMAT_MODULE_PATH = ["config.formats"]
# Translated model text (plan copy, organisation names): one column per language, English is
# the fallback, and a value given without a language (code, fixtures, signup) fills English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
MODELTRANSLATION_AUTO_POPULATE = "default"
LANGUAGE_COOKIE_NAME = "recap_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
