"""The pricing page in a real Chromium, in English and in Arabic (right to left), in each of
the eight currencies: prices written by Babel for the reader's locale, tax labelled, and no
sideways scrolling on a phone."""

from __future__ import annotations

import pytest

from tests import factories
from tests.e2e.a11y import assert_rendered_in

pytestmark = pytest.mark.e2e

CURRENCIES = ["USD", "EUR", "GBP", "JPY", "SGD", "CNY", "INR", "AED"]
# What the Starter price reads in each language (CLDR data, through Babel).
STARTER = {
    "en": {"USD": "$29.00", "EUR": "€29.00", "GBP": "£25.00", "JPY": "¥4,400",
           "SGD": "SGD39.00", "CNY": "CN¥199.00", "INR": "₹1,999.00", "AED": "AED109.00"},
    "ar": {"JPY": "4,400", "INR": "1,999.00", "AED": "د.إ.", "USD": "29.00"},
}  # fmt: skip


@pytest.fixture
def site(live_server, transactional_db):
    factories.ensure_platform()
    return live_server.url.replace("127.0.0.1", "localhost")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_pricing_in_every_currency(site, browser, language):
    context = browser.new_context(
        locale="en-US" if language == "en" else "ar", viewport={"width": 360, "height": 780}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        for currency in CURRENCIES:
            page.goto(f"{site}/pricing/?currency={currency}")
            assert_rendered_in(page, language)
            price = page.get_by_test_id("price-starter").inner_text()
            expected = STARTER[language].get(currency)
            if expected:
                assert expected in price, (currency, price)
            if currency == "JPY":
                assert "." not in price.replace("\u200f", "")
            tax = page.get_by_test_id("tax-starter").inner_text()
            assert tax, currency
            if language == "en":
                word = "Plus sales tax" if currency == "USD" else "Includes"
                assert tax.startswith(word), (currency, tax)
            current = page.locator(f'[data-currency="{currency}"]')
            assert current.get_attribute("aria-current") == "true"
        if language == "ar":
            assert page.evaluate("document.documentElement.dir") == "rtl"
    finally:
        context.close()
    assert errors == []
