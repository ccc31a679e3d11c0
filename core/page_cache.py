"""Pages and API lists cached per reader, language and *data version*.

The pages and lists people read most (the public status page, the dashboards, the lists of
milestones, plans, defaults, penalties, requests and the fund, and the API's lists) are
rendered once per address, reader, language and data version, and served from the cache
(``settings.CACHES["default"]``) until the data changes.  The reader is "the public" for
anonymous visitors, who all share one copy, and the signed-in user otherwise: a user's page
is only ever served to that same user (and, for pages, in the same second-factor state), so
what the policy lets one reader see never reaches another.  A visitor with no session and no
credentials can only be the public: :class:`PublicPageMiddleware` answers such a visitor's
cached pages before the rest of the middleware runs, with the headers it set the first time.

One mechanism invalidates them: every recorded change.  Every state change appends an audit
event in its own transaction (a transition of :mod:`core.workflow`: a decision, a default's
determination, a payment; a fund entry, a published report, a due-date change, a user's role
changed by an administrator...), which moves the head of the audit hash chain
(:class:`audit.models.AuditChainHead`, the *data version*) and, once the transaction
commits, adds one to the count of recorded changes in the shared cache
(:func:`core.cache.note_change`).  An answer is kept with the count and the data version it
was rendered under, and read back with the count in one cache round trip: after a change
commits, before the writer's own answer leaves, no answer kept before it is served again, in
any process; a rolled-back change moves nothing.  No signals, no list of keys to delete.  The
data version is the backstop: each process reads it again at least every
``PAGE_CACHE_VERIFY_SECONDS`` (one primary-key read), so a count lost between a commit and
the cache (Redis failing at that moment, a process killed) leaves an answer stale for at most
that long; with a cache that is not shared between processes (each process's memory) the
setting is 0 and the version is read on every cached request.  The Pacific date is part of
the key too: pages count the days left to each deadline.

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
from django.urls import Resolver404, resolve
from django.utils.translation import get_language, get_language_from_request
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from agreement import deadlines
from audit.models import AuditChainHead
from core.cache import CHANGES, guarded, new_count

logger = logging.getLogger(__name__)


def _read_version() -> str:
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_hash FROM {table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return (row[0] if row else "")[:20] or "empty"


def data_version() -> str:
    """The data version: the audit chain's last hash (moves with every recorded change).

    One primary-key read, in SQL, so kept lean.
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
FORMAT = 3


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


def _compose(kind: str, request: HttpRequest, language: str, reader: str) -> str:
    # The whole address, host and scheme too: API pages link to their neighbours absolutely.
    address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()[:32]
    return f"{kind}:{FORMAT}:{release()}:{deadlines.pacific_today()}:{language}:{reader}:{address}"


def _key(kind: str, request: HttpRequest, user: Any) -> str | None:
    """The cache key of this request's answer, or None when it must not be cached."""
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return None
    if request.headers.get("HX-Request"):
        return None
    # A message waiting to be shown (e.g. "signed out") belongs to this visit only.
    if "messages" in request.COOKIES or request.session.get("_messages"):
        return None
    return _compose(kind, request, get_language(), _reader(user))


# This process's reading of the data version, and when it was read (time.monotonic()).
_version = ""
_version_read_at = -float("inf")


def _known_version(*, fresh: bool = False) -> str:
    """The data version as this process last read it, read again when asked to or when the
    reading is older than ``PAGE_CACHE_VERIFY_SECONDS`` (0: on every call)."""
    global _version, _version_read_at
    now = time.monotonic()
    if fresh or now - _version_read_at >= settings.PAGE_CACHE_VERIFY_SECONDS:
        _version, _version_read_at = data_version(), now
    return _version


# What a kept answer is kept under: the count of changes and the data version read before it
# was rendered.
Tag = tuple[int, str]


def _lookup(key: str | None) -> tuple[Any, Tag | None]:
    """The kept answer for ``key`` if it is still current, else None and the tag to keep the
    answer about to be rendered under (None: do not keep it).

    One cache read fetches the count of recorded changes (:data:`core.cache.CHANGES`) with
    the answer.  A kept answer is current when it was rendered under this count (every
    recorded change moves it, once committed: :func:`core.cache.note_change`) and under the
    data version this process knows, which it reads again at least every
    ``PAGE_CACHE_VERIFY_SECONDS``: should a count be lost (the cache failing just after a
    commit, a process killed between its commit and the count), no answer outlives the
    change it missed by more than that.
    """
    if key is None:
        return None, None
    found = guarded(cache.get_many, [CHANGES, key])
    if found is None:  # the cache is down: render, keep nothing
        return None, None
    count = found.get(CHANGES)
    if count is None:  # nothing counted yet (a new or emptied cache): start counting
        count = new_count()
        if not guarded(cache.add, CHANGES, count, None):
            return None, None  # another process started first: keep nothing this time
    kept = found.get(key)
    if kept is not None and kept[0] == count:
        version = _known_version()
        if kept[1] != version:  # rendered after this process last read the version?
            version = _known_version(fresh=True)
        if kept[1] == version:
            return kept[2:], None
    return None, (count, _known_version(fresh=True))


