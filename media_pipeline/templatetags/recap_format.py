"""How the library, dashboard, movie and recap pages write lengths, sizes and languages."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from web import formats

register = template.Library()


@register.filter
def clock(seconds: float | None) -> str:
    """An exact running time, m:ss (h:mm:ss from an hour on): 30 s reads 0:30, 71 s 1:11."""
    return formats.clock(seconds)


@register.filter
def language_name(code: str | None) -> str:
    """A language code in the reader's language ("en" reads "English", "anglais", ...)."""
    if not code:
        return ""
    names = dict(settings.LANGUAGES)
    name = names.get(code) or names.get(code.split("-")[0])
    return str(name) if name is not None else code


@register.filter
def size(count: int | float | None) -> str:
    """Bytes with the unit that keeps the number readable: 13.5 MB, not 0.0 GB."""
    return str(filesizeformat(count or 0))


@register.filter
def storage_of(used: int | float | None, total_gb: int | float | None) -> str:
    """'13.5 MB of 10 GB'; 'unlimited' when the plan sets no cap."""
    if not total_gb:
        return _("%(used)s of unlimited storage") % {"used": size(used)}
    return _("%(used)s of %(total)s GB") % {"used": size(used), "total": intcomma(total_gb)}
