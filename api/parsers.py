"""Request bodies: JSON, refused with 413 when larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``,
and with 400 when a text in it holds the NUL character (PostgreSQL stores no NUL in text, so
it would otherwise fail deep in a lookup instead of as bad input).

Django checks that limit for form bodies only; DRF reads JSON from the stream, so the size
is checked here before reading.  File uploads (later) are limited by ``UPLOAD_MAX_BYTES``
in their services, which raise :class:`core.errors.TooLarge` (also 413).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .errors import PayloadTooLarge


class LimitedJSONParser(JSONParser):
    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        request = (parser_context or {}).get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request is not None and limit is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                raise PayloadTooLarge()
        data = super().parse(stream, media_type, parser_context)
        if _holds_nul(data):
            raise ParseError(_("Text may not contain the NUL character (\\u0000)."))
        return data


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False
