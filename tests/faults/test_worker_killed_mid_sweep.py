"""A Celery worker SIGKILLed in the middle of a deadline sweep: once a new worker starts, every
missed milestone has exactly one flagged default and one notice of potential default; nothing
is duplicated.

Real processes: a prefork worker on Redis (TEST_BROKER_URL) and PostgreSQL; the whole worker
(master and child) is killed, so the sweep's message stays unacknowledged in Redis and goes
to the next worker after the visibility timeout (10 s here, an hour in production where the
15-minute beat sweep would also finish the work).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import time

import pytest
from django.db.models import Count

from agreement.models import Milestone, MilestoneKind, Party
from config.celery import app as celery_app
from penalties import tasks
from penalties.models import Default, Notice, NoticeKind
from tests.processes import celery_worker, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

MISSED = 120


def _missed_milestones() -> list[int]:
    ports = list(Party.objects.filter(code__in=["POLA", "POLB"]))
    rows = Milestone.objects.bulk_create(
        Milestone(
            party=ports[i % 2],
            kind=MilestoneKind.PROJECT,
            title=f"Fault test milestone {i}",
            due_date=dt.date(2026, 1, 5) + dt.timedelta(days=i % 30),
        )
        for i in range(MISSED)
    )
    return [m.pk for m in rows]


def test_a_worker_killed_mid_sweep_leaves_one_default_and_one_notice_per_milestone(
    agreement, tmp_path
):
    ids = _missed_milestones()
    env = {
        "CELERY_BROKER_URL": celery_app.conf.broker_url,
        "CELERY_VISIBILITY_TIMEOUT": "10",
        # Small batches (the sweep flags SWEEP_BATCH_SIZE misses per transaction), so the
        # kill lands with some committed and the rest not.
        "SWEEP_BATCH_SIZE": "5",
    }
    celery_app.control.purge()
    celery_app.conf.task_always_eager = False
    with celery_worker(tmp_path, "sweep-first", **env) as first:
        tasks.sweep_deadlines.delay()
        assert wait_for(lambda: Default.objects.filter(milestone_id__in=ids).count() >= 20)
        os.killpg(first.pid, signal.SIGKILL)
        first.popen.wait(10)
    recorded_at_kill = Default.objects.filter(milestone_id__in=ids).count()
    assert recorded_at_kill < MISSED, "the sweep finished before the kill: nothing was tested"

    restarted = time.monotonic()
    with celery_worker(tmp_path, "sweep-second", **env) as second:
        done = wait_for(
            lambda: (
                Notice.objects.filter(
                    milestone_id__in=ids, kind=NoticeKind.POTENTIAL_DEFAULT
                ).count()
                >= MISSED
            ),
            timeout=420,  # the redelivery waits on kombu: 18 to 116 s here
        )
        assert done, second.output()[-3000:]
        assert "penalties.sweep_deadlines" in second.output()  # redelivered to the new worker
        finished = time.monotonic() - restarted

    defaults = Default.objects.filter(milestone_id__in=ids)
    notices = Notice.objects.filter(milestone_id__in=ids, kind=NoticeKind.POTENTIAL_DEFAULT)
    assert defaults.count() == MISSED
    assert set(defaults.values_list("milestone_id", flat=True)) == set(ids)
    assert notices.count() == MISSED
    assert not defaults.values("milestone").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not notices.values("milestone").annotate(n=Count("id")).filter(n__gt=1).exists()
    print(
        f"sweep killed after {recorded_at_kill}/{MISSED} defaults; after restart "
        f"{defaults.count()} defaults and {notices.count()} notices, 0 duplicates, "
        f"finished {finished:.0f} s after the new worker started"
    )
