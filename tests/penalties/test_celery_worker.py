"""End to end with a real Celery worker consuming from Redis (TEST_BROKER_URL): the sweep
task records the default and the worker delivers the notice of default after commit."""

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from config.celery import app as celery_app
from penalties import tasks
from penalties.models import Default, Notice, NoticeKind, PenaltyStatus
from tests.factories import MilestoneFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_real_worker_runs_the_sweep_and_delivers_the_notice(pola, pola_staff):
    assert celery_app.conf.broker_url.startswith("redis://")
    celery_app.conf.task_always_eager = False
    # Missed in real time: the worker's clock is not frozen.
    milestone = MilestoneFactory.create(
        party=pola, title="Worker test berth", due_date=dt.date(2026, 1, 5)
    )
    celery_app.control.purge()
    with start_worker(
        celery_app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30
    ):
        tasks.sweep_deadlines.delay()
        assert _wait_for(lambda: Default.objects.filter(milestone=milestone).exists())
        notice = Notice.objects.get(milestone=milestone, kind=NoticeKind.DEFAULT)
        assert _wait_for(lambda: Notice.objects.get(pk=notice.pk).sent_at is not None)
        # the same task again (a retry, or beat firing twice) changes nothing
        tasks.sweep_deadlines.delay()
        tasks.deliver_notice.delay(notice.pk)
        time.sleep(2)
    assert Default.objects.filter(milestone=milestone).count() == 1
    default = Default.objects.select_related("penalty").get(milestone=milestone)
    assert default.penalty.status == PenaltyStatus.NOTICE_SENT
    notices = [m for m in mail.outbox if "Worker test berth" in m.subject]
    assert len(notices) == 1 and notices[0].to == [pola_staff.email]
