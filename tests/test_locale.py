"""Every product language has a complete catalog: nothing untranslated, nothing fuzzy, and the
placeholders of each translation match its source."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

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
