"""Redis (the Celery broker) goes down while a port planner submits a plan.

The submission is the record: it is saved and the page says so (no 5xx, no false failure),
its e-mail to AQMD's reviewers waits in the outbox (the task could not be enqueued), and
once Redis is back the outbox's redelivery job sends it, once.  A worker with production
settings prints each e-mail (the console backend), so the test counts what it sent.

Runs a redis-server of its own on a free port, gunicorn and a Celery worker as processes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import redis as redis_client
import requests
from celery import Celery

from core.models import OutboxMessage
from plans.models import PlanVersion, VersionStatus
from tests.plans.conftest import make_draft
from tests.processes import PrivateRedis, celery_worker, gunicorn, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

SUBJECT = "Submitted for review"


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


def test_a_plan_submitted_while_redis_is_down_is_recorded_and_its_mail_sent_once_it_is_back(
    agreement, pola_staff, reviewer, redis, tmp_path, settings, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    version = make_draft(pola_staff, agreement.phases.get(number=1))
    env = {"CELERY_BROKER_URL": redis.url, "MEDIA_ROOT": str(tmp_path / "media")}
    with (
        gunicorn(tmp_path, **env, DJANGO_SETTINGS_MODULE="config.settings.test") as (_web, base),
        celery_worker(tmp_path, "outbox-worker", **env) as worker,
    ):
        browser = requests.Session()
        token = _csrf(browser.get(base + "/accounts/login/", timeout=10).text)
        signed_in = browser.post(
            base + "/accounts/login/",
            data={"username": pola_staff.username, "password": "pw", "csrfmiddlewaretoken": token},
            timeout=10,
        )
        assert signed_in.status_code == 200, signed_in.text[:1000]

        redis.stop()
        page = browser.get(f"{base}/plans/versions/{version.pk}/", timeout=10)
        assert page.status_code == 200
        started = time.monotonic()
        response = browser.post(
            f"{base}/plans/versions/{version.pk}/submit/",
            data={"csrfmiddlewaretoken": _csrf(page.text)},
            timeout=30,
        )
        answered_in = time.monotonic() - started
        assert response.status_code == 200, response.text[:2000]  # after the redirect
        assert PlanVersion.objects.get(pk=version.pk).status == VersionStatus.SUBMITTED
        message = OutboxMessage.objects.get(event_key=f"plan_version.{version.pk}.submitted")
        assert message.status == "pending" and message.to_email == reviewer.email
        time.sleep(2)
        assert SUBJECT not in worker.output()  # nothing could reach the worker

        redis.start()
        probe = redis_client.Redis.from_url(redis.url)
        assert wait_for(lambda: bool(probe.exists("_kombu.binding.celery")), timeout=60)
        # Beat sends the redelivery job every minute; here it is sent by hand once Redis is up,
        # after the message's first retry time (moved to now, as the minutes would pass).
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
        with monkeypatch.context() as env_patch:
            env_patch.setenv("CELERY_BROKER_URL", redis.url)
            client = Celery(broker=redis.url, set_as_current=False)
            client.send_task("core.outbox_redeliver")
            client.send_task("core.outbox_redeliver")  # beat firing twice sends nothing more
        assert wait_for(
            lambda: OutboxMessage.objects.get(pk=message.pk).status == "sent", timeout=120
        ), worker.output()[-3000:]
        time.sleep(2)
        client.close()
        sent = worker.output().count(f"Subject: {SUBJECT}")
    assert sent == 1, worker.output()[-3000:]
    print(f"Submitted with Redis down: answered in {answered_in:.1f} s, mailed once after")
