"""The deadline sweep: flag each missed milestone once, for AQMD to determine.

A milestone is *missed* when its due moment (23:59:59 Pacific on the due date) has passed and
it is still open (not met, not excused) and not on hold: AQMD has nothing in hand, filed in
time, that it has not decided (an extension request asked for before the deadline, a
completion report filed by it, a final plan submitted on time: :mod:`agreement.holds`).
Only misses that :func:`penalties.models.counts_as_default` may be defaults are flagged; the
others get the overdue notice from the reminder job.

Flagging is not a penalty: it records a :class:`~penalties.models.Default` with status
*flagged* and its proposed penalty, sends the port a notice of potential default and puts a
task on AQMD's dashboard (:func:`penalties.determinations.default_flag`).  AQMD decides.

``process_one(now)`` claims one missed milestone (``select_for_update(skip_locked=True)``,
then a re-check), flags it and records the notice, all in one transaction; the unique default
per milestone and missed due date backs the claim.  The loop ``sweep_deadlines(now)`` runs it
until nothing is left.  Running it twice, or four times at once, gives the same result; a
crash rolls back the milestone it was working on and a rerun completes it.

A row that fails (bad data, a missing penalty schedule) must not stop every later sweep: the
failure is recorded (:class:`~penalties.models.SweepFailure`, AQMD administrators are told
once), the row is set aside with backoff, and the sweep goes on with the others.

A milestone met late *before* any sweep saw it missed (the worker was down, or the port
delivered minutes after midnight) may still be a default: ``record_late_completions(now)``
(``process_one_met_late``, the same claim) finds met milestones completed after their
deadline with none flagged.  It runs daily and from the management command, not in the
15-minute sweep, so the sweep stays one indexed query when nothing is due.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.translation import gettext as _

from agreement import deadlines, holds
from agreement.models import Milestone, MilestoneQuerySet, MilestoneStatus, Party
from core.outbox import Mail, absolute_url, aqmd_admins, mail_language, outbox_put

from .determinations import default_flag, default_flag_many, propose
from .models import Default, SweepFailure, default_milestones_q

logger = logging.getLogger(__name__)

# A row that failed is tried again after this long, doubling each time, at most a day.
FAILURE_BACKOFF = dt.timedelta(minutes=15)
FAILURE_BACKOFF_MAX = dt.timedelta(days=1)


def _not_flagged() -> Q:
    """No default recorded for the milestone's current due date."""
    return ~Q(
        Exists(Default.objects.filter(milestone=OuterRef("pk"), due_date=OuterRef("due_date")))
    )


def _not_set_aside(now: dt.datetime) -> Q:
    """Not a row that failed recently (retried after its backoff)."""
    return ~Q(
        Exists(
            SweepFailure.objects.filter(
                milestone=OuterRef("pk"),
                due_date=OuterRef("due_date"),
                resolved_at__isnull=True,
                next_attempt_at__gt=now,
            )
        )
    )


def missed_milestones(now: dt.datetime) -> MilestoneQuerySet:
    """Open milestones past their deadline, not on hold, that may be defaults, not flagged yet.

    Served by the partial index ``milestone_open_due_idx`` (open milestones by due date).
    """
    return (
        Milestone.objects.open()
        .filter(due_date__lte=deadlines.last_passed_due_date(now))
        .filter(default_milestones_q())
        .filter(_not_flagged())
        .exclude(holds.held())
        .filter(_not_set_aside(now))
        .order_by("due_date", "id")
    )


def met_late_without_default(now: dt.datetime) -> MilestoneQuerySet:
    """Met milestones that may be defaults, completed after their deadline, none flagged.

    Scans met milestones (no index on the agreement side; a daily job over a small table).
    """
    return (
        Milestone.objects.filter(status=MilestoneStatus.MET)
        .filter(default_milestones_q())
        .annotate(completed_on=TruncDate("completed_at", tzinfo=deadlines.PACIFIC))
        .filter(completed_on__gt=F("due_date"))
        .filter(_not_flagged())
        # As in the sweep: while AQMD has not decided what was filed in time, the deadline
        # may still move; the next run flags it once it is decided.
        .exclude(holds.held())
        .filter(_not_set_aside(now))
        .order_by("due_date", "id")
    )


