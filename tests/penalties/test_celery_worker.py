"""End to end with a real Celery worker consuming from Redis (TEST_BROKER_URL): the sweep
task flags the miss and the worker mails the notice of potential default after commit; AQMD
confirms it and the worker mails the notice of default, which marks the penalty."""

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from config.celery import app as celery_app
from core import tasks as outbox_tasks
from core.models import OutboxMessage
from penalties import tasks
from penalties.determinations import default_determine
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


def test_a_real_worker_flags_the_miss_and_delivers_each_notice_once(pola, pola_staff, reviewer):
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
        flagged = Notice.objects.get(milestone=milestone, kind=NoticeKind.POTENTIAL_DEFAULT)
        assert _wait_for(lambda: Notice.objects.get(pk=flagged.pk).sent_at is not None)

        default_determine(
            default=Default.objects.get(milestone=milestone),
            decision="confirmed",
            reason="No claim filed",
            actor=reviewer,
        )
        notice = Notice.objects.get(milestone=milestone, kind=NoticeKind.DEFAULT)
        assert _wait_for(lambda: Notice.objects.get(pk=notice.pk).sent_at is not None)
        # the same tasks again (a retry, or beat firing twice) change nothing
        tasks.sweep_deadlines.delay()
        for row in OutboxMessage.objects.all():
            outbox_tasks.outbox_deliver.delay(row.pk)
        outbox_tasks.outbox_redeliver.delay()
        time.sleep(2)
    assert Default.objects.filter(milestone=milestone).count() == 1
    default = Default.objects.select_related("penalty").get(milestone=milestone)
    assert default.penalty.status == PenaltyStatus.NOTICE_SENT
    subjects = sorted(m.subject for m in mail.outbox if "Worker test berth" in m.subject)
    assert subjects == [
        "Notice of default: Worker test berth",
        "Notice of potential default: Worker test berth",
    ]
    assert all(m.to == [pola_staff.email] for m in mail.outbox if "Worker" in m.subject)
