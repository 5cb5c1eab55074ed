"""Helpers for browser tests: a Chromium context already signed in on a tenant host, and the
header's menu opened on a phone."""

from __future__ import annotations

from django.test import Client


def signed_in_page(browser, user, host: str, *, locale: str = "en-US", **options):
    """A new tab signed in as `user` on `host`; `options` go to the browser context
    (viewport, java_script_enabled, ...)."""
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    if user.is_staff:  # the admin wants a session that passed two-factor sign-in (0022)
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from tests import factories

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        factories.verify_session(client, device or factories.enrol_two_factor(user))
    context = browser.new_context(locale=locale, **options)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value,
          "domain": host, "path": "/"}]
    )  # fmt: skip
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return context, page, errors


def open_menu(page) -> None:
    """On a phone-wide window the header's links wait behind its Menu button: open it."""
    toggle = page.locator("[data-menu-toggle]")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
