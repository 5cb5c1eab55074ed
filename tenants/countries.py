"""Country codes a security policy may name (ISO 3166-1 alpha-2, plus XK which GeoIP databases
use for Kosovo) and their names in the reader's language, from the CLDR data Babel ships."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from django.utils import translation

# CLDR territories that are groupings or reservations, not countries a GeoIP lookup answers.
_NOT_COUNTRIES = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN"})
_NOT_COUNTRIES |= {"XA", "XB", "ZZ"}

COUNTRY_CODES = frozenset(
    code
    for code in Locale("en").territories
    if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
)


def _locale(language: str | None) -> Locale:
    try:
        return Locale.parse(translation.to_locale(language or translation.get_language() or "en"))
    except (UnknownLocaleError, ValueError):
        return Locale("en")


def country_name(code: str, language: str | None = None) -> str:
    """`code`'s name in `language` (the active one by default), or the code itself."""
    return _locale(language).territories.get(code, code)


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name in the reader's language."""
    names = _locale(language).territories
    return sorted(((code, names.get(code, code)) for code in COUNTRY_CODES), key=lambda c: c[1])
