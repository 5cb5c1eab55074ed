"""OpenAPI: security schemes for API keys and tenant JWTs, and problem+json error responses
documented on every operation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import serializers

from web.problems import PROBLEM_CONTENT_TYPE

# Errors any operation may answer; bodies add 415, writes add 409/422 (state, idempotency).
COMMON_ERRORS = (400, 401, 403, 404, 406, 429)
BODY_ERRORS = (415,)
WRITE_ERRORS = (409, 422)


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField(help_text="A stable URN naming the kind of problem.")
    title = serializers.CharField(help_text="A short, translated summary of the kind.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong here, translated.")
    instance = serializers.CharField(required=False, help_text="The request's path.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Field name → translated messages, for invalid input.",
    )

    class Meta:
        ref_name = "Problem"


class ProblemAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = list(COMMON_ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            codes += [*BODY_ERRORS, *WRITE_ERRORS]
        if self.method == "DELETE":
            codes += [409]
        codes += list(getattr(self.view, "extra_problem_codes", ()))
        for code in sorted(set(codes)):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    ProblemSerializer, str(code), (PROBLEM_CONTENT_TYPE,), direction
                )
                responses[str(code)]["description"] = "Problem details"
        return responses


class CallerScheme(OpenApiAuthenticationExtension):
    """The three ways to call the API (see api.auth), any one of them: an API key, a tenant JWT,
    or the browser's session."""

    target_class = "api.auth.CallerAuthentication"
    name = ["apiKeyAuth", "jwtAuth", "cookieAuth"]

    def get_security_requirement(self, auto_schema: AutoSchema) -> list[dict[str, list[Any]]]:
        return [{name: []} for name in self.name]

    def get_security_definition(self, auto_schema: AutoSchema) -> list[dict[str, Any]]:
        api_key = {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key mr_<prefix>_<secret>` (or `Bearer mr_…`), made under "
            "/api/v1/api-keys/. Keys belong to one organisation.",
        }
        jwt = build_bearer_security_scheme_object(
            header_name="HTTP_AUTHORIZATION",
            token_prefix="Bearer",  # noqa: S106 (the scheme name, not a secret)
            bearer_format="JWT",
        )
        session = {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
        return [api_key, jwt, session]
