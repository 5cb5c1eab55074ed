"""Security headers on every kind of page: a nonce-based Content-Security-Policy without inline
script, no framing, Permissions-Policy and Referrer-Policy; and no inline script in templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.api.conftest import add_movie, add_recap
from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent.parent
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def assert_safe_headers(response) -> None:
    policy = directives(response)
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["object-src"] == "object-src 'none'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["default-src"] == "default-src 'self'"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/signup/", "/accounts/login/", "/accounts/password-reset/", "/admin/login/"]
)
def test_public_pages_carry_the_policy(client_for, platform, path):
    response = client_for(host="localhost").get(path)
    # The admin's sign-in sends people on to the product's (two-factor) sign-in.
    assert response.status_code == (302 if path.startswith("/admin/") else 200)
    assert_safe_headers(response)


@pytest.mark.django_db
def test_organisation_pages_api_and_errors_carry_the_policy(
    client_for, tenant_a, owner_a, settings, tmp_path
):
    from tests.factories import use_local_storage

    use_local_storage(settings, tmp_path / "storage")
    movie = add_movie(tenant_a, owner_a)
    recap = add_recap(tenant_a, movie)
    client = client_for(owner_a, host="alpha.localhost")
    for path in ["/", "/movies/upload/", f"/movies/{movie.pk}/", f"/recaps/{recap.pk}/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_safe_headers(response)
    api = client.get("/api/v1/me/")
    assert api.status_code == 200
    assert_safe_headers(api)
    missing = client.get("/movies/987654/")
    assert missing.status_code == 404
    assert_safe_headers(missing)


@pytest.mark.django_db
def test_the_api_docs_inline_style_carries_the_responses_nonce(client_for, platform):
    response = client_for(host="localhost").get("/api/docs/")
    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", directives(response)["style-src"]).group(1)
    page = response.content.decode()
    assert f'<style nonce="{nonce}">' in page
    assert not INLINE_SCRIPT.search(page)
    # Swagger UI's start-up script comes from the same view as a script file of its own.
    script = client_for(host="localhost").get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_no_template_has_inline_script_event_handlers_or_style_attributes():
    offenders = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE):
            offenders += [
                f"{template.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)
            ]
    assert offenders == []


@pytest.mark.django_db
def test_only_the_admin_may_style_inline_and_nothing_may_script_inline(
    client_for, tenant_a, owner_a
):
    operator = make_user("csp-admin@example.com", is_staff=True)
    operator.is_superuser = True
    operator.save()
    admin = client_for(operator, host="localhost").get("/admin/")
    assert admin.status_code == 200
    policy = admin["Content-Security-Policy"]
    assert "style-src-attr 'unsafe-inline'" in policy
    script = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "unsafe-inline" not in script
    page = client_for(owner_a, host="alpha.localhost").get("/")
    assert page.status_code == 200
    assert "unsafe-inline" not in page["Content-Security-Policy"]
