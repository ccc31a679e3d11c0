"""Serializer fields and serializers shared by several apps' APIs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


def port_code(**options: Any) -> serializers.SlugRelatedField[Any]:
    """The row's ``party`` as its code, e.g. "POLA" (read only)."""
    return serializers.SlugRelatedField(
        source="party", slug_field="code", read_only=True, **options
    )


def party_code(**options: Any) -> serializers.SlugRelatedField[Any]:
    """A related party as its code, e.g. "AQMD" (read only)."""
    return serializers.SlugRelatedField(slug_field="code", read_only=True, **options)


def username(**options: Any) -> serializers.SlugRelatedField[Any]:
    """A related user as their user name (read only)."""
    return serializers.SlugRelatedField(slug_field="username", read_only=True, **options)


class CodeField(serializers.SlugRelatedField):
    """A related row given by its ``code`` (a request's party, port or category).  A value
    with a NUL character matches no row (PostgreSQL text cannot hold one: asked as is, the
    lookup would fail with a server error)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(slug_field="code", **options)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class ReasonSerializer(serializers.Serializer):
    """The reason of a closing operation: a rescinded withdrawal notice, an abandoned
    amendment, a voided invoice."""

    reason = serializers.CharField(max_length=2000, help_text=_("Why it is closed."))
