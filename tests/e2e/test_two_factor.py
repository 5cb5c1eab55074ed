"""Two-factor authentication in a real browser: an organisation requires it, its owner signs in
with the password, is sent to set up an authenticator (QR code and secret), confirms a code and
sees the recovery codes; then signs in again in Arabic, right to left, with the second step."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from tenants.models import Tenant, TenantSecurityPolicy
from tests import factories
from tests.e2e.a11y import assert_no_serious_violations, assert_rendered_in
from tests.e2e.helpers import open_menu

pytestmark = pytest.mark.e2e


@pytest.fixture
def tenant_site(live_server, transactional_db):
    factories.ensure_platform()
    tenant = factories.make_tenant("secure", name="Secure Films")
    owner = factories.make_member(tenant, "owner@secure.example", role="owner")
    TenantSecurityPolicy.objects.create(tenant=tenant, require_2fa=True)
    port = live_server.url.rsplit(":", 1)[1]
    yield f"http://secure.localhost:{port}", owner
    for tenant in Tenant.objects.exclude(schema_name="public"):
        tenant.delete(force_drop=True)


def code_from_secret(secret: str, *, ahead: int = 0) -> str:
    key = b32decode(secret.replace(" ", "")).hex()
    return factories.totp_code(TOTPDevice(key=key), ahead=ahead)


def sign_in_with_password(page, site: str, email: str) -> None:
    page.goto(f"{site}/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("form[novalidate] button[type=submit]").click()


def test_enrol_then_sign_in_with_the_second_step_in_english_and_arabic(tenant_site, browser):
    site, owner = tenant_site
    context = browser.new_context(locale="en-US", viewport={"width": 360, "height": 780})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # The password alone leads to the set-up page: the organisation requires two factors.
    sign_in_with_password(page, site, owner.email)
    page.wait_for_url(re.compile(r"/accounts/security/"))
    assert_rendered_in(page, "en")
    assert page.get_by_test_id("two-factor-required").is_visible()
    assert page.locator("figure.qr svg").is_visible()
    assert_no_serious_violations(page, "the two-factor set-up page (en)")
    page.goto(f"{site}/movies/")  # every other page sends them back
    page.wait_for_url(re.compile(r"/accounts/security/"))

    secret = page.get_by_test_id("totp-secret").inner_text()
    page.locator("#id_code").fill("000000")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    assert "That code is not right" in page.locator(".field.has-error .error").inner_text()
    page.locator("#id_code").fill(code_from_secret(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT
    page.get_by_role("link", name="I have saved them, go on").click()
    page.goto(f"{site}/")
    assert page.get_by_test_id("dashboard-title").is_visible()

    # Signed out, in Arabic: the password, then the code, right to left.
    open_menu(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    open_menu(page)
    with page.expect_navigation():
        page.locator("#language-select").select_option("ar")
    sign_in_with_password(page, site, owner.email)
    page.wait_for_url(re.compile(r"/accounts/two-factor/$"))
    assert_rendered_in(page, "ar")
    assert_no_serious_violations(page, "the second step of sign-in (ar)")
    page.locator("#id_code").fill("111111")
    page.locator("form[novalidate] button[type=submit]").click()
    error = page.locator(".field.has-error .error")
    assert error.is_visible()
    assert "not right" not in error.inner_text()
    assert_rendered_in(page, "ar")
    page.locator("#id_code").fill(code_from_secret(secret, ahead=1))
    page.locator("form[novalidate] button[type=submit]").click()
    page.wait_for_url(re.compile(r"secure\.localhost:\d+/$"))
    assert_rendered_in(page, "ar")
    assert page.get_by_test_id("dashboard-title").is_visible()
    # The two wrong codes were answered 400 on purpose; nothing else may complain.
    assert [e for e in errors if "status of 400" not in e] == []
    context.close()
