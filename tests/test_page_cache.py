"""Pages and API lists are cached per reader and language and dropped, after commit, by any
recorded change: never a stale penalty after its determination, never one reader's page
served to another."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.middleware import RequireSecondFactorMiddleware
from audit.services import audit_record
from core import cache as core_cache
from core import page_cache
from penalties.models import Penalty
from tests.penalties.helpers import confirm, flagged_default


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    """Caching on, in this process's memory (the test settings' cache), emptied around."""
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    # Never FLUSHDB a Redis a test pointed the cache at (shared_cache deletes its own keys).
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        cache.clear()


def _queries(client: Client, url: str, **headers) -> tuple[int, str]:
    """The page's queries and its HTML (without the visitor's own CSRF token)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200
    html = page_cache._TOKEN_VALUE.sub(b"TOKEN", response.content)
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


def test_a_cached_page_gives_each_visitor_a_working_csrf_token(agreement, pola_staff):
    first = Client()
    first.force_login(pola_staff)
    first.get(reverse("home"))  # cached for this reader
    visitor = Client(enforce_csrf_checks=True)
    visitor.force_login(pola_staff)  # the same reader in another browser: the same copy
    response = visitor.get(reverse("home"))
    assert "csrftoken" in response.cookies
    found = page_cache._TOKEN_VALUE.search(response.content)
    assert found is not None
    signed_out = visitor.post(reverse("logout"), {"csrfmiddlewaretoken": found.group(0).decode()})
    assert signed_out.status_code == 302


@pytest.fixture
def each_ports_staff(agreement, pola, polb, pola_staff, polb_staff) -> tuple[Client, Client]:
    """A missed deadline at each port, and each port's staff signed in (POLA's, POLB's)."""
    flagged_default(pola)
    flagged_default(polb, due=dt.date(2027, 2, 5))
    staff_a, staff_b = Client(), Client()
    staff_a.force_login(pola_staff)
    staff_b.force_login(polb_staff)
    return staff_a, staff_b


def test_a_signed_in_page_is_kept_for_its_own_reader_only(each_ports_staff, pola_staff, polb_staff):
    staff_a, staff_b = each_ports_staff
    url = reverse("penalties:milestones")
    first, page_a = _queries(staff_a, url)
    again, cached_a = _queries(staff_a, url)
    # session, user and the data version; nothing of the page's own
    assert first > 3 and again == 3
    assert cached_a == page_a
    queries_b, page_b = _queries(staff_b, url)  # the other port's staff: their own page
    assert queries_b > 3
    assert page_b != page_a
    assert pola_staff.username in page_a and pola_staff.username not in page_b
    assert polb_staff.username in page_b


def test_the_public_never_gets_a_signed_in_readers_page(agreement, pola, reviewer):
    flagged_default(pola)  # a miss AQMD has not determined: not public
    signed_in = Client()
    signed_in.force_login(reviewer)
    _, reviewers = _queries(signed_in, reverse("penalties:defaults"))
    queries, public = _queries(Client(), reverse("penalties:defaults"))
    assert queries > 1 and public != reviewers
    assert reviewer.username not in public


def test_never_a_stale_default_on_a_signed_in_page_or_api_list(agreement, pola, reviewer):
    default = flagged_default(pola)
    signed_in = Client()
    signed_in.force_login(reviewer)
    url, api = reverse("penalties:penalties"), reverse("api:penalty-list")
    _, before = _queries(signed_in, url)
    listed = signed_in.get(api).json()
    assert listed["count"] == 0
    assert signed_in.get(api).json() == listed  # kept
    confirm(default)
    penalty = Penalty.objects.get(default=default)
    _, after = _queries(signed_in, url)
    assert after != before
    assert reverse("penalties:penalty", args=[penalty.pk]) in after
    assert [row["id"] for row in signed_in.get(api).json()["results"]] == [penalty.pk]


