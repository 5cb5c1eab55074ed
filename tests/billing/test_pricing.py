"""The public pricing page: every plan in each of the eight currencies, written for the
reader's locale by Babel, with its tax; and the plans' copy in every language."""

from __future__ import annotations

import pytest
from django.conf import settings

from billing.models import Plan
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# ?currency= → what the Starter plan's price must read in English (Babel, CLDR).
STARTER_IN_ENGLISH = {
    "USD": "$29.00",
    "EUR": "€29.00",
    "GBP": "£25.00",
    "JPY": "¥4,400",
    "SGD": "SGD39.00",
    "CNY": "CN¥199.00",
    "INR": "₹1,999.00",
    "AED": "AED109.00",
}


def page(client_for, query: str = "", language: str = "en") -> str:
    response = client_for(host="localhost").get(f"/pricing/{query}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_pricing_lists_every_plan_with_its_limits(client_for, platform):
    body = page(client_for)
    for name in ("Free", "Starter", "Professional", "Enterprise"):
        assert f">{name}</h2>" in body
    assert "For trying Movie Recap on a few movies." in body
    assert "1,000 GB of storage" in body
    assert "Movies up to 480 minutes" in body
    assert "Custom price" in body
    assert "Contact us" in body


@pytest.mark.parametrize(("currency", "starter"), STARTER_IN_ENGLISH.items())
def test_each_currency_shows_its_regional_price_formatted_by_babel(
    client_for, platform, currency, starter
):
    body = page(client_for, f"?currency={currency}")
    assert f'data-testid="price-starter"><bdi>{starter}</bdi>' in body
    assert f'data-currency="{currency}" aria-current="true"' in body


def test_yen_has_no_decimals(client_for, platform):
    body = page(client_for, "?currency=JPY")
    assert "¥14,800" in body
    assert "¥4,400.00" not in body and "¥14,800.00" not in body


def test_inclusive_tax_shows_its_rate_and_amount(client_for, platform):
    body = page(client_for, "?currency=GBP")
    # £25.00 includes 20% VAT: 25 × 20/120 = £4.17.
    assert "Includes 20% VAT (£4.17)." in body
    assert "Prices include tax." in body
    jpy = page(client_for, "?currency=JPY")
    assert "Includes 10% consumption tax (¥400)." in jpy


def test_us_prices_exclude_sales_tax(client_for, platform):
    body = page(client_for, "?currency=USD")
    assert "Plus sales tax where it applies, calculated at checkout." in body
    assert "Prices exclude tax." in body


def test_the_readers_country_decides_the_vat_rate_of_euro_prices(client_for, platform):
    german = page(client_for, "?currency=EUR", language="de-DE,de;q=0.9")
    # €29.00 with Germany's 19%: 29 × 19/119 = €4.63, written the German way.
    assert "Enthält 19 % MwSt. (4,63 €)." in german
    irish = page(client_for, "?currency=EUR", language="en-IE")
    assert "Includes 23% VAT (€5.42)." in irish


def test_without_a_choice_the_browsers_country_picks_the_currency(client_for, platform):
    assert 'data-currency="JPY" aria-current="true"' in page(client_for, language="ja-JP")
    assert 'data-currency="INR" aria-current="true"' in page(client_for, language="en-IN")
    assert 'data-currency="EUR" aria-current="true"' in page(client_for, language="en")


def test_an_unknown_currency_falls_back_to_the_visitors(client_for, platform):
    body = page(client_for, "?currency=XYZ", language="en-GB")
    assert 'data-currency="GBP" aria-current="true"' in body


def test_arabic_readers_get_arabic_formatting_right_to_left(client_for, platform):
    body = page(client_for, "?currency=AED", language="ar")
    assert '<html lang="ar" dir="rtl">' in body
    assert "د.إ.\u200f" in body  # the dirham's Arabic symbol, from CLDR
    assert "109.00" in body
    assert "مجاني" in body


def test_prices_and_numbers_are_formatted_for_the_visitors_locale(client_for, platform):
    body = page(client_for, "?currency=EUR", language="fr")
    assert "Gratuit" in body
    assert "29,00\u00a0€" in body
    assert "1\u00a0000" in body


def test_plans_not_offered_publicly_stay_hidden(client_for, platform):
    Plan.objects.filter(code="enterprise").update(is_public=False)
    assert "Enterprise" not in page(client_for)


def test_the_public_header_and_landing_page_link_to_pricing(client_for, platform):
    body = client_for(host="localhost").get("/").content.decode()
    assert body.count('href="/pricing/"') >= 2


def test_every_plan_has_copy_in_every_language(platform):
    for plan in Plan.objects.filter(code__in=["free", "starter", "professional", "enterprise"]):
        for code, _name in settings.LANGUAGES:
            column = code.replace("-", "_")
            assert getattr(plan, f"name_{column}"), (plan.code, code)
            assert getattr(plan, f"description_{column}"), (plan.code, code)


def test_every_paid_plan_has_a_price_in_each_of_the_eight_currencies(platform):
    for code in ("starter", "professional"):
        plan = Plan.objects.get(code=code)
        assert sorted(plan.prices.values_list("currency", flat=True)) == sorted(
            ["USD", "EUR", "GBP", "JPY", "SGD", "CNY", "INR", "AED"]
        )


@pytest.mark.parametrize(
    ("url", "field"),
    [("/admin/billing/plan/{plan}/change/", "description"), ("/admin/tenants/tenant/", "name")],
)
def test_the_platform_admin_edits_every_language(client_for, tenant_a, url, field):
    staff = make_user("ops@example.com", is_staff=True)
    staff.is_superuser = True
    staff.save()
    client = client_for(staff, host="localhost")
    if "{plan}" in url:
        url = url.format(plan=Plan.objects.get(code="free").pk)
    else:
        url = f"{url}{tenant_a.pk}/change/"
    body = client.get(url).content.decode()
    for code, _name in settings.LANGUAGES:
        assert f'name="{field}_{code.replace("-", "_")}"' in body
