"""The hand-written representations of the hottest endpoints give exactly what their declared
serializers (the OpenAPI schema) give."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django_tenants.utils import tenant_context
from rest_framework import serializers
from rest_framework.request import Request

from api.views.me import MeApi
from api.views.movies import MovieOutput
from media_pipeline.models import Movie
from tests import factories
from tests.api.conftest import Api, add_movie

pytestmark = pytest.mark.django_db


def test_a_movie_is_written_as_its_declared_fields_would(tenant_a, owner_a):
    details = {"width": 1920, "height": 1080, "fps": 23.976, "checksum": "ab" * 32,
               "container": "mp4", "video_codec": "h264", "audio_codec": "aac"}  # fmt: skip
    full = add_movie(tenant_a, owner_a, title="Été", **details)
    bare = add_movie(tenant_a, owner_a, title="Sans détails", duration=None)
    request = Request(RequestFactory().get("/api/v1/movies/", HTTP_HOST="alpha.localhost"))
    with tenant_context(tenant_a):
        for movie in Movie.objects.filter(pk__in=[full.pk, bare.pk]):
            output = MovieOutput(context={"request": request})
            declared = serializers.ModelSerializer.to_representation(output, movie)
            assert output.to_representation(movie) == declared


@pytest.mark.parametrize("credential", ["api_key", "jwt", "session"])
def test_me_is_written_as_its_declared_serializer_would(
    credential, tenant_a, owner_a, key_a, client_for
):
    if credential == "api_key":
        client = Api("alpha", f"Api-Key {key_a}").client
    elif credential == "jwt":
        token = Api("alpha").post(
            "/api/v1/auth/token/", {"email": owner_a.email, "password": factories.PASSWORD}
        )
        client = Api("alpha", f"Bearer {token.json()['access']}").client
    else:
        client = client_for(owner_a, host="alpha.localhost")
    body = client.get("/api/v1/me/").json()
    assert body["authentication"] == credential
    assert MeApi.OutputSerializer(body).data == body
