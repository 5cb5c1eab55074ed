"""The Content-Security-Policy lets every main page work: Chromium reports no policy violation
while a member signs in on the product's site, is handed off to the organisation's site, and
opens the dashboard, the upload page, a movie and its recap."""

from __future__ import annotations

import re

import pytest

from tenants.models import Tenant
from tests import factories
from tests.api.conftest import add_movie, add_recap
from tests.factories import PASSWORD, use_local_storage

pytestmark = pytest.mark.e2e

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${location.pathname}`);
});
"""


@pytest.fixture
def site(live_server, transactional_db, settings, tmp_path):
    use_local_storage(settings, tmp_path / "storage")
    settings.WORK_ROOT = str(tmp_path / "work")
    factories.ensure_platform()
    tenant = factories.make_tenant("csp-e2e")
    owner = factories.make_member(tenant, "owner@csp-e2e.example", role="owner")
    movie = add_movie(tenant, owner, title="Le Voyage")
    recap = add_recap(tenant, movie)
    port = live_server.url.rsplit(":", 1)[1]
    yield owner, movie, recap, port
    for other in Tenant.objects.exclude(schema_name="public"):
        other.delete(force_drop=True)


def test_the_main_journey_raises_no_policy_violation(site, browser):
    owner, movie, recap, port = site
    context = browser.new_context(locale="en-US")
    context.add_init_script(LISTEN)
    page = context.new_page()
    reported: list[str] = []
    page.on(
        "console",
        lambda msg: reported.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    violations: list[str] = []

    def visit_and_collect() -> None:
        page.wait_for_load_state("load")
        violations.extend(page.evaluate("window.__violations"))

    try:
        response = page.goto(f"http://localhost:{port}/accounts/login/")
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        visit_and_collect()
        page.locator("#id_username").fill(owner.email)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("main form[method=post] button[type=submit]").click()
        # One organisation: straight through the hand-off to its dashboard.
        page.wait_for_url(re.compile(rf"^http://csp-e2e\.localhost:{port}/$"))
        visit_and_collect()
        for path in ["/movies/upload/", f"/movies/{movie.pk}/", f"/recaps/{recap.pk}/"]:
            assert page.goto(f"http://csp-e2e.localhost:{port}{path}").status == 200
            visit_and_collect()
    finally:
        context.close()
    assert violations == []
    assert reported == []
