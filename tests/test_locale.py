"""Every product language has a complete catalog: nothing untranslated, nothing fuzzy, and the
placeholders of each translation match its source."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import formats, translation

LOCALE = Path(__file__).resolve().parent.parent / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}|</?bdi>")


def catalog_dir(code: str) -> str:
    return "zh_Hans" if code == "zh-hans" else code


LOCALES = [code for code in settings.LANGUAGE_CODES if code != "en"]


def test_there_are_fifteen_languages_with_english():
    assert len(settings.LANGUAGES) == 15


@pytest.mark.parametrize("code", LOCALES)
def test_catalog_is_complete_and_not_fuzzy(code):
    po = polib.pofile(str(LOCALE / catalog_dir(code) / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    assert len(po.translated_entries()) > 100


@pytest.mark.parametrize("code", LOCALES)
def test_translations_keep_their_placeholders(code):
    po = polib.pofile(str(LOCALE / catalog_dir(code) / "LC_MESSAGES" / "django.po"))
    for entry in po.translated_entries():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            found = sorted(PLACEHOLDER.findall(text))
            # Plural forms may drop the count (e.g. "one" written as a word).
            if entry.msgid_plural:
                assert set(found) <= set(expected + PLACEHOLDER.findall(entry.msgid_plural))
            else:
                assert found == expected, (entry.msgid, text)


@pytest.mark.parametrize("code", LOCALES)
def test_dates_are_written_the_languages_way_not_the_american_fallback(code):
    """Day, month name and year in the language's own order; never Django's fallback
    "N j, Y" (month first, then the day and a comma), which no other product language uses."""
    moment = datetime(2026, 12, 7, 21, 5, tzinfo=UTC)
    with translation.override(code):
        for name in ("DATE_FORMAT", "DATETIME_FORMAT"):
            written = formats.date_format(moment, name)
            assert "2026" in written and "7" in written, (code, name, written)
            assert not re.match(r"^\D+ 7, 2026", written), (code, name, written)
            assert "December" not in written and "Dec." not in written, (code, name, written)