def _any(candidates: MilestoneQuerySet) -> bool:
    """Whether there is a candidate: the first in the sweep's order (due date, id), not
    ``exists()``.  Unordered, the planner guesses that some of the many open milestones are
    past due and scans the table for one (over a million rows: 500 ms, every 15 minutes);
    ordered, it reads ``milestone_open_due_idx`` from its start (1 ms).  EXPLAIN, issue #13.
    """
    return candidates.values_list("pk", flat=True).first() is not None


def process_one(now: dt.datetime) -> bool:
    """Flag one missed milestone.  False when there is nothing left to do."""
    return _flag_one(missed_milestones, now)


def process_one_met_late(now: dt.datetime) -> bool:
    """Flag one milestone met late that no sweep saw missed."""
    return _flag_one(met_late_without_default, now)


def _flag_one(candidates: Callable[[dt.datetime], MilestoneQuerySet], now: dt.datetime) -> bool:
    # The common case, nothing due, is this one indexed query, without opening a transaction.
    if not _any(candidates(now)):
        return False
    claimed: Milestone | None = None
    try:
        with transaction.atomic():
            claimed = candidates(now).select_for_update(skip_locked=True, of=("self",)).first()
            if claimed is None:
                return False
            # Race condition: another sweep may have committed this flag after our query's
            # snapshot; re-check under the row lock.
            if Default.objects.filter(milestone=claimed, due_date=claimed.due_date).exists():
                return True
            try:
                with transaction.atomic():
                    default_flag(milestone=claimed, now=now)
            except IntegrityError:
                # The database refused a second default for this miss: someone else won.
                logger.info("Miss of milestone %s already flagged", claimed.pk)
                return True
            SweepFailure.objects.filter(
                milestone=claimed, due_date=claimed.due_date, resolved_at__isnull=True
            ).update(resolved_at=now)
            logger.info("Flagged the miss of milestone %s", claimed.pk)
    except Exception as exc:
        if claimed is None:
            raise  # the query itself failed: not one row's fault
        _set_aside(claimed, exc, now)
    return True


def _set_aside(milestone: Milestone, exc: Exception, now: dt.datetime) -> None:
    """Record that flagging ``milestone`` failed; retry it later, tell AQMD admins once."""
    logger.exception("Flagging milestone %s failed; set aside", milestone.pk)
    with transaction.atomic():
        failure, created = SweepFailure.objects.select_for_update().get_or_create(
            milestone=milestone,
            due_date=milestone.due_date,
            resolved_at=None,
            defaults={"first_failed_at": now, "next_attempt_at": now},
        )
        failure.attempts += 1
        failure.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        failure.last_failed_at = now
        failure.next_attempt_at = now + min(
            FAILURE_BACKOFF * (2 ** (failure.attempts - 1)), FAILURE_BACKOFF_MAX
        )
        failure.save()
        if created:
            with mail_language():
                outbox_put(
                    Mail(
                        event_key=f"sweep_failure.{failure.pk}",
                        recipients=aqmd_admins(),
                        subject=_("The deadline sweep could not process a milestone"),
                        body=_(
                            "The deadline sweep failed on %(milestone)s (due %(due)s) and set it "
                            "aside; it retries with backoff and goes on with the others.\n"
                            "Error: %(error)s\n%(url)s\n"
                        )
                        % {
                            "milestone": milestone,
                            "due": milestone.due_date.isoformat(),
                            "error": failure.last_error,
                            "url": absolute_url(reverse("admin:index")),
                        },
                    )
                )


