"""Redis (the Celery broker) goes down.

- While people browse: pages keep answering 200, ``/healthz/`` answers 503 naming the broker,
  and once Redis is back the probe is green again without restarting anything.
- While a report run is requested: no 5xx and no false success (the run is saved *queued*,
  the page says so); once Redis is back the recovery job sends its render task and the run
  renders, once.

Each test runs a redis-server of its own on a free port and stops and starts it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest
import redis as redis_client
import requests
from celery import Celery

from reports.models import ReportRun, ReportStatus
from reports.seed import seed_public_inventories
from tests.processes import PrivateRedis, celery_worker, get, gunicorn, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/status/", "/milestones/", "/agreement/", "/accounts/login/", "/api/v1/milestones/"]


def _csrf(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match is not None, page[:1000]
    return match.group(1)


@pytest.fixture
def redis(tmp_path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def test_pages_keep_working_and_the_probe_names_redis_while_it_is_down(agreement, redis, tmp_path):
    with gunicorn(tmp_path, CELERY_BROKER_URL=redis.url) as (_web, base):
        status, body = get(base + "/healthz/")
        assert status == 200 and json.loads(body)["down"] == []

        redis.stop()
        started = time.monotonic()
        statuses = [get(base + page)[0] for page in PAGES * 3]
        browse_seconds = time.monotonic() - started
        status, body = get(base + "/healthz/")
        assert statuses == [200] * len(statuses)
        assert status == 503
        report = json.loads(body)
        assert report["status"] == "unavailable"
        assert report["down"] == ["broker (redis)"]
        assert report["checks"]["database (postgresql)"] == "ok"

        redis.start()
        assert wait_for(lambda: get(base + "/healthz/")[0] == 200, timeout=30)
    print(f"Redis down: {len(statuses)} page views, all 200, in {browse_seconds:.1f} s")


def test_a_report_requested_while_redis_is_down_is_queued_honestly_and_renders_once_it_is_back(
    agreement, reviewer, redis, tmp_path, settings, monkeypatch
):
    seed_public_inventories()
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    env = {
        "CELERY_BROKER_URL": redis.url,
        "MEDIA_ROOT": str(media),
        # The recovery job's wait, shortened from 5 minutes for the test.
        "REPORT_QUEUED_STALE_SECONDS": "0",
    }
    # The web runs the suite's settings: the reviewer signs in without a second factor.
    with (
        gunicorn(tmp_path, **env, DJANGO_SETTINGS_MODULE="config.settings.test") as (_web, base),
        celery_worker(tmp_path, "redis-down-worker", **env) as worker,
    ):
        browser = requests.Session()
        login = browser.get(base + "/accounts/login/", timeout=10)
        token = _csrf(login.text)
        signed_in = browser.post(
            base + "/accounts/login/",
            data={"username": "reviewer", "password": "pw", "csrfmiddlewaretoken": token},
            timeout=10,
        )
        assert signed_in.status_code == 200 and "Sign out reviewer" in signed_in.text

        redis.stop()
        page = browser.get(base + "/reports/", timeout=10)
        token = _csrf(page.text)
        started = time.monotonic()
        response = browser.post(
            base + "/reports/generate/",
            data={"year": "2025", "party": "", "csrfmiddlewaretoken": token},
            timeout=30,
        )
        request_seconds = time.monotonic() - started
        assert response.status_code == 200, response.text[:2000]  # after the redirect
        assert "is queued" in response.text
        run = ReportRun.objects.get(year=2025, party=None)
        assert run.status == ReportStatus.QUEUED and not run.pdf  # no false success
        time.sleep(2)
        run.refresh_from_db()
        assert run.status == ReportStatus.QUEUED  # nothing reached the worker

        redis.start()
        # The worker reconnects by itself and declares its queue again on the empty Redis
        # (until then a message sent to that Redis has no queue to go to).
        probe = redis_client.Redis.from_url(redis.url)
        assert wait_for(lambda: bool(probe.exists("_kombu.binding.celery")), timeout=60)
        # Beat sends the recovery job every 5 minutes; here it is sent by hand once Redis is up.
        # A client of that Redis only (not the app the other tests send through; Celery
        # prefers CELERY_BROKER_URL from the environment to its broker argument).
        with monkeypatch.context() as env_patch:
            env_patch.setenv("CELERY_BROKER_URL", redis.url)
            client = Celery(broker=redis.url, set_as_current=False)
            client.send_task("reports.requeue_stalled_runs")
        assert wait_for(
            lambda: ReportRun.objects.get(pk=run.pk).status == ReportStatus.READY, timeout=120
        ), worker.output()[-3000:]
        client.close()
    run.refresh_from_db()
    assert run.attempts == 1
    assert [p.relative_to(media).as_posix() for p in media.rglob("*.pdf")] == [run.pdf.name]
    print(f"Report requested with Redis down: answered in {request_seconds:.1f} s, rendered later")
