"""The one error type that services raise.

Views turn it into a message on the page; the API turns it into
``{"error": {"code": ..., "message": ..., "fields": {...}}}``.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A request that cannot be carried out, with a message a user can act on.

    ``code`` is machine-readable (``invalid``, ``forbidden``, ``not_found``, ``conflict``,
    ``too_large``); ``fields`` maps form or API field names to messages.
    """

    status_code = 400

    def __init__(
        self,
        message: Any,
        *,
        code: str = "invalid",
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.fields = fields or {}

    def __str__(self) -> str:
        return str(self.message)


class Forbidden(ServiceError):
    status_code = 403

    def __init__(self, message: Any, **kwargs: Any) -> None:
        kwargs.setdefault("code", "forbidden")
        super().__init__(message, **kwargs)


class Conflict(ServiceError):
    """The object changed under the request (e.g. two reviewers decided at once)."""

    status_code = 409

    def __init__(self, message: Any, **kwargs: Any) -> None:
        kwargs.setdefault("code", "conflict")
        super().__init__(message, **kwargs)


class TooLarge(ServiceError):
    """An upload or request body over the configured limit (``UPLOAD_MAX_BYTES``)."""

    status_code = 413

    def __init__(self, message: Any, **kwargs: Any) -> None:
        kwargs.setdefault("code", "too_large")
        super().__init__(message, **kwargs)
