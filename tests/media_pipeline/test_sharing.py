"""Share links: a recap shown to outsiders, public or behind a password, until it expires or is
revoked; the share page shows that recap only, only its player may be framed, and downloads are
named after the movie (RFC 6266)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tenants.utils import tenant_context

from compliance.models import AuditEvent
from media_pipeline import sharing
from media_pipeline.models import JobState, Movie, MovieStatus, Recap, RecapJob, ShareLink
from tests.factories import make_member, use_local_storage

pytestmark = pytest.mark.django_db

VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"recap bytes" * 100
TITLE = "Élan: the “big” night"


@pytest.fixture
def recap(tenant_a, settings, tmp_path):
    use_local_storage(settings, tmp_path)
    with tenant_context(tenant_a):
        movie = Movie.objects.create(title=TITLE, status=MovieStatus.DONE, duration=90.0)
        job = RecapJob.objects.create(movie=movie, state=JobState.DONE)
        prefix = f"tenants/{tenant_a.schema_name}/recaps/{job.pk}"
        for name, body in (("recap.mp4", VIDEO), ("poster.jpg", b"jpeg")):
            default_storage.save(f"{prefix}/{name}", ContentFile(body))
        other = Movie.objects.create(title="Private Movie", status=MovieStatus.DONE)
        other_job = RecapJob.objects.create(movie=other, state=JobState.DONE)
        Recap.objects.create(job=other_job, movie=other, language="en", synopsis="Secret plot.",
                             duration=5.0)  # fmt: skip
        return Recap.objects.create(
            job=job, movie=movie, language="en", video=f"{prefix}/recap.mp4",
            poster=f"{prefix}/poster.jpg", synopsis="A hare wakes up.", duration=9.0,
            chapters=[{"title": "Morning", "recap_start": 0.0}],
        )  # fmt: skip


def link_for(tenant, recap, **options) -> ShareLink:
    with tenant_context(tenant):
        owner = tenant.memberships.filter(user__email="sharer@example.com").first()
        owner = owner.user if owner else make_member(tenant, "sharer@example.com", role="admin")
        return sharing.create_share_link(recap=recap, acting_user=owner, **options)


def visitor(client_for):
    return client_for(host="alpha.localhost")


def test_wrong_passwords_on_a_link_are_limited_per_address(recap, tenant_a, client_for, settings):
    settings.SHARE_PASSWORD_RATE = "3/5min"
    link = link_for(tenant_a, recap, password="open sesame")
    client = visitor(client_for)
    page = f"/s/{link.token}/"
    for _ in range(3):
        assert client.post(page, {"password": "guess"}).status_code == 403
    # Over the limit the right password waits too, so guesses cannot be told apart.
    held = client.post(page, {"password": "open sesame"})
    assert held.status_code == 429 and 0 < int(held["Retry-After"]) <= 300
    body = held.content.decode()
    assert "Too many attempts. Please try again in 5 minutes." in body
    assert "A hare wakes up." not in body
    assert "A hare wakes up." not in client.get(page).content.decode()
    assert client.get(f"/s/{link.token}/video/").status_code == 404
    # Another address still gets in with the password; another link is not affected.
    other = visitor(client_for)
    opened = other.post(page, {"password": "open sesame"}, REMOTE_ADDR="203.0.113.9", follow=True)
    assert "A hare wakes up." in opened.content.decode()
    second = link_for(tenant_a, recap, password="open sesame")
    assert client.post(f"/s/{second.token}/", {"password": "guess"}).status_code == 403


def test_wrong_passwords_from_many_addresses_are_limited_per_link(
    recap, tenant_a, client_for, settings
):
    settings.SHARE_PASSWORD_LINK_RATE = "4/hour"
    link = link_for(tenant_a, recap, password="open sesame")
    page = f"/s/{link.token}/"
    for n in range(4):
        guess = visitor(client_for).post(page, {"password": "guess"}, REMOTE_ADDR=f"198.51.100.{n}")
        assert guess.status_code == 403
    held = visitor(client_for).post(page, {"password": "open sesame"}, REMOTE_ADDR="198.51.100.99")
    assert held.status_code == 429 and "A hare wakes up." not in held.content.decode()


def test_the_limit_message_is_in_the_visitors_language(recap, tenant_a, client_for, settings):
    settings.SHARE_PASSWORD_RATE = "1/5min"
    link = link_for(tenant_a, recap, password="open sesame")
    client = visitor(client_for)
    client.post(f"/s/{link.token}/", {"password": "guess"})
    held = client.post(f"/s/{link.token}/", {"password": "guess"}, HTTP_ACCEPT_LANGUAGE="de")
    assert held.status_code == 429
    assert "Too many attempts" not in held.content.decode()
    assert 'lang="de"' in held.content.decode()


def test_a_member_creates_a_public_link_with_an_embed_code(recap, tenant_a, owner_a, client_for):
    client = client_for(owner_a, host="alpha.localhost")
    response = client.post(f"/recaps/{recap.pk}/share/", {"expires": "7"}, follow=True)
    html = response.content.decode()
    with tenant_context(tenant_a):
        link = ShareLink.objects.get(recap=recap)
    assert not link.protected
    assert timedelta(days=6) < link.expires_at - timezone.now() <= timedelta(days=7)
    assert f'value="http://alpha.localhost/s/{link.token}/"' in html
    assert f"src=&quot;http://alpha.localhost/s/{link.token}/embed/&quot;" in html
    assert AuditEvent.objects.filter(tenant=tenant_a, action="share.created").exists()


def test_the_share_page_shows_that_recap_and_nothing_else(recap, tenant_a, client_for):
    link = link_for(tenant_a, recap)
    response = visitor(client_for).get(f"/s/{link.token}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "A hare wakes up." in html and "Morning" in html
    assert f'src="/s/{link.token}/video/"' in html
    assert "Private Movie" not in html and "Secret plot." not in html
    assert 'href="/movies/' not in html and 'href="/team/' not in html
    assert "Alpha" in html  # the organisation's name, as text
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    embed = visitor(client_for).get(f"/s/{link.token}/embed/")
    assert embed.status_code == 200 and "X-Frame-Options" not in embed
    # The only page other sites may frame, by their Content-Security-Policy too.
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    assert f'src="/s/{link.token}/video/"' in embed.content.decode()


def test_shared_files_and_member_downloads_are_named_after_the_movie(
    recap, tenant_a, owner_a, client_for
):
    link = link_for(tenant_a, recap)
    expected = (
        'attachment; filename="Elan the big night - recap.mp4"; '
        "filename*=UTF-8''%C3%89lan%20the%20%E2%80%9Cbig%E2%80%9D%20night%20-%20recap.mp4"
    )
    shared = visitor(client_for).get(f"/s/{link.token}/video/?download=1")
    assert shared.status_code == 200 and b"".join(shared.streaming_content) == VIDEO
    assert shared["Content-Disposition"] == expected
    member = client_for(owner_a, host="alpha.localhost").get(f"/recaps/{recap.pk}/download/video/")
    assert member.status_code == 200 and member["Content-Disposition"] == expected
    inline = visitor(client_for).get(f"/s/{link.token}/video/", HTTP_RANGE="bytes=0-3")
    assert inline.status_code == 206 and "Content-Disposition" not in inline


def test_a_password_protected_link(recap, tenant_a, client_for):
    link = link_for(tenant_a, recap, password="open sesame")
    client = visitor(client_for)
    locked = client.get(f"/s/{link.token}/").content.decode()
    assert 'name="password"' in locked and "A hare wakes up." not in locked
    assert client.get(f"/s/{link.token}/video/").status_code == 404
    wrong = client.post(f"/s/{link.token}/", {"password": "guess"})
    assert wrong.status_code == 403 and "That password is not right." in wrong.content.decode()
    right = client.post(f"/s/{link.token}/", {"password": "open sesame"}, follow=True)
    assert "A hare wakes up." in right.content.decode()
    assert client.get(f"/s/{link.token}/video/").status_code == 200
    # The embed of a protected link sends people to its page instead of playing.
    assert (
        "watch it on its page"
        in visitor(client_for).get(f"/s/{link.token}/embed/").content.decode()
    )


def test_expired_and_revoked_links_stop_working(recap, tenant_a, owner_a, client_for):
    expired = link_for(tenant_a, recap, expires_in_days=1)
    revoked = link_for(tenant_a, recap)
    with tenant_context(tenant_a):
        ShareLink.objects.filter(pk=expired.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    owner = client_for(owner_a, host="alpha.localhost")
    assert owner.post(f"/shares/{revoked.pk}/revoke/").status_code == 302
    for link in (expired, revoked):
        response = visitor(client_for).get(f"/s/{link.token}/")
        assert response.status_code == 404
        assert "The link has expired or was revoked." in response.content.decode()
        assert visitor(client_for).get(f"/s/{link.token}/video/").status_code == 404
    html = owner.get(f"/recaps/{recap.pk}/").content.decode()
    states = re.findall(r"data-share-state>\s*(.*?)\s*</p>", html, re.S)
    assert sorted(states) == ["Expired", "Revoked"]


def test_bad_input_creates_no_link(recap, tenant_a, owner_a, client_for):
    client = client_for(owner_a, host="alpha.localhost")
    for data, message in (
        ({"password": "short"}, "A link&#x27;s password needs 8 to 128 characters."),
        ({"expires": "5"}, "Choose how long the link works from the list."),
        ({"expires": "soon"}, "Choose how long the link works from the list."),
    ):
        html = client.post(f"/recaps/{recap.pk}/share/", data, follow=True).content.decode()
        assert message in html, data
    with tenant_context(tenant_a):
        assert not ShareLink.objects.exists()


def test_a_viewer_cannot_share(recap, tenant_a, client_for):
    viewer = make_member(tenant_a, "viewer-share@example.com", role="viewer")
    client = client_for(viewer, host="alpha.localhost")
    assert 'action="/recaps/' not in client.get(f"/recaps/{recap.pk}/").content.decode()
    client.post(f"/recaps/{recap.pk}/share/", {})
    with tenant_context(tenant_a):
        assert not ShareLink.objects.exists()


def test_a_link_works_only_on_its_organisation_and_in_arabic(recap, tenant_a, tenant_b, client_for):
    link = link_for(tenant_a, recap)
    assert client_for(host="bravo.localhost").get(f"/s/{link.token}/").status_code == 404
    client = visitor(client_for)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    html = client.get(f"/s/{link.token}/").content.decode()
    assert 'dir="rtl"' in html and "ملخص" in html
