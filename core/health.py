"""Readiness: does the database answer, does the Celery broker answer?

``GET /healthz/`` answers 200 ``{"status": "ok", ...}`` when both do, 503 naming what is down
(``"down": ["broker (redis)"]``) when not.  Each check is bounded by a few seconds, so the
probe never hangs.  Pages do not depend on the broker: they keep working while it is down
(work that must be queued is recorded and queued again by the periodic jobs).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 3


@dataclass(frozen=True)
class Check:
    name: str  # "database (postgresql)", "broker (redis)"
    ok: bool
    detail: str


def check_database() -> Check:
    connection = connections["default"]
    name = f"database ({connection.vendor})"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not ready"; say which
        logger.warning("Readiness: %s is down: %s", name, exc)
        # A broken connection must not be reused by the next request on this thread.
        connection.close_if_unusable_or_obsolete()
        return Check(name, False, type(exc).__name__)
    return Check(name, True, "ok")


def check_broker() -> Check:
    from config.celery import app

    url = settings.CELERY_BROKER_URL
    transport = url.split("://", 1)[0] or "unknown"
    name = f"broker ({transport})"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)
            if transport.startswith("redis"):
                channel: Any = conn.default_channel
                channel.client.ping()
    except Exception as exc:
        logger.warning("Readiness: %s is down: %s", name, exc)
        return Check(name, False, type(exc).__name__)
    return Check(name, True, "ok")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = [check_database(), check_broker()]
    down = [c.name for c in checks if not c.ok]
    body = {
        "status": "unavailable" if down else "ok",
        "down": down,
        "checks": {c.name: c.detail for c in checks},
    }
    return JsonResponse(body, status=503 if down else 200)
