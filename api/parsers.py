"""Request bodies: JSON, refused with 413 when larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``.

Django checks that limit for form bodies only; DRF reads JSON from the stream, so the size
is checked here before reading.  File uploads (later) are limited by ``UPLOAD_MAX_BYTES``
in their services, which raise :class:`core.errors.TooLarge` (also 413).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
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
        return super().parse(stream, media_type, parser_context)
