"""Public pages are cached per language and dropped, after commit, by any recorded change:
never a stale penalty after its determination."""

from __future__ import annotations

import contextlib

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.services import audit_record
from core import public_cache
from penalties.models import Penalty
from tests.penalties.helpers import confirm, flagged_default


@pytest.fixture(autouse=True)
def public_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    with contextlib.suppress(Exception):
        cache.clear()


def _queries(client: Client, url: str, **headers) -> tuple[int, str]:
    """The page's queries and its HTML (without the visitor's own CSRF token)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200
    html = public_cache._TOKEN.sub(rb"\g<1>TOKEN\g<3>", response.content)
    return len(ctx.captured_queries), html.decode()


def test_a_public_page_is_served_from_the_cache_with_one_query(agreement):
    first, page = _queries(Client(), reverse("penalties:defaults"))
    again, cached = _queries(Client(), reverse("penalties:defaults"))
    assert first > 1 and again == 1  # the data version: the audit chain's head
    assert cached == page


def test_never_a_stale_penalty_after_its_determination(agreement, pola):
    default = flagged_default(pola)
    public = Client()
    _, before = _queries(public, reverse("penalties:defaults"))
    _, ledger_before = _queries(public, reverse("penalties:penalties"))
    assert "$50,000.00" not in ledger_before  # a flagged miss is not public
    confirm(default)
    penalty = Penalty.objects.get(default=default)
    _, after = _queries(public, reverse("penalties:defaults"))
    _, ledger_after = _queries(public, reverse("penalties:penalties"))
    assert after != before
    assert reverse("penalties:penalty", args=[penalty.pk]) in after
    assert "$50,000.00" in ledger_after


def test_a_rolled_back_change_keeps_the_cached_pages(agreement, pola, pola_staff):
    queries, _ = _queries(Client(), reverse("public-status"))
    assert queries > 1
    with transaction.atomic():
        audit_record(actor=None, action="test.change", obj=pola)
        transaction.set_rollback(True)
    queries, _ = _queries(Client(), reverse("public-status"))
    assert queries == 1
    audit_record(actor=None, action="test.change", obj=pola)
    queries, _ = _queries(Client(), reverse("public-status"))
    assert queries > 1


def test_each_language_has_its_own_cached_page(agreement):
    _, english = _queries(Client(), reverse("public-status"), HTTP_ACCEPT_LANGUAGE="en")
    _, spanish = _queries(Client(), reverse("public-status"), HTTP_ACCEPT_LANGUAGE="es")
    queries, english_again = _queries(Client(), reverse("public-status"), HTTP_ACCEPT_LANGUAGE="en")
    assert spanish != english and english_again == english and queries == 1
    assert 'lang="es"' in spanish


def test_a_cached_page_gives_each_visitor_a_working_csrf_token(agreement):
    Client().get(reverse("public-status"))  # cached
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.get(reverse("public-status"))
    assert "csrftoken" in response.cookies
    found = public_cache._TOKEN.search(response.content)
    assert found is not None
    token = found.group(2).decode()
    switched = visitor.post(
        reverse("set_language"), {"language": "es", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302


def test_signed_in_users_are_never_served_a_cached_page(client, agreement, reviewer):
    Client().get(reverse("penalties:defaults"))
    client.force_login(reviewer)
    queries, _ = _queries(client, reverse("penalties:defaults"))
    assert queries > 0


def test_a_public_page_is_served_uncached_while_the_cache_is_down(agreement, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    response = Client().get(reverse("public-status"))
    assert response.status_code == 200
