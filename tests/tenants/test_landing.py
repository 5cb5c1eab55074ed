"""The product's own pages: the landing page, its footer's terms, privacy and contact pages,
and what the signup form tells a visitor."""

from __future__ import annotations

import re

import pytest

from tenants.models import Tenant
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/terms/", "/privacy/", "/contact/"])
def test_the_legal_and_contact_pages_are_open_and_linked_from_the_footer(
    client_for, platform, path
):
    visitor = client_for(host="localhost")
    assert visitor.get(path).status_code == 200
    landing = visitor.get("/").content.decode()
    footer = landing.split('<footer class="site-footer">')[1]
    assert f'href="{path}"' in footer


def test_the_contact_page_gives_the_support_address(client_for, platform, settings):
    settings.SUPPORT_EMAIL = "help@recap.example"
    body = client_for(host="localhost").get("/contact/").content.decode()
    assert 'href="mailto:help@recap.example"' in body


def test_an_organisations_pages_link_the_footer_to_the_products_site(client_for, owner_a):
    body = client_for(owner_a, host="alpha.localhost").get("/").content.decode()
    footer = body.split('<footer class="site-footer">')[1]
    assert 'href="http://localhost:8000/terms/"' in footer
    assert 'href="http://localhost:8000/contact/"' in footer


def test_the_footer_pages_are_translated(client_for, platform):
    body = client_for(host="localhost").get("/privacy/", HTTP_ACCEPT_LANGUAGE="ar").content
    text = body.decode()
    assert 'dir="rtl"' in text and "الخصوصية" in text and "شروط الخدمة" in text


def test_signed_in_visitors_see_their_organisations_instead_of_sign_in(
    client_for, owner_a, tenant_b
):
    make_member(tenant_b, owner_a.email, role="member")
    Tenant.objects.filter(pk=tenant_b.pk).update(status="suspended")
    body = client_for(owner_a, host="localhost").get("/").content.decode()
    hero = body.split('class="hero"')[1].split("</section>")[0]
    assert "Your organisations" in hero and "<bdi>Alpha</bdi>" in hero
    assert "<bdi>Bravo</bdi>" not in hero  # suspended: it cannot be entered
    assert 'href="http://alpha.localhost/accounts/handoff/"' in hero
    assert "Sign in" not in body
    assert "Create another organisation" in hero


def test_a_signed_in_visitor_without_organisations_is_offered_to_create_one(client_for, platform):
    body = client_for(make_user("new@example.com"), host="localhost").get("/").content.decode()
    assert "Your organisations" not in body and "Create your organisation" in body
    assert "Sign in" not in body


def test_plan_cards_write_storage_as_the_pricing_page_does(client_for, platform):
    visitor = client_for(host="localhost")
    landing = visitor.get("/").content.decode()
    pricing = visitor.get("/pricing/").content.decode()
    assert "1,000 GB of storage" in landing and "1,000 GB of storage" in pricing
    assert "1000 GB" not in landing and "1000 GB" not in pricing


def test_the_signup_form_names_the_address_and_suggests_it_with_a_static_script(
    client_for, platform
):
    body = client_for(host="localhost").get("/signup/").content.decode()
    assert "Your site&#x27;s address" in body or "Your site's address" in body
    assert 'data-suggest-from="name"' in body
    assert re.search(r'<script src="/static/js/signup\.[\w.]*js" defer>', body)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)  # no inline script
    assert 'data-busy-label="Creating your organisation…"' in body
    assert 'data-testid="password-again"' not in body


def test_after_an_error_the_form_says_the_password_must_be_typed_again(client_for, platform):
    response = client_for(host="localhost").post(
        "/signup/",
        {"name": "Northwind", "slug": "www", "region": "eu-west-1",
         "email": "nora@northwind.example", "password": "a long and unusual passphrase 7"},
    )  # fmt: skip
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="password-again"' in body
    assert "a long and unusual passphrase 7" not in body  # never sent back to the browser
    assert 'value="Northwind"' in body and 'value="www"' in body
    assert not Tenant.objects.filter(slug="www").exists()


def test_the_landing_page_plays_an_example_recap_with_its_attribution(client_for, platform):
    from django.conf import settings

    body = client_for(host="localhost").get("/").content.decode()
    assert 'data-testid="example-recap"' in body
    assert "Tears of Steel</cite> (c) Blender Foundation" in body and "CC BY 3.0" in body
    video = settings.BASE_DIR / "static" / "examples" / "tears-of-steel-recap.mp4"
    assert 0 < video.stat().st_size <= 3 * 1024 * 1024
    assert (settings.BASE_DIR / "static" / "examples" / "ATTRIBUTION.md").exists()
