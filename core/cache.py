"""The cache: Django's Redis cache with one client per pool, a guard that keeps a cache
outage from failing anything, and the count of recorded changes that keeps kept pages fresh.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` object for every
command; with redis-py 5 that costs about a quarter of a millisecond, more than the command
itself on loopback, and the page cache (:mod:`core.page_cache`) pays it on every cached
request.  A client is only a handle on its pool (which holds the sockets and is safe across
threads and forks), so one per pool is enough.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.cache.backends import redis as django_redis
from django.db import transaction

logger = logging.getLogger(__name__)


class _Client(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(  # type: ignore[attr-defined]
                connection_pool=pool
            )
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _Client


# The cache is a speed-up, never a dependency.  After a call failed (Redis down), this process
# leaves the cache alone this long (seconds), so that while Redis is down a request pays the
# connection timeout once in a while, not on every call.
RETRY_AFTER = 5.0
_down_until = 0.0


def guarded(operation: Callable[..., Any], *args: Any) -> Any:
    """``operation(*args)`` on the cache, or None when the cache cannot be reached."""
    global _down_until
    if time.monotonic() < _down_until:
        return None
    try:
        return operation(*args)
    except Exception:  # the backend's connection error, whatever the backend
        logger.warning("Cache unavailable; carrying on without it", exc_info=True)
        _down_until = time.monotonic() + RETRY_AFTER
        return None


# The count of recorded changes, in the cache shared by every process: the pages kept by
# core.page_cache carry the count they were rendered under, so one increment after a change
# commits makes every one of them out of date, in every process, before the writer's answer
# leaves.  A missing count (a new or emptied cache) starts at a random number, so that a count
# started again never meets the numbers of pages kept under an earlier one.
CHANGES = "recorded-changes"


def new_count() -> int:
    return secrets.randbits(62)


def _increment() -> None:
    try:
        cache.incr(CHANGES)
    except ValueError:  # no count yet
        if not cache.add(CHANGES, new_count(), None):
            cache.incr(CHANGES)


def count_change() -> None:
    guarded(_increment)


def note_change() -> None:
    """A change was recorded: count it once the transaction commits (at once outside one)."""
    transaction.on_commit(count_change, robust=True)
