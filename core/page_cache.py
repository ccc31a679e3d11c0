"""Pages and API lists cached per reader, language and *data version*.

The pages and lists people read most (the public status page, the dashboards, the lists of
milestones, plans, defaults, penalties, requests and the fund, and the API's lists) are
rendered once per address, reader, language and data version, and served from the cache
(``settings.CACHES["default"]``) until the data changes.  The reader is "the public" for
anonymous visitors, who all share one copy, and the signed-in user otherwise: a user's page
is only ever served to that same user (and, for pages, in the same second-factor state), so
what the policy lets one reader see never reaches another.

One mechanism invalidates them: the version is the head of the audit hash chain
(:class:`audit.models.AuditChainHead`).  Every recorded change appends an audit event in the
transaction of the change (a transition of :mod:`core.workflow`: a decision, a default's
determination, a payment; a fund entry, a published report, a due-date change, a user's role
changed by an administrator...), which moves the head; so the moment a change commits, every
page cached before it is unreachable, in every process, and a rolled-back change moves
nothing.  No signals, no on-commit hooks, no list of keys to delete: one primary-key read of
one row per cached request.  The Pacific date is part of the key too: pages count the days
left to each deadline.

The pages live in ``settings.CACHES["default"]``: Redis in production when configured
(``CACHE_URL``, by default the Redis broker), shared by the web processes; otherwise each
process's memory, which is still correct (the version comes from the database), only less
shared.  ``PAGE_CACHE_SECONDS`` = 0 turns caching off (the test settings do, so the suite's
query counts are those of rendering; the tests of caching turn it on).

Anything but GET/HEAD, requests carrying messages to show, and htmx partials are never
served from or stored in the cache.  The CSRF tokens of a cached page's forms are replaced by
the visitor's own on each hit.  If the cache is down (Redis stopped), pages are served
uncached: the cache is never why a page fails.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import logging
import re
import subprocess
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from agreement import deadlines
from audit.models import AuditChainHead

logger = logging.getLogger(__name__)


def _read_version() -> str:
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_hash FROM {table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return (row[0] if row else "")[:20] or "empty"


def data_version() -> str:
    """The data version: the audit chain's last hash (moves with every recorded change).

    One primary-key read, in SQL: a cached page's only query of its own, so kept lean.
    When it is the request's first use of a kept connection, it is also the connection's
    health check (``CONN_HEALTH_CHECKS``), in place of Django's own ``SELECT 1``: one round
    trip, not two.  A connection the server dropped fails this read; it is closed and the
    read made again on a new one, as the health check would have done.
    """
    db: Any = connection  # health_check_* are Django's (4.1+), not in django-stubs
    if (
        db.connection is None
        or db.health_check_done
        or not db.health_check_enabled
        or db.in_atomic_block
    ):
        return _read_version()
    db.health_check_done = True
    try:
        return _read_version()
    except DatabaseError:
        connection.close()
        return _read_version()


# The shape of a kept answer; a release that changes it changes this, so that it never reads
# what an older release kept.
FORMAT = 2


@functools.cache
def release() -> str:
    """The code that renders (``RELEASE``, else the git commit, else the package version):
    part of every key, so that after a deploy no page or answer of the previous release (its
    templates, serializers, policy) is served."""
    if settings.RELEASE:
        return str(settings.RELEASE)
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],  # noqa: S607
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head = ""
    return head or importlib.metadata.version("compliance-tracker")


def _reader(user: Any) -> str:
    """Whose copy: one for the public, one per signed-in user and second-factor state."""
    if user is None or not user.is_authenticated:
        return "public"
    verified = getattr(user, "is_verified", None)
    return f"user-{user.pk}-{int(bool(verified and verified()))}"


def _key(kind: str, request: HttpRequest, user: Any) -> str | None:
    """The cache key of this request's answer, or None when it must not be cached."""
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return None
    if request.headers.get("HX-Request"):
        return None
    # A message waiting to be shown (e.g. "signed out") belongs to this visit only.
    if "messages" in request.COOKIES or request.session.get("_messages"):
        return None
    # The whole address, host and scheme too: API pages link to their neighbours absolutely.
    address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()[:32]
    return (
        f"{kind}:{FORMAT}:{release()}:{data_version()}:{deadlines.pacific_today()}:{get_language()}:"
        f"{_reader(user)}:{address}"
    )


# After the cache failed, this process leaves it alone this long (seconds), so that while
# Redis is down a page pays its connection timeout once in a while, not twice per request.
RETRY_AFTER = 5.0
_down_until = 0.0


def _cache_call(operation: Callable[..., Any], *args: Any) -> Any:
    """The cache is a speed-up, never a dependency: when it cannot be reached (Redis down),
    the page is rendered as if nothing were cached."""
    global _down_until
    if time.monotonic() < _down_until:
        return None
    try:
        return operation(*args)
    except Exception:  # the backend's connection error, whatever the backend
        logger.warning("Page cache unavailable; serving uncached", exc_info=True)
        _down_until = time.monotonic() + RETRY_AFTER
        return None


def _cached(key: str | None) -> Any:
    return None if key is None else _cache_call(cache.get, key)


def _store(key: str | None, value: Any) -> None:
    if key is not None:
        _cache_call(cache.set, key, value, settings.PAGE_CACHE_SECONDS)


# Where a page's CSRF tokens stand: a kept page is stored cut at them, and each visitor's own
# token is put back in (one join, no search, on a hit).
_TOKEN_VALUE = re.compile(rb'(?<=name="csrfmiddlewaretoken" value=")[^"]+(?=")')
_KEPT_HEADERS = ("content-type", "content-language", "vary")


def _keep(key: str | None, response: HttpResponse) -> None:
    """Store a successful answer: its status, its content headers and its body, cut at the
    CSRF tokens.  Nothing that sets a cookie (a sign-in, a language choice) is kept."""
    if key is None or response.status_code != 200 or response.streaming or response.cookies:
        return
    headers = [(name, value) for name, value in response.items() if name.lower() in _KEPT_HEADERS]
    _store(key, (response.status_code, headers, _TOKEN_VALUE.split(response.content)))


def _replay(request: HttpRequest, stored: Any) -> HttpResponse:
    status, headers, chunks = stored
    content = get_token(request).encode().join(chunks) if len(chunks) > 1 else chunks[0]
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve ``view``'s page from the cache, per reader (see the module doc)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = _key("page", request, request.user)
        stored = _cached(key)
        if stored is not None:
            return _replay(request, stored)
        response = view(request, *args, **kwargs)
        _keep(key, response)
        return response

    return wrapper


class CachedListView(generics.ListAPIView):
    """An API list whose answer is kept per reader (see the module doc): a hit skips the
    queries, the serializers and the JSON encoding."""

    _cache_key: str | None = None

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        # The negotiated type too: ``Accept: application/json; indent=4`` changes the JSON.
        key = _key(f"api:{request.accepted_media_type}", request, request.user)
        stored = _cached(key)
        if stored is not None:
            return _replay(request, stored)
        self._cache_key = key
        return super().get(request, *args, **kwargs)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        # ``response`` is a kept answer (an HttpResponse) on a hit, which DRF lets through.
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._cache_key is not None and isinstance(response, Response):
            response.render()  # the JSON, written once and kept
            _keep(self._cache_key, response)
        return response
