"""The account page: a person's name, preferred language and password."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from compliance.models import AuditEvent
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a fresh and long passphrase 77"


@pytest.mark.parametrize("host", ["alpha.localhost", "localhost"])
def test_account_page_offers_profile_and_password_forms(client_for, owner_a, host):
    page = client_for(owner_a, host=host).get("/accounts/profile/")
    assert page.status_code == 200
    body = page.content.decode()
    for field in ("full_name", "language", "old_password", "new_password1", "new_password2"):
        assert f'name="{field}"' in body
        assert f'for="id_{field}"' in body


def test_header_links_to_the_account_page_when_signed_in(client_for, owner_a):
    body = client_for(owner_a, host="alpha.localhost").get("/").content.decode()
    assert 'href="/accounts/profile/"' in body
    anonymous = client_for(host="localhost").get("/").content.decode()
    assert 'href="/accounts/profile/"' not in anonymous


def test_visitors_are_sent_to_sign_in(client_for, platform):
    response = client_for(host="localhost").get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_saving_the_profile_changes_name_and_language_at_once(client_for, owner_a):
    client = client_for(owner_a, host="alpha.localhost")
    response = client.post(
        "/accounts/profile/",
        {"form": "profile", "full_name": "  Amira   Haddad ", "language": "ar"},
    )
    assert response.status_code == 302
    assert response.cookies["recap_language"].value == "ar"
    owner_a.refresh_from_db()
    assert (owner_a.full_name, owner_a.language) == ("Amira Haddad", "ar")
    page = client.get(response["Location"])
    assert '<html lang="ar" dir="rtl">' in page.content.decode()
    event = AuditEvent.objects.get(action="user.profile_updated", actor=owner_a)
    assert event.data["language"] == {"from": "", "to": "ar"}


def test_an_unknown_language_is_refused_and_changes_nothing(client_for, owner_a):
    response = client_for(owner_a, host="alpha.localhost").post(
        "/accounts/profile/", {"form": "profile", "full_name": "Owner A", "language": "xx"}
    )
    assert response.status_code == 400
    assert "Choose one of the offered languages." in response.content.decode()
    owner_a.refresh_from_db()
    assert (owner_a.full_name, owner_a.language) == ("", "")
    assert not AuditEvent.objects.filter(action="user.profile_updated").exists()


def test_an_empty_name_is_refused_and_changes_nothing(client_for, owner_a):
    response = client_for(owner_a, host="localhost").post(
        "/accounts/profile/", {"form": "profile", "full_name": "   ", "language": "fr"}
    )
    assert response.status_code == 400
    assert "Enter your name." in response.content.decode()
    owner_a.refresh_from_db()
    assert owner_a.language == ""


def test_changing_the_password_keeps_this_session(client_for, owner_a):
    client = client_for(owner_a, host="alpha.localhost")
    response = client.post(
        "/accounts/profile/",
        {
            "form": "password",
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    owner_a.refresh_from_db()
    assert owner_a.check_password(NEW_PASSWORD)
    assert client.get("/accounts/profile/").status_code == 200
    assert AuditEvent.objects.filter(action="user.password_changed", actor=owner_a).exists()


def test_a_wrong_old_password_is_refused_and_changes_nothing(client_for, owner_a):
    response = client_for(owner_a, host="alpha.localhost").post(
        "/accounts/profile/",
        {
            "form": "password",
            "old_password": "not the password",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert "old password was entered incorrectly" in response.content.decode()
    owner_a.refresh_from_db()
    assert owner_a.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_changed").exists()


def test_a_weak_new_password_is_refused(client_for, owner_a):
    response = client_for(owner_a, host="alpha.localhost").post(
        "/accounts/profile/",
        {
            "form": "password",
            "old_password": PASSWORD,
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    )
    assert response.status_code == 400
    owner_a.refresh_from_db()
    assert owner_a.check_password(PASSWORD)


def test_the_account_page_in_arabic_is_right_to_left(client_for, platform):
    user = make_user("rtl@example.com", language="ar")
    body = client_for(user, host="localhost").get("/accounts/profile/").content.decode()
    assert '<html lang="ar" dir="rtl">' in body


def test_update_profile_refuses_an_unknown_language(owner_a):
    with pytest.raises(ValidationError):
        services.update_profile(user=owner_a, full_name="Owner", language="klingon")
    owner_a.refresh_from_db()
    assert owner_a.full_name == ""
