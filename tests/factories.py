"""Small builders for test data; every one writes through the product's own services."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.core.files import File
from django.db import connection

from accounts.models import Membership, User
from billing.models import Plan
from media_pipeline.models import Movie, MovieStatus
from tenants.models import Tenant
from tenants.services import create_tenant, ensure_public_tenant

PASSWORD = "correct horse battery staple 42"

PLANS = [
    ("free", "Free", 120, 10, 10, 1),
    ("starter", "Starter", 240, 100, 50, 2),
    ("professional", "Professional", 480, 1000, 200, 3),
    ("enterprise", "Enterprise", None, None, None, 4),
]


# The plans' copy in every language, exactly as the data migration writes it.
_plan_copy = import_module("billing.migrations.0005_plan_copy")
# The regional prices, exactly as the data migration writes them.
_prices = import_module("billing.migrations.0008_regional_prices")
# The plans' API rates, exactly as the data migration writes them.
_api_rates = import_module("billing.migrations.0010_plan_api_requests_per_minute")


def ensure_platform() -> Tenant:
    connection.set_schema_to_public()
    created = False
    for code, name, minutes, storage, hours, order in PLANS:
        _plan, new = Plan.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "max_movie_minutes": minutes,
                "storage_gb": storage,
                "processing_hours_per_month": hours,
                "sort_order": order,
            },
        )
        created = created or new
    if created:
        _plan_copy.fill_plan_copy(apps, None)
        _prices.fill_prices(apps, None)
        _api_rates.set_rates(apps, None)
    return ensure_public_tenant()


def make_tenant(slug: str, name: str | None = None) -> Tenant:
    connection.set_schema_to_public()
    return create_tenant(slug=slug, name=name or slug.title())


def ensure_tenant(slug: str) -> Tenant:
    """The tenant with this slug, created if a transactional test's flush removed its row."""
    connection.set_schema_to_public()
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is not None:
        return tenant
    from django.db import connection as conn
    from django_tenants.utils import schema_exists

    from tenants.services import schema_for_slug

    if schema_exists(schema_for_slug(slug)):
        with conn.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{schema_for_slug(slug)}" CASCADE')
    return make_tenant(slug)


def make_user(email: str, *, is_staff: bool = False, language: str = "") -> User:
    return User.objects.create_user(email, PASSWORD, is_staff=is_staff, language=language)


def make_member(tenant: Tenant, email: str, *, role: str = "member") -> User:
    user = User.objects.filter(email=email).first() or make_user(email)
    Membership.objects.create(user=user, tenant=tenant, role=role)
    return user


def use_local_storage(settings, location) -> None:
    """Point the default storage at a temporary folder for one test (the `settings` fixture)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": "/media/"},
        },
    }


def not_a_video_movie(uploader: User, folder: Path) -> Movie:
    """A ready Movie whose file is plain text named `.mp4`, in the current tenant's schema."""
    fake = folder / "notes.mp4"
    fake.write_text("These are my notes, not a movie.\n" * 50)
    movie = Movie(title="Notes", status=MovieStatus.READY, uploader=uploader)
    with open(fake, "rb") as handle:
        movie.file.save("notes.mp4", File(handle), save=True)
    return movie


def enrol_two_factor(user: User):
    """A confirmed authenticator (TOTP device) and ten recovery codes for `user`."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    for index in range(10):
        StaticToken.objects.create(device=recovery, token=f"recover{index:02d}")
    return device


def totp_code(device, *, ahead: int = 0) -> str:
    """The code the person's app shows now (or `ahead` time steps later: a code is accepted
    once, so a second sign-in in the same test uses the next one)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def verify_session(client, device) -> None:
    """Mark a test client's session as having passed two-factor sign-in with `device`."""
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def url_path(url: str) -> str:
    """The path and query of an absolute URL (test clients are told the host separately)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def walk_handoff(public, tenant_host, start: str = "/accounts/handoff/"):
    """Follow the sign-in hand-off (accounts/handoff.py) from the organisation's host (`start`)
    through the product's host, where `public` is signed in, back to the organisation's host.
    Returns the organisation host's answer to the token link, and that link."""
    started = tenant_host.get(start)
    assert started.status_code == 302, started
    issued = public.get(url_path(started["Location"]))
    assert issued.status_code == 302, issued
    link = url_path(issued["Location"])
    return tenant_host.get(link), link


def bound_handoff_token(tenant_host, *, user, tenant, device: str | None = None) -> str:
    """A hand-off token made for the browser `tenant_host` (its hand-off cookie set here)."""
    import hashlib

    from accounts.handoff import COOKIE
    from accounts.services import make_handoff_token

    tenant_host.cookies[COOKIE] = "test-browser-value"
    binding = hashlib.sha256(b"test-browser-value").hexdigest()
    return make_handoff_token(user=user, tenant=tenant, binding=binding, device=device)
