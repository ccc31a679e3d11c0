"""Public pages cached per language, invalidated by one version key.

The pages anyone may read without signing in (the status page, the agreement's terms, the
milestones, defaults, penalties and fund, the public plans) are rendered once per address,
language and *data version*, and served from the cache (``settings.CACHES["default"]``) to
every anonymous visitor until the data changes.

One mechanism invalidates them: the version is the head of the audit hash chain
(:class:`audit.models.AuditChainHead`).  Every recorded change appends an audit event in the
transaction of the change (a transition of :mod:`core.workflow`: a decision, a default's
determination, a payment; a fund entry, a published report, a due-date change...), which
moves the head; so the moment a change commits, every page cached before it is unreachable,
in every process, and a rolled-back change moves nothing.  No signals, no on-commit hooks, no
list of keys to delete: one primary-key read of one row per cached request.

The pages live in ``settings.CACHES["default"]``: Redis in production when configured
(``CACHE_URL``, by default the Redis broker), shared by the web processes; otherwise each
process's memory, which is still correct (the version comes from the database), only less
shared.  ``PUBLIC_PAGE_CACHE_SECONDS`` = 0 turns caching off (the test settings do, so the
suite's query counts are those of rendering; the tests of caching turn it on).

Signed-in users, anything but GET/HEAD, requests carrying messages to show, and htmx
partials are never served from or stored in the cache.  The CSRF token of a cached page's
forms (the language switcher) is replaced by the visitor's own on each hit.  If the cache is
down (Redis stopped), pages are served uncached: the cache is never why a page fails.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from agreement import deadlines
from audit.models import AuditChainHead

logger = logging.getLogger(__name__)

_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")([^"]+)(")')


def _version() -> str:
    """The data version: the audit chain's last hash (moves with every recorded change).

    One primary-key read, in SQL: the cached page's only query, so kept lean.
    """
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_hash FROM {table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return (row[0] if row else "")[:20] or "empty"


def _cacheable(request: HttpRequest) -> bool:
    if settings.PUBLIC_PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    if request.user.is_authenticated or request.headers.get("HX-Request"):
        return False
    # A message waiting to be shown (e.g. "signed out") belongs to this visitor only.
    return "messages" not in request.COOKIES and not request.session.get("_messages")


def _cache_call(operation: Callable[..., Any], *args: Any) -> Any:
    """The cache is a speed-up, never a dependency: when it cannot be reached (Redis down),
    the page is rendered as if nothing were cached."""
    try:
        return operation(*args)
    except Exception:  # the backend's connection error, whatever the backend
        logger.warning("Public page cache unavailable; serving uncached", exc_info=True)
        return None


def cached_public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve ``view``'s page to anonymous visitors from the cache (see the module doc)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        # The Pacific date too: pages count the days left to each deadline.
        key = (
            f"public-page:{_version()}:{deadlines.pacific_today()}:{get_language()}:"
            f"{request.get_full_path()}"
        )
        stored = _cache_call(cache.get, key)
        if stored is not None:
            status, headers, content = stored
            token = get_token(request).encode()
            response = HttpResponse(
                _TOKEN.sub(rb"\g<1>" + token + rb"\g<3>", content), status=status
            )
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() in ("content-type", "content-language", "vary")
            ]
            _cache_call(
                cache.set,
                key,
                (response.status_code, headers, response.content),
                settings.PUBLIC_PAGE_CACHE_SECONDS,
            )
        return response

    return wrapper