def process_batch(
    now: dt.datetime, size: int | None = None, after: tuple[dt.date, int] | None = None
) -> tuple[int, tuple[dt.date, int] | None]:
    """Flag up to ``size`` missed milestones in one transaction: how many it looked at (0:
    nothing left) and the (due date, id) of the last, where the next batch starts.

    ``after``: start past this (due date, id), so a sweep does not read again, batch after
    batch, the misses it flagged already (they stay open).  A row skipped because another
    sweep held it is that sweep's; the next run sees it in any case.

    The same claim as :func:`process_one`, for many rows: ``select_for_update(skip_locked)``
    of the batch, a re-check of their defaults under the locks, then the defaults, proposals,
    audit events, notices and mail of the lot in a few queries
    (:func:`~penalties.determinations.default_flag_many`), backed by the unique default per
    milestone and due date.  If the batch fails (a bad row, a concurrent flag), it is rolled
    back whole and redone one row at a time, which sets the bad row aside as before.
    """
    size = size or settings.SWEEP_BATCH_SIZE
    candidates = missed_milestones(now)
    if after is not None:
        # (due date, id) past ``after``; the due_date__gte alone bounds the index range, so a
        # batch does not step over the misses flagged before it (quadratic over a backlog).
        candidates = candidates.filter(due_date__gte=after[0]).filter(
            Q(due_date__gt=after[0]) | Q(due_date=after[0], pk__gt=after[1])
        )
    # The common case, nothing due, is this one indexed query, without opening a transaction.
    # (A later batch of a sweep skips it: the claim below answers the same question.)
    elif not _any(candidates):
        return 0, None
    try:
        with transaction.atomic():
            claimed = list(candidates.select_for_update(skip_locked=True, of=("self",))[:size])
            if not claimed:
                return 0, None
            # The ports once for the batch (the notices name them), not a join per row.
            parties = Party.objects.in_bulk({m.party_id for m in claimed})
            for milestone in claimed:
                milestone.party = parties[milestone.party_id]
            claimed_ids = [m.pk for m in claimed]
            # Race condition: another sweep may have committed flags after our query's
            # snapshot; re-check under the row locks.
            taken = set(
                Default.objects.filter(milestone_id__in=claimed_ids).values_list(
                    "milestone_id", "due_date"
                )
            )
            fresh = [m for m in claimed if (m.pk, m.due_date) not in taken]
            if fresh:
                default_flag_many(milestones=fresh, now=now)
            resolved = [
                f.pk
                for f in SweepFailure.objects.filter(
                    milestone_id__in=[m.pk for m in fresh], resolved_at__isnull=True
                ).only("pk", "milestone_id", "due_date")
                if (f.milestone_id, f.due_date) in {(m.pk, m.due_date) for m in fresh}
            ]
            if resolved:
                SweepFailure.objects.filter(pk__in=resolved).update(resolved_at=now)
            logger.info("Flagged the misses of %s milestones", len(fresh))
            return len(claimed), (claimed[-1].due_date, claimed[-1].pk)
    except Exception:
        logger.warning("A sweep batch failed; redoing it one milestone at a time", exc_info=True)
    done = 0
    while done < size and process_one(now):
        done += 1
    return done, None


def sweep_deadlines(now: dt.datetime) -> int:
    """Flag every missed milestone, a batch at a time; returns how many this run looked at."""
    done = 0
    after = None
    while True:
        looked, after = process_batch(now, after=after)
        if not looked:
            return done
        done += looked


def record_late_completions(now: dt.datetime) -> int:
    """Flag the milestones met late before a sweep saw them missed."""
    done = 0
    while process_one_met_late(now):
        done += 1
    return done


@dataclass(frozen=True)
class PlannedFlag:
    milestone: Milestone
    ordinal: int
    amount: Decimal | None
    is_provisional: bool


def sweep_preview(now: dt.datetime) -> list[PlannedFlag]:
    """What a sweep at ``now`` would flag, with the proposed penalty (``--dry-run``)."""
    milestones = sorted(
        [
            *missed_milestones(now).select_related("party"),
            *met_late_without_default(now).select_related("party"),
        ],
        key=lambda m: (m.due_date, m.pk),
    )
    planned = []
    for milestone in milestones:
        try:
            proposal = propose(due_date=milestone.due_date, party_id=milestone.party_id)
        except Exception:  # no schedule in force: say so rather than fail the preview
            planned.append(PlannedFlag(milestone, 0, None, False))
            continue
        planned.append(
            PlannedFlag(milestone, proposal.ordinal, proposal.amount, proposal.is_provisional)
        )
    return planned
