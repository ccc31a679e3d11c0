"""The deadline sweep: one default (and its penalty) per missed milestone, exactly once.

A milestone is *missed* when its due moment (23:59:59 Pacific on the due date) has passed
and it is still open: not met, not excused, and not waiting for a decision on an extension
request filed before the deadline (a refusal lets the next sweep record the default; a grant
moves the due date).  Only misses that :func:`penalties.models.counts_as_default` are
recorded; the others get the overdue notice from the reminder job.

``process_one(now)`` claims one missed milestone (``select_for_update(skip_locked=True)``,
then a re-check), records its default, assesses the penalty and records the notice of
default, all in one transaction; the unique default per milestone backs the claim.  The
loop ``sweep_deadlines(now)`` runs it until nothing is left.  Running it twice, or four
times at once, gives the same result; a crash rolls back the milestone it was working on
and a rerun completes it.

A milestone met late *before* any sweep saw it missed (the worker was down, or the port
delivered minutes after midnight) is still a default: ``record_late_completions(now)``
(``process_one_met_late``, the same claim) finds met milestones completed after their
deadline with no default.  It runs daily and from the management command, not in the
15-minute sweep, so the sweep stays one indexed query when nothing is due.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import TruncDate

from agreement import deadlines
from agreement.models import Milestone, MilestoneQuerySet, MilestoneStatus

from .models import (
    Default,
    DefaultStatus,
    ExtensionRequest,
    NoticeKind,
    PenaltySchedule,
    RequestStatus,
    default_milestones_q,
)
from .notices import notice_record
from .services import default_record

logger = logging.getLogger(__name__)


def missed_milestones(now: dt.datetime) -> MilestoneQuerySet:
    """Open milestones past their deadline that are defaults and have none recorded yet.

    Served by the partial index ``milestone_open_due_idx`` (open milestones by due date).
    """
    return (
        Milestone.objects.open()
        .filter(due_date__lte=deadlines.last_passed_due_date(now))
        .filter(default_milestones_q())
        .exclude(Exists(Default.objects.filter(milestone=OuterRef("pk"))))
        .exclude(
            Exists(
                ExtensionRequest.objects.filter(
                    milestone=OuterRef("pk"), status=RequestStatus.PENDING
                )
            )
        )
        .order_by("due_date", "id")
    )


def met_late_without_default(now: dt.datetime) -> MilestoneQuerySet:
    """Met milestones that are defaults, completed after their deadline, with none recorded.

    Scans met milestones (no index on the agreement side; a daily job over a small table).
    """
    return (
        Milestone.objects.filter(status=MilestoneStatus.MET)
        .filter(default_milestones_q())
        .annotate(completed_on=TruncDate("completed_at", tzinfo=deadlines.PACIFIC))
        .filter(completed_on__gt=F("due_date"))
        .exclude(Exists(Default.objects.filter(milestone=OuterRef("pk"))))
        # As in the sweep: while AQMD has not decided an extension asked for in time, the
        # deadline may still move; a refusal lets the next run record the default.
        .exclude(
            Exists(
                ExtensionRequest.objects.filter(
                    milestone=OuterRef("pk"), status=RequestStatus.PENDING
                )
            )
        )
        .order_by("due_date", "id")
    )


def process_one(now: dt.datetime) -> bool:
    """Record the default of one missed milestone.  False when there is nothing left to do."""
    return _record_one(missed_milestones, now)


def process_one_met_late(now: dt.datetime) -> bool:
    """Record the default of one milestone met late that no sweep saw missed."""
    return _record_one(met_late_without_default, now)


def _record_one(candidates: Callable[[dt.datetime], MilestoneQuerySet], now: dt.datetime) -> bool:
    # The common case, nothing due, is this one indexed query, without opening a transaction.
    if not candidates(now).exists():
        return False
    with transaction.atomic():
        milestone = candidates(now).select_for_update(skip_locked=True, of=("self",)).first()
        if milestone is None:
            return False
        # Race condition: another sweep may have committed this default after our query's
        # snapshot; re-check under the row lock.
        if Default.objects.filter(milestone=milestone).exists():
            return True
        try:
            default_record(milestone=milestone, now=now)
        except IntegrityError:
            # The database refused a second default for this milestone: someone else won.
            logger.info("Default for milestone %s already recorded", milestone.pk)
            return True
        notice_record(milestone=milestone, kind=NoticeKind.DEFAULT, now=now)
        logger.info("Recorded default for milestone %s", milestone.pk)
    return True


def sweep_deadlines(now: dt.datetime) -> int:
    """Record every missed milestone's default; returns how many this run recorded."""
    done = 0
    while process_one(now):
        done += 1
    return done


def record_late_completions(now: dt.datetime) -> int:
    """Record the defaults of milestones met late before a sweep saw them missed."""
    done = 0
    while process_one_met_late(now):
        done += 1
    return done


@dataclass(frozen=True)
class PlannedDefault:
    milestone: Milestone
    ordinal: int
    amount: Decimal | None


def sweep_preview(now: dt.datetime) -> list[PlannedDefault]:
    """What a sweep at ``now`` would record, without writing anything (``--dry-run``)."""
    milestones = sorted(
        [
            *missed_milestones(now).select_related("party"),
            *met_late_without_default(now).select_related("party"),
        ],
        key=lambda m: (m.due_date, m.pk),
    )
    counts: dict[int, int] = {}
    for party_id in {m.party_id for m in milestones}:
        counts[party_id] = Default.objects.filter(
            party_id=party_id, status=DefaultStatus.ACTIVE
        ).count()
    schedule = PenaltySchedule.objects.in_force(deadlines.pacific_date(now))
    planned = []
    for milestone in milestones:
        counts[milestone.party_id] += 1
        ordinal = counts[milestone.party_id]
        amount = schedule.amount_for(ordinal) if schedule else None
        planned.append(PlannedDefault(milestone, ordinal, amount))
    return planned
