"""Every word a visitor can see in a template goes through gettext.

Visible text is what remains of a template once comments, {% translate %} / {% blocktranslate %}
and every other tag and variable are taken out: text nodes outside <script> and <style>, and the
attributes a browser shows or reads aloud (title, alt, placeholder, aria-label, label). Text made
only of digits, punctuation and symbols is fine as it is.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

VISIBLE_ATTRIBUTES = frozenset({"title", "alt", "placeholder", "aria-label", "label"})
# Legitimate untranslated words: none so far. Prefer {% translate %} to growing this list.
ALLOWED = frozenset[str]()

# Stands in for each removed tag: not a letter, and keeps words on either side apart.
MARK = "\ufffc"
COMMENT = re.compile(r"\{#.*?#\}", re.S)
COMMENT_BLOCK = re.compile(r"\{%\s*comment\b.*?%\}.*?\{%\s*endcomment\s*%\}", re.S)
BLOCKTRANSLATE = re.compile(
    r"\{%\s*blocktrans(?:late)?\b.*?%\}.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.S
)
TAG_OR_VARIABLE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)


def needs_translation(text: str) -> bool:
    words = " ".join(text.replace(MARK, " ").split())
    return words not in ALLOWED and any(char.isalpha() for char in words)


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.raw_depth = 0
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.raw_depth += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value and needs_translation(value):
                self.found.append(f'<{tag} {name}="{value.replace(MARK, "…")}">')

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.raw_depth = max(0, self.raw_depth - 1)

    def handle_data(self, data: str) -> None:
        if not self.raw_depth and needs_translation(data):
            self.found.append(" ".join(data.replace(MARK, "…").split()))


def untranslated_text(source: str) -> list[str]:
    """The visible text of a template that is not inside a translation tag."""
    for pattern in (COMMENT, COMMENT_BLOCK, BLOCKTRANSLATE, TAG_OR_VARIABLE):
        source = pattern.sub(MARK, source)
    parser = VisibleText()
    parser.feed(source)
    parser.close()
    return parser.found


def template_dirs() -> list[Path]:
    base = Path(settings.BASE_DIR)
    dirs = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    for app in apps.get_app_configs():
        candidate = Path(app.path) / "templates"
        # Our own apps only; installed libraries translate their own templates.
        if candidate.is_dir() and base in candidate.parents and ".venv" not in candidate.parts:
            dirs.append(candidate)
    return dirs


def project_templates() -> list[Path]:
    return sorted(
        path
        for directory in template_dirs()
        for path in directory.rglob("*")
        if path.is_file() and path.suffix in {".html", ".txt"}
    )


@pytest.mark.parametrize(
    "path", project_templates(), ids=lambda p: str(p.relative_to(settings.BASE_DIR))
)
def test_template_shows_no_text_outside_gettext(path):
    assert untranslated_text(path.read_text(encoding="utf-8")) == []


def test_the_check_covers_the_project_templates():
    names = {path.name for path in project_templates()}
    assert {"base.html", "profile.html", "settings.html", "pricing.html"} <= names


def test_plain_text_is_reported():
    assert untranslated_text("<p>Hello <b>world</b></p>") == ["Hello", "world"]


def test_text_in_translate_and_blocktranslate_passes():
    source = (
        "{% load i18n %}<h1>{% translate 'Library' %}</h1>"
        "<p>{% blocktranslate with name=t.name %}Join <bdi>{{ name }}</bdi>{% endblocktranslate %}"
        "</p><p>{% blocktranslate count n=c %}{{ n }} movie{% plural %}{{ n }} movies"
        "{% endblocktranslate %}</p>"
    )
    assert untranslated_text(source) == []


def test_text_beside_a_variable_is_reported():
    assert untranslated_text("<span>{{ seconds }} s</span>") == ["… s"]


def test_visible_attributes_need_translation_and_others_do_not():
    source = (
        '<img alt="Poster" src="a.jpg"><input placeholder="Search" name="q" type="search">'
        '<nav aria-label="{% translate \'Pages\' %}"><a href="/x" title="Home" class="link"></a>'
        '<track kind="metadata" label="thumbnails"></nav>'
    )
    assert untranslated_text(source) == [
        '<img alt="Poster">',
        '<input placeholder="Search">',
        '<a title="Home">',
        '<track label="thumbnails">',
    ]


def test_scripts_styles_comments_symbols_and_digits_pass():
    source = (
        "<style>.a { color: red }</style><script>const label = 'text';</script>"
        "{# a note #}{% comment %}Draft words{% endcomment %}"
        "<p>{{ a }} · {{ b }}% × 100 — &copy; 2026</p>"
    )
    assert untranslated_text(source) == []
