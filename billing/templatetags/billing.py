"""Template filters for money (minor units, written in the reader's locale) and hours."""

from __future__ import annotations

from django import template

from billing import currencies

register = template.Library()


@register.filter
def money(amount: int, currency: str) -> str:
    return currencies.format_money(int(amount or 0), str(currency))


@register.filter
def hours(seconds: float) -> float:
    return float(seconds or 0) / 3600
