"""Several sweeps at once on PostgreSQL (each thread its own connection) give the same result
as one: exactly one flag and one notice per missed milestone.  Several AQMD confirmations at
once give a port's defaults distinct numbers."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection

from agreement.models import Milestone
from penalties.determinations import default_determine
from penalties.models import Default, Notice, NoticeKind, Penalty
from penalties.sweep import sweep_deadlines
from tests.factories import MilestoneFactory

from .conftest import pacific

pytestmark = pytest.mark.django_db(transaction=True)


def _run_concurrently(count: int, target) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            target()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.parametrize("sweeps", [2, 4])
def test_concurrent_sweeps_flag_each_missed_milestone_once(pola, polb, sweeps):
    for n in range(6):
        MilestoneFactory.create(party=pola, due_date=dt.date(2027, 1, 4) + dt.timedelta(days=n))
    for n in range(4):
        MilestoneFactory.create(party=polb, due_date=dt.date(2027, 1, 5) + dt.timedelta(days=n))
    now = pacific(2027, 2, 1, 9)  # before any seeded deadline
    missed = set(
        Milestone.objects.filter(due_date__lt=dt.date(2027, 2, 1)).values_list("pk", flat=True)
    )
    assert len(missed) == 10

    errors = _run_concurrently(sweeps, lambda: sweep_deadlines(now))

    assert errors == []
    per_milestone = Counter(Default.objects.values_list("milestone_id", flat=True))
    assert set(per_milestone) == missed
    assert set(per_milestone.values()) == {1}
    assert set(Default.objects.values_list("status", flat=True)) == {"flagged"}
    assert Penalty.objects.count() == 0
    assert Notice.objects.filter(kind=NoticeKind.POTENTIAL_DEFAULT).count() == 10


def test_concurrent_confirmations_give_distinct_numbers_and_penalties(pola, reviewer):
    for n in range(6):
        MilestoneFactory.create(party=pola, due_date=dt.date(2027, 1, 4) + dt.timedelta(days=n))
    now = pacific(2027, 2, 1, 9)
    sweep_deadlines(now)
    flagged = list(Default.objects.filter(party=pola))
    assert len(flagged) == 6
    pending = list(flagged)
    lock = threading.Lock()

    def confirm_one() -> None:
        with lock:
            default = pending.pop()
        default_determine(default=default, decision="confirmed", reason="Missed", actor=reviewer)

    assert _run_concurrently(6, confirm_one) == []
    ordinals = sorted(
        o for o in Default.objects.filter(party=pola).values_list("ordinal", flat=True) if o
    )
    assert ordinals == [1, 2, 3, 4, 5, 6]
    amounts = sorted(Penalty.objects.values_list("amount", flat=True))
    assert [int(a) for a in amounts] == [50000, 100000, 200000, 200000, 200000, 200000]


def test_a_sweep_rerun_after_concurrent_sweeps_changes_nothing(pola):
    for n in range(3):
        MilestoneFactory.create(party=pola, due_date=dt.date(2027, 1, 4) + dt.timedelta(days=n))
    now = pacific(2027, 2, 1, 9)
    assert _run_concurrently(3, lambda: sweep_deadlines(now)) == []
    before = list(Default.objects.order_by("pk").values_list("pk", "milestone"))
    assert sweep_deadlines(now) == 0
    assert list(Default.objects.order_by("pk").values_list("pk", "milestone")) == before
