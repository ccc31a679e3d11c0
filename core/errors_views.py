"""The 500 handler: a database that drops or refuses connections gets a clean 503.

With ``CONN_HEALTH_CHECKS`` a connection the server closed between requests is replaced at
the start of the next one.  A connection dropped *during* a request fails that request only:
this handler answers it with 503 and ``Retry-After`` (JSON under ``/api/``), closes the broken
connection, and the next request opens a new one, without restarting the application.
Anything else is the plain 500 page.  Neither page touches the database.
"""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def _database_unavailable(exc: BaseException | None) -> bool:
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    # psycopg reports some connections killed mid-query as another DatabaseError.
    return isinstance(exc, DatabaseError) and any(
        not c.is_usable() for c in connections.all(initialized_only=True)
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls the handler inside its ``except`` block: the exception is still current.
    exc = sys.exc_info()[1]
    api = request.path.startswith("/api/")
    if not _database_unavailable(exc):
        message = _("Something went wrong on our side. It has been logged.")
        if api:
            body = {"error": {"code": "server_error", "message": message, "fields": {}}}
            return JsonResponse(body, status=500)
        return HttpResponse(render_to_string("500.html", {"message": message}), status=500)
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
    message = _("The database is not answering at the moment. Please try again in a few seconds.")
    response: HttpResponse
    if api:
        body = {"error": {"code": "unavailable", "message": message, "fields": {}}}
        response = JsonResponse(body, status=503)
    else:
        response = HttpResponse(render_to_string("500.html", {"message": message}), status=503)
    response["Retry-After"] = "5"
    return response
