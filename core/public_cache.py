"""Public pages cached per language, invalidated by one version key.

The pages anyone may read without signing in (the status page, the agreement's terms, the
milestones, defaults, penalties and fund, the public plans) are rendered once per address,
language and *data version*, and served from the cache (``settings.CACHES["default"]``) to
every anonymous visitor until the data changes.

One mechanism invalidates them: every recorded change goes through
:func:`audit.services.audit_record` (a transition of :mod:`core.workflow`: a decision, a
default's determination, a payment; a fund entry, a published report, a due-date change...),
which calls :func:`public_data_changed`; after the transaction commits, the version key gets
a new value, so every cached page becomes unreachable at once.  A rolled-back change leaves
the version alone.  No signals, no list of keys to delete.

The version lives in the cache backend too, so all web processes must share it: Redis in
production (``CACHE_URL``, by default the Redis broker), local memory for one process
(``make run``, tests).  ``PUBLIC_PAGE_CACHE_SECONDS`` = 0 turns caching off (the test
settings do; the tests of caching turn it on).

Signed-in users, anything but GET/HEAD, requests carrying messages to show, and htmx
partials are never served from or stored in the cache.  The CSRF token of a cached page's
forms (the language switcher) is replaced by the visitor's own on each hit.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

VERSION_KEY = "public-pages:version"
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")([^"]+)(")')


def _bump() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def public_data_changed() -> None:
    """The data that public pages show changed: drop every cached page after commit."""
    transaction.on_commit(_bump)


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        # Another process may have set it meanwhile: keep the first one.
        if not cache.add(VERSION_KEY, version, None):
            version = cache.get(VERSION_KEY) or version
    return str(version)


def _cacheable(request: HttpRequest) -> bool:
    if settings.PUBLIC_PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    if request.user.is_authenticated or request.headers.get("HX-Request"):
        return False
    # A message waiting to be shown (e.g. "signed out") belongs to this visitor only.
    return "messages" not in request.COOKIES and not request.session.get("_messages")


def cached_public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve ``view``'s page to anonymous visitors from the cache (see the module doc)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = f"public-page:{_version()}:{get_language()}:{request.get_full_path()}"
        stored = cache.get(key)
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
            cache.set(
                key,
                (response.status_code, headers, response.content),
                settings.PUBLIC_PAGE_CACHE_SECONDS,
            )
        return response

    return wrapper
