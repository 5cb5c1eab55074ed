"""The public pricing page and the plans' copy in every language."""

from __future__ import annotations

import pytest
from django.conf import settings

from billing.models import Plan
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def priced_plans(platform):
    # Known prices, whatever a transactional test left behind.
    Plan.objects.filter(code="starter").update(monthly_price_cents=2950)
    Plan.objects.filter(code="professional").update(monthly_price_cents=9900)
    return Plan.objects.filter(is_public=True)


def test_pricing_lists_every_plan_with_its_limits_and_monthly_price(client_for, priced_plans):
    response = client_for(host="localhost").get("/pricing/")
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("Free", "Starter", "Professional", "Enterprise"):
        assert f">{name}</h2>" in body
    assert "For trying Movie Recap on a few movies." in body
    assert "€29.50" in body
    assert "€99<" in body
    assert "1,000 GB of storage" in body
    assert "Movies up to 480 minutes" in body
    assert "Custom price" in body


def test_plan_names_follow_the_visitors_language(client_for, priced_plans):
    body = client_for(host="localhost").get("/pricing/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert "مجاني" in body
    assert "لتجربة Movie Recap على بضعة أفلام." in body
    assert ">Free</h2>" not in body


def test_prices_and_numbers_are_formatted_for_the_visitors_locale(client_for, priced_plans):
    body = client_for(host="localhost").get("/pricing/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Gratuit" in body
    assert "29,50" in body
    assert "1\u00a0000" in body


def test_plans_not_offered_publicly_stay_hidden(client_for, priced_plans):
    Plan.objects.filter(code="enterprise").update(is_public=False)
    body = client_for(host="localhost").get("/pricing/").content.decode()
    assert "Enterprise" not in body


def test_the_public_header_and_landing_page_link_to_pricing(client_for, platform):
    body = client_for(host="localhost").get("/").content.decode()
    assert body.count('href="/pricing/"') >= 2


def test_every_plan_has_copy_in_every_language(platform):
    for plan in Plan.objects.filter(code__in=["free", "starter", "professional", "enterprise"]):
        for code, _name in settings.LANGUAGES:
            column = code.replace("-", "_")
            assert getattr(plan, f"name_{column}"), (plan.code, code)
            assert getattr(plan, f"description_{column}"), (plan.code, code)


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
