"""The eight currencies we sell in, how their amounts are counted and written (Babel, in the
reader's locale), which one an organisation gets at signup, and the tax shown beside a price."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_percent, get_currency_precision
from django.utils import translation
from django.utils.translation import gettext_lazy as _

CURRENCIES = ("USD", "EUR", "GBP", "JPY", "SGD", "CNY", "INR", "AED")
DEFAULT_CURRENCY = "EUR"

# Where an organisation's data lives says where it most likely pays, when its people's browser
# locale does not say better.
REGION_CURRENCY = {
    "us-east-1": "USD",
    "us-west-2": "USD",
    "eu-west-1": "EUR",
    "ap-southeast-1": "SGD",
}
# The euro area, with each country's standard VAT rate (percent).
EU_VAT = {
    "AT": 20, "BE": 21, "CY": 19, "DE": 19, "EE": 24, "ES": 21, "FI": 25.5, "FR": 20, "GR": 24,
    "HR": 25, "IE": 23, "IT": 22, "LT": 21, "LU": 17, "LV": 21, "MT": 18, "NL": 21, "PT": 23,
    "SI": 22, "SK": 23,
}  # fmt: skip
EURO_COUNTRIES = frozenset(EU_VAT)
COUNTRY_CURRENCY = {
    "US": "USD", "GB": "GBP", "JP": "JPY", "SG": "SGD", "CN": "CNY", "IN": "INR", "AE": "AED",
    **dict.fromkeys(EURO_COUNTRIES, "EUR"),
}  # fmt: skip


def minor_units(currency: str) -> int:
    """Digits after the decimal point in Stripe's amounts: 0 for JPY (a zero-decimal
    currency, where 4400 means ¥4,400), 2 for the others."""
    return get_currency_precision(currency)


def from_minor(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-minor_units(currency))


def babel_locale(language: str | None = None) -> Locale:
    code = translation.to_locale(language or translation.get_language() or "en")
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def format_money(amount: int, currency: str, language: str | None = None) -> str:
    """An amount in minor units, written the way a reader of `language` writes money."""
    return format_currency(from_minor(amount, currency), currency, locale=babel_locale(language))


def currency_name(currency: str, language: str | None = None) -> str:
    return babel_locale(language).currencies.get(currency, currency)


def _territory(language_tag: str) -> str | None:
    try:
        return Locale.parse(language_tag.replace("-", "_")).territory
    except (UnknownLocaleError, ValueError):
        return None


def currency_for_signup(*, region: str, accept_language: str = "", language: str = "") -> str:
    """The browser's first locale with a country we sell in (fr-FR → EUR, ja-JP → JPY), else
    a language spoken in one currency's market, else the data region's currency."""
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip()
        if tag and tag != "*":
            country = _territory(tag)
            if country in COUNTRY_CURRENCY:
                return COUNTRY_CURRENCY[country]
    by_language = {"ja": "JPY", "zh-hans": "CNY", "hi": "INR"}
    if language in by_language:
        return by_language[language]
    return REGION_CURRENCY.get(region, DEFAULT_CURRENCY)


@dataclass(frozen=True)
class TaxRule:
    country: str
    name: object  # a lazily translated name: VAT, GST, consumption tax, sales tax
    rate: Decimal | None  # None: depends on the buyer's address (US sales tax)
    inclusive: bool


VAT, GST = _("VAT"), _("GST")
TAX_RULES = {
    "US": TaxRule("US", _("sales tax"), None, inclusive=False),
    "GB": TaxRule("GB", VAT, Decimal(20), inclusive=True),
    "JP": TaxRule("JP", _("consumption tax"), Decimal(10), inclusive=True),
    "SG": TaxRule("SG", GST, Decimal(9), inclusive=True),
    "CN": TaxRule("CN", VAT, Decimal(6), inclusive=True),
    "IN": TaxRule("IN", GST, Decimal(18), inclusive=True),
    "AE": TaxRule("AE", VAT, Decimal(5), inclusive=True),
    **{c: TaxRule(c, VAT, Decimal(str(rate)), inclusive=True) for c, rate in EU_VAT.items()},
}
# The country whose tax a price in this currency is shown with, when the reader's own country
# does not use the currency (Ireland: where the EU data region and our EU entity are).
HOME_COUNTRY = {
    "USD": "US", "EUR": "IE", "GBP": "GB", "JPY": "JP", "SGD": "SG", "CNY": "CN", "INR": "IN",
    "AED": "AE",
}  # fmt: skip


def tax_rule(currency: str, accept_language: str = "") -> TaxRule:
    """The tax shown with prices in `currency`: the reader's country's when it pays in that
    currency (a German reader sees German VAT on euro prices), else the currency's home."""
    for part in accept_language.split(","):
        country = _territory(part.split(";")[0].strip())
        if country and COUNTRY_CURRENCY.get(country) == currency and country in TAX_RULES:
            return TAX_RULES[country]
    return TAX_RULES[HOME_COUNTRY[currency]]


def tax_in(amount: int, rule: TaxRule, currency: str) -> int:
    """The tax contained in a tax-inclusive amount (minor units, rounded half up)."""
    if rule.rate is None or not rule.inclusive:
        return 0
    tax = Decimal(amount) * rule.rate / (100 + rule.rate)
    return int(tax.quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def format_rate(rate: Decimal, language: str | None = None) -> str:
    return format_percent(rate / 100, locale=babel_locale(language), decimal_quantization=False)
