"""One error shape for the whole API::

    {"error": {"code": "not_found", "message": "…", "fields": {"due_date": ["…"]}}}

``exception_handler`` (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``) turns every error a view
raises into it: our :class:`core.errors.ServiceError` (its own status: 400, 403, 409, 413),
DRF's exceptions (400 validation, 401, 403, 404, 405, 413, 415, 429 …) and Django's
``PermissionDenied``, ``Http404``, ``ValidationError`` and ``RequestDataTooBig``.
Anything else is a bug: it propagates, is logged and answers 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.urls import Resolver404, resolve
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ServiceError


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The upload is larger than the limit.")
    default_code = "too_large"


DEFAULT_MESSAGES = {
    400: _("The request is not valid: see the fields."),
    401: _("Sign in or send a valid API token."),
    403: _("You are not allowed to do this."),
    404: _("Not found."),
}


def error_body(code: str, message: Any, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": force_str(message), "fields": fields or {}}}


def field_messages(detail: Any) -> dict[str, list[str]]:
    """Errors as ``{field: [messages]}``; nested fields are named with dots
    (``tiers.0.amount``), errors of no field go under ``non_field_errors``."""
    found: dict[str, list[str]] = {}

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for name, inner in value.items():
                walk(inner, f"{key}.{name}" if key else str(name))
        elif isinstance(value, list | tuple):
            for index, inner in enumerate(value):
                if isinstance(inner, dict | list | tuple):
                    walk(inner, f"{key}.{index}" if key else str(index))
                else:
                    walk(inner, key)
        else:
            found.setdefault(key or "non_field_errors", []).append(force_str(value))

    walk(detail, "")
    return found


def _as_api_exception(exc: Exception) -> Exception:
    """Django's own exceptions as their DRF equivalents."""
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return exceptions.ValidationError(detail)
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ServiceError):
        return Response(
            error_body(exc.code, exc.message, field_messages(exc.fields)), status=exc.status_code
        )
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", DEFAULT_MESSAGES[400], field_messages(exc.detail))
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        detail = exc.detail if isinstance(exc.detail, str) else exc.default_detail
        body = error_body(str(code), detail)
    response.data = body
    return response


@csrf_exempt  # it changes nothing; a POST to no operation is a 404, not a CSRF 403 page
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """An address under ``/api/`` that names no operation.

    Like Django's ``APPEND_SLASH``, a GET without the trailing slash of an operation's
    address is redirected to it (this catch-all would otherwise hide the operation).
    """
    if request.method in ("GET", "HEAD") and not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                request.path + "/" + (f"?{query}" if query else "")
            )
    return JsonResponse(error_body("not_found", DEFAULT_MESSAGES[404]), status=404)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Machine-readable: invalid, not_authenticated …"))
    message = serializers.CharField(help_text=_("A message a person can act on."))
    # DRF's metaclass takes declared fields out of the class, so ``Serializer.fields`` stays.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Messages per request field (nested ones named a.b), for 400 answers."),
    )


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API (documented in the OpenAPI schema as ``Error``)."""

    error = ErrorDetailSerializer()
