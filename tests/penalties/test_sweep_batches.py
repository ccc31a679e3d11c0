"""The sweep flags misses in batches: one default and one notice per miss, the audit chain
intact, and a batch costs the same queries whatever its size."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreement.models import Milestone, MilestoneKind
from audit import chain
from audit.models import AuditEvent
from penalties.models import Default, Notice, NoticeKind
from penalties.sweep import sweep_deadlines

from .conftest import pacific


def _missed(party, n: int) -> list[int]:
    rows = Milestone.objects.bulk_create(
        Milestone(
            party=party,
            kind=MilestoneKind.PROJECT,
            title=f"Batch test milestone {i}",
            due_date=dt.date(2027, 1, 5) + dt.timedelta(days=i % 7),
        )
        for i in range(n)
    )
    return [m.pk for m in rows]


NOW = pacific(2027, 2, 1, 9)


def test_batches_flag_each_miss_once_with_its_notice_and_audit_events(
    pola, polb, pola_staff, polb_staff, settings
):
    settings.SWEEP_BATCH_SIZE = 7
    ids = _missed(pola, 16) + _missed(polb, 15)
    with time_machine.travel(NOW, tick=False):
        sweep_deadlines(NOW)
        assert sweep_deadlines(NOW) == 0
    defaults = Default.objects.filter(milestone_id__in=ids)
    assert sorted(defaults.values_list("milestone_id", flat=True)) == sorted(ids)
    notices = Notice.objects.filter(milestone_id__in=ids, kind=NoticeKind.POTENTIAL_DEFAULT)
    assert notices.count() == len(ids)
    assert notices.filter(recipients="").count() == 0
    assert AuditEvent.objects.filter(action="default.flagged").count() >= len(ids)
    assert chain.verify().ok


def test_a_batch_costs_the_same_queries_for_10_and_60_misses(pola, polb, pola_staff):
    counts = []
    for n, day in ((10, 1), (60, 2)):
        _missed(pola, n)
        now = NOW + dt.timedelta(days=day)
        with time_machine.travel(now, tick=False), CaptureQueriesContext(connection) as ctx:
            sweep_deadlines(now)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