def test_an_api_list_is_kept_per_reader_and_answers_from_the_cache(each_ports_staff):
    staff_a, staff_b = each_ports_staff
    url = reverse("api:default-list")
    with CaptureQueriesContext(connection) as miss:
        answer_a = staff_a.get(url).json()
    with CaptureQueriesContext(connection) as hit:
        again = staff_a.get(url).json()
    assert again == answer_a
    assert len(hit.captured_queries) < len(miss.captured_queries)
    answer_b = staff_b.get(url).json()
    ports_a = {row["port"] for row in answer_a["results"]}
    ports_b = {row["port"] for row in answer_b["results"]}
    assert ports_a == {"POLA"} and ports_b == {"POLB"}


def test_a_signed_in_page_with_a_message_to_show_is_not_served_from_the_cache(
    agreement, pola_staff
):
    staff = Client()
    staff.force_login(pola_staff)
    staff.get(reverse("home"))  # kept
    # as MessageMiddleware leaves a message for the next page (the cookie storage)
    staff.cookies["messages"] = CookieStorage(HttpRequest())._encode(  # type: ignore[attr-defined]
        [Message(constants.SUCCESS, "Saved and kept for you")]
    )
    response = staff.get(reverse("home"))
    assert "Saved and kept for you" in response.content.decode()


def test_a_page_is_served_uncached_while_the_cache_is_down(
    agreement, pola_staff, settings, monkeypatch, caplog
):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    monkeypatch.setattr(core_cache, "_down_until", 0.0)
    staff = Client()
    staff.force_login(pola_staff)
    with caplog.at_level("WARNING", logger="core.cache"):
        assert Client().get(reverse("public-status")).status_code == 200
        assert staff.get(reverse("home")).status_code == 200
        assert staff.get(reverse("api:milestone-list")).status_code == 200
    # The first failure puts the cache aside for a while: one timeout, not one per request.
    assert [r.message for r in caplog.records].count(
        "Cache unavailable; carrying on without it"
    ) == 1


def test_a_new_release_does_not_serve_the_pages_the_previous_one_kept(agreement, settings):
    settings.RELEASE = "release-1"
    page_cache.release.cache_clear()
    _queries(Client(), reverse("public-status"))
    assert _queries(Client(), reverse("public-status"))[0] == 1
    settings.RELEASE = "release-2"
    page_cache.release.cache_clear()
    assert _queries(Client(), reverse("public-status"))[0] > 1
    page_cache.release.cache_clear()


@pytest.fixture
def shared_cache(settings):
    """The production arrangement: the pages in Redis, shared by every process, and the data
    version read again at most every PAGE_CACHE_VERIFY_SECONDS."""
    prefix = f"ct-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            # The test Redis (the broker's), its keys under a prefix of their own.
            "LOCATION": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
            "KEY_PREFIX": prefix,
        }
    }
    # Long enough for no test to depend on its speed; a test wanting the backstop moves the
    # process's reading back (``_version_read_at``).
    settings.PAGE_CACHE_VERIFY_SECONDS = 3600
    yield
    redis = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    keys = list(redis.scan_iter(f"{prefix}:*"))
    if keys:
        redis.delete(*keys)


def test_with_a_shared_cache_a_public_hit_makes_no_query(agreement, shared_cache):
    first, page = _queries(Client(), reverse("penalties:defaults"))
    again, cached = _queries(Client(), reverse("penalties:defaults"))
    assert first > 1 and again == 0
    assert cached == page


def test_with_a_shared_cache_the_count_of_changes_drops_every_kept_page_at_commit(
    agreement, pola, shared_cache, django_capture_on_commit_callbacks
):
    # Only the count can show the change: the version is not read again for an hour.
    default = flagged_default(pola)
    public = Client()
    _, before = _queries(public, reverse("penalties:defaults"))
    _, ledger_before = _queries(public, reverse("penalties:penalties"))
    assert "$50,000.00" not in ledger_before
    with django_capture_on_commit_callbacks(execute=True):
        confirm(default)
    penalty = Penalty.objects.get(default=default)
    _, after = _queries(public, reverse("penalties:defaults"))
    _, ledger_after = _queries(public, reverse("penalties:penalties"))
    assert reverse("penalties:penalty", args=[penalty.pk]) in after and after != before
    assert "$50,000.00" in ledger_after


