"""The benchmark's organisations: a library of 20 movies, one of 2,000, and a crowd of small ones
for the memory run; with the credentials the load generator takes in turn (API keys, JWTs of
different people, a signed-in session). Organisations and movies are made once and reused;
keys and tokens are new on every run (a key is shown only when it is made)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import Membership, Role, User
from api import services as api_services
from api.auth import TenantTokenObtainSerializer
from api.models import ApiKey
from media_pipeline.models import Movie, MovieStatus
from tenants.models import Tenant
from tenants.services import create_tenant

LANGUAGES = ("en", "fr", "de", "es", "ja")


@dataclass
class Organisation:
    slug: str
    host: str
    owner: User
    tenant: Tenant
    keys: list[str] = field(default_factory=list)
    people: list[User] = field(default_factory=list)

    def tokens(self) -> list[str]:
        """Fresh access tokens (they last five minutes), one per person, as the token
        endpoint would issue them."""
        with tenant_context(self.tenant):
            return [
                str(TenantTokenObtainSerializer.get_token(person).access_token)
                for person in self.people
            ]

    def session_cookie(self) -> str:
        """A signed-in session of the owner, as the sign-in page would leave it."""
        client = Client(HTTP_HOST=self.host)
        client.force_login(self.owner)
        return (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )


def _movies(tenant: Tenant, owner: User, count: int) -> None:
    with tenant_context(tenant):
        if Movie.objects.count() == count:
            return
        Movie.objects.all().delete()
        Movie.objects.bulk_create(
            (
                Movie(
                    title=f"Film {n:04d}",
                    status=MovieStatus.DONE,
                    language=LANGUAGES[n % len(LANGUAGES)],
                    duration=3600.0 + n,
                    width=1920,
                    height=1080,
                    fps=25.0,
                    size_bytes=2_000_000_000 + n,
                    checksum=f"{n:064x}",
                    container="mov,mp4,m4a,3gp,3g2,mj2",
                    video_codec="h264",
                    audio_codec="aac",
                    uploader=owner,
                )
                for n in range(count)
            ),
            batch_size=1000,
        )


def _people(tenant: Tenant, slug: str, count: int) -> list[User]:
    emails = [f"person{n}@{slug}.example" for n in range(count)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    # No usable password: they call with tokens minted for them, never sign in.
    User.objects.bulk_create(
        User(email=email, password=make_password(None)) for email in emails if email not in existing
    )
    people = list(User.objects.filter(email__in=emails).order_by("email"))
    Membership.objects.bulk_create(
        (Membership(user=person, tenant=tenant, role=Role.MEMBER) for person in people),
        ignore_conflicts=True,
    )
    return people


def organisation(slug: str, *, movies: int, keys: int, people: int = 0) -> Organisation:
    tenant = Tenant.objects.filter(slug=slug).first() or create_tenant(
        slug=slug, name=f"Bench {slug}"
    )
    owner = User.objects.filter(email=f"owner@{slug}.example").first()
    if owner is None:
        owner = User.objects.create_user(f"owner@{slug}.example", None, full_name="Bench owner")
    Membership.objects.get_or_create(user=owner, tenant=tenant, defaults={"role": Role.OWNER})
    _movies(tenant, owner, movies)
    found = Organisation(slug, f"{slug}.{settings.BASE_DOMAIN}", owner, tenant)
    with tenant_context(tenant):
        ApiKey.objects.all().delete()
        found.keys = [
            api_services.create_api_key(name=f"bench {n}", scope="read", acting_user=owner).key
            for n in range(keys)
        ]
    found.people = _people(tenant, slug, people)
    return found
