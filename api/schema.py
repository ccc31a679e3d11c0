"""The OpenAPI description: every operation documents the one error shape, and the token
authentication is described as an HTTP bearer scheme."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from accounts import policy

from .errors import ErrorSerializer

ERRORS_OF_EVERY_OPERATION = ("400", "401", "403", "404")
ERRORS_OF_WRITES = ("409", "413")


class AutoSchema(SpectacularAutoSchema):
    def get_auth(self) -> list[dict[str, Any]]:
        """Operations the policy opens to the public may be called without credentials."""
        auths: list[dict[str, Any]] = super().get_auth()
        action = getattr(self.view, "policy_action", None)
        if isinstance(action, policy.Action) and policy.RULES[action].public and {} not in auths:
            auths.append({})
        return auths

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes: tuple[str, ...] = ERRORS_OF_EVERY_OPERATION
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            codes += ERRORS_OF_WRITES
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code)
        return responses


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token from /accounts/tokens/ (`Token <token>` works too).",
        }