def test_with_a_shared_cache_a_rolled_back_change_keeps_the_kept_pages(
    agreement, pola, shared_cache, django_capture_on_commit_callbacks
):
    _queries(Client(), reverse("public-status"))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        audit_record(actor=None, action="test.change", obj=pola)
        transaction.set_rollback(True)
    assert _queries(Client(), reverse("public-status"))[0] == 0


def test_a_count_lost_after_its_commit_leaves_a_page_stale_no_longer_than_the_verify_interval(
    agreement, pola, shared_cache, monkeypatch, django_capture_on_commit_callbacks
):
    default = flagged_default(pola)
    public = Client()
    _, before = _queries(public, reverse("penalties:penalties"))
    monkeypatch.setattr(core_cache, "_increment", lambda: None)  # Redis failed at that moment
    with django_capture_on_commit_callbacks(execute=True):
        confirm(default)
    _, meanwhile = _queries(public, reverse("penalties:penalties"))
    assert meanwhile == before  # until this process reads the version again
    # PAGE_CACHE_VERIFY_SECONDS later it does, and the page is rendered anew.
    monkeypatch.setattr(page_cache, "_version_read_at", page_cache._version_read_at - 3600)
    _, after = _queries(public, reverse("penalties:penalties"))
    assert "$50,000.00" in after


@pytest.fixture
def below_the_public_cache(monkeypatch) -> list[str]:
    """The paths of the requests that reached the middleware below the public page cache."""
    calls: list[str] = []
    inner = RequireSecondFactorMiddleware.__call__

    def spy(self, request):
        calls.append(request.path)
        return inner(self, request)

    monkeypatch.setattr(RequireSecondFactorMiddleware, "__call__", spy)
    return calls


def test_the_publics_page_is_answered_before_the_stack_with_the_stacks_headers(
    agreement, below_the_public_cache
):
    url = reverse("penalties:defaults")
    first = Client().get(url, HTTP_ACCEPT_LANGUAGE="es")
    calls = below_the_public_cache
    calls.clear()  # the first request went through
    again = Client().get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert calls == []  # nothing below the public page cache ran
    assert again.content == first.content and 'lang="es"' in again.text
    for header in ("Content-Language", "Content-Security-Policy", "X-Frame-Options", "Vary"):
        assert again[header] == first[header], header
    assert again["Content-Language"] == "es"
    # A visitor with a session cookie is not known to be the public: through the stack.
    with_session = Client()
    with_session.cookies["sessionid"] = "no-such-session"
    assert with_session.get(url, HTTP_ACCEPT_LANGUAGE="es").status_code == 200
    assert calls == [url]


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_AUTHORIZATION": "Token abc"},  # an API token's holder: maybe not the public
        {"HTTP_HX_REQUEST": "true"},  # an htmx partial
        {"HTTP_COOKIE": "messages=x"},  # a message waiting for this visitor
    ],
    ids=["credentials", "htmx", "message"],
)
def test_a_visitor_not_known_to_be_the_public_goes_through_the_stack(
    agreement, below_the_public_cache, headers
):
    url = reverse("penalties:defaults")
    Client().get(url)  # kept for the public
    calls = below_the_public_cache
    calls.clear()
    Client().get(url, **headers)
    assert calls == [url]


def test_head_of_a_get_only_page_is_refused_after_the_page_was_kept(agreement):
    url = reverse("public-plans:list")
    assert Client().get(url).status_code == 200
    assert Client().get(url).status_code == 200  # kept
    assert Client().head(url).status_code == 405  # as require_GET says, kept or not