# Where a page's CSRF tokens stand: a kept page is stored cut at them, and each visitor's own
# token is put back in (one join, no search, on a hit).
_TOKEN_VALUE = re.compile(rb'(?<=name="csrfmiddlewaretoken" value=")[^"]+(?=")')
_KEPT_HEADERS = ("content-type", "content-language", "vary")
# Of a whole answer, not these: each answer's own (the cookies are refused with the answer).
_NEVER_KEPT_HEADERS = ("set-cookie", "date", "expires", "last-modified", "etag")


def _keep(key: str | None, tag: Tag | None, response: HttpResponse, *, whole: bool = False) -> None:
    """Store a successful answer under its tag: its status, its headers (the content's, or
    with ``whole`` every one it has) and its body, cut at the CSRF tokens.  Nothing that sets
    a cookie (a sign-in, a language choice) is kept; nor, ``whole``, a page with a token."""
    if key is None or tag is None:
        return
    if response.status_code != 200 or response.streaming or response.cookies:
        return
    chunks = _TOKEN_VALUE.split(response.content)
    if whole and len(chunks) > 1:
        return
    headers = [
        (name, value)
        for name, value in response.items()
        if (whole and name.lower() not in _NEVER_KEPT_HEADERS) or name.lower() in _KEPT_HEADERS
    ]
    guarded(
        cache.set, key, (*tag, response.status_code, headers, chunks), settings.PAGE_CACHE_SECONDS
    )


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
        kept, tag = _lookup(key)
        if kept is not None:
            return _replay(request, kept)
        response = view(request, *args, **kwargs)
        _keep(key, tag, response)
        if key is not None and _reader(request.user) == "public":
            response.page_cache_public = True  # type: ignore[attr-defined]
        return response

    wrapper.is_cached_page = True  # type: ignore[attr-defined]
    return wrapper


class PublicPageMiddleware:
    """The public's cached pages, answered before the rest of the stack runs.

    A visitor with no session, no message waiting and no credentials can only be the public.
    For such a GET of a :func:`cached_page` view, the page is looked up here, under the
    language the visitor's cookie or browser asks for (as ``LocaleMiddleware`` picks it), and
    replayed whole: status, body and every header the stack below set (Content-Language,
    Vary, the Content-Security-Policy, X-Frame-Options...).  On a miss the request goes
    through the stack as usual, and the answer is kept here once the view said its reader was
    the public, if it carries no CSRF token and sets no cookie; anything else is left to
    :func:`cached_page` alone.  Same keys' parts, same tags, same freshness as the rest of
    this module.  Placed after ``SecurityMiddleware`` (which adds its headers to both).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self._public_page_language(request)
        if language is None:
            return self.get_response(request)
        key = _compose("public", request, language, "public")
        kept, tag = _lookup(key)
        if kept is not None:
            return _replay(request, kept)
        response = self.get_response(request)
        if getattr(response, "page_cache_public", False) and (
            response.get("Content-Language") == language
        ):
            _keep(key, tag, response, whole=True)
        return response

    @staticmethod
    def _public_page_language(request: HttpRequest) -> str | None:
        """The language of the public page asked for, or None when it is not one."""
        # GET only: a view that refuses HEAD (``require_GET``) must go on refusing it.
        if settings.PAGE_CACHE_SECONDS <= 0 or request.method != "GET":
            return None
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
            return None
        if "HTTP_AUTHORIZATION" in request.META or request.headers.get("HX-Request"):
            return None
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return None
        if not getattr(match.func, "is_cached_page", False):
            return None
        return get_language_from_request(request)


class CachedListView(generics.ListAPIView):
    """An API list whose answer is kept per reader (see the module doc): a hit skips the
    queries, the serializers and the JSON encoding."""

    _cache_key: str | None = None
    _cache_tag: Tag | None = None

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        # The negotiated type too: ``Accept: application/json; indent=4`` changes the JSON.
        key = _key(f"api:{request.accepted_media_type}", request, request.user)
        kept, tag = _lookup(key)
        if kept is not None:
            return _replay(request, kept)
        self._cache_key, self._cache_tag = key, tag
        return super().get(request, *args, **kwargs)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        # ``response`` is a kept answer (an HttpResponse) on a hit, which DRF lets through.
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._cache_tag is not None and isinstance(response, Response):
            response.render()  # the JSON, written once and kept
            _keep(self._cache_key, self._cache_tag, response)
        return response
