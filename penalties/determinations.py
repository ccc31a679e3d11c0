"""Defaults are AQMD's determinations: the sweep flags a miss, a person decides.

* :func:`default_flag` (system, called by the deadline sweep) records a missed milestone as a
  *flagged* default with the penalty it would cost: the schedule in force at the miss, the
  tier for the port's next confirmed default.  It sends the port a notice of *potential*
  default and puts a task on AQMD's dashboard.  A flagged default is not public and does not
  count in any port's escalation.
* :func:`default_determine` (AQMD) confirms it, which assesses the penalty (by the port's
  count of confirmed defaults at that moment), sends the notice of default and makes it
  public; or dismisses it, with the reason kept (never public).  A second determination is a
  conflict (409).
* A miss of a *provisional* date cannot be confirmed until AQMD confirms the date (a due-date
  amendment with ``is_provisional`` false, which may keep the date); nor a miss of a date
  that has since moved.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from agreement import deadlines
from agreement.models import Milestone, Party
from audit.services import AuditValues, audit_record_many, snapshot
from core.errors import Conflict, ServiceError
from core.formats import day
from core.workflow import lock, required_reason, transition

from .models import (
    Default,
    DefaultStatus,
    NoticeKind,
    PenaltySchedule,
    counts_as_default,
    default_repr,
)
from .notices import FlaggedMiss, notice_record, notice_record_many, potential_defaults_record
from .services import penalty_assess, schedule_at_miss


@dataclass(frozen=True)
class Proposal:
    """The penalty a flagged miss would cost if AQMD confirmed it now."""

    schedule: PenaltySchedule
    ordinal: int
    amount: Decimal

    @property
    def is_provisional(self) -> bool:
        return self.schedule.is_provisional


def confirmed_counts(party_ids: Iterable[int]) -> dict[int, int]:
    """Each port's confirmed defaults that stand (withdrawn ones do not count); a port
    without any is left out."""
    return dict(
        Default.objects.confirmed()
        .filter(party_id__in=set(party_ids))
        .values("party_id")
        .annotate(n=Count("id"))
        .values_list("party_id", "n")
    )


def confirmed_count(party_id: int) -> int:
    """The port's confirmed defaults that stand (see :func:`confirmed_counts`)."""
    return confirmed_counts([party_id]).get(party_id, 0)


def propose(
    *,
    due_date: dt.date,
    party_id: int,
    confirmed: int | None = None,
    schedules: Sequence[PenaltySchedule] | None = None,
) -> Proposal:
    """The penalty for missing ``due_date``: the schedule in force at the miss, the tier of
    the port's next confirmed default.  A batch passes what it read once for the lot: the
    port's ``confirmed`` count and the ``schedules`` (see :func:`schedule_at_miss`)."""
    schedule = schedule_at_miss(due_date, schedules=schedules)
    ordinal = (confirmed_count(party_id) if confirmed is None else confirmed) + 1
    return Proposal(schedule=schedule, ordinal=ordinal, amount=schedule.amount_for(ordinal))


def default_flag(*, milestone: Milestone, now: dt.datetime) -> Default:
    """Flag the miss of ``milestone``'s current due date.  System only.

    The caller (the sweep) holds the milestone's row lock, inside its transaction; the
    database refuses a second default for the same milestone and due date
    (``IntegrityError``).  The batch of one (as :func:`default_flag_many`), except that a
    notice of potential default already on record for the miss is kept, not refused: the
    default is flagged all the same and the sweep moves on.
    """
    (default,) = _defaults_flag(milestones=[milestone], now=now)
    notice_record(milestone=milestone, kind=NoticeKind.POTENTIAL_DEFAULT, now=now, default=default)
    return default


def default_flag_many(*, milestones: list[Milestone], now: dt.datetime) -> list[int]:
    """Flag the misses of many milestones at once (the sweep's batch, which holds their row
    locks): the defaults with their proposals, audit events and notices of potential
    default in a few queries for the lot.  Returns the defaults' ids.

    The same rows, audit events and mail as :func:`default_flag` for each, written as plain
    values in one statement per table, without model instances (Python per row was most of
    the sweep's time: ``BENCHMARKS.md``).  The milestones come with their party loaded.

    Raises ``ValueError`` for a milestone that is no default or not past,
    :class:`NoScheduleInForce` when no schedule is in force at a miss; the database refuses
    a default or notice already recorded (``IntegrityError``).
    """
    from django.db import connection

    if not milestones:
        return []
    if connection.vendor != "postgresql":  # SQLite (make run): the same rows, by the ORM
        defaults = _defaults_flag(milestones=milestones, now=now)
        notice_record_many(
            flagged=list(zip(milestones, defaults, strict=True)),
            kind=NoticeKind.POTENTIAL_DEFAULT,
            now=now,
        )
        return [d.pk for d in defaults]
    chosen = _proposals(milestones, now)
    rows = [
        {
            "milestone_id": m.pk,
            "party_id": m.party_id,
            "due_date": m.due_date.isoformat(),
            "proposed_amount": str(p.amount),
            "proposed_schedule_id": p.schedule.pk,
        }
        for m, p in zip(milestones, chosen, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_DEFAULTS.format(table=connection.ops.quote_name(Default._meta.db_table)),
            [DefaultStatus.FLAGGED.value, now, json.dumps(rows)],
        )
        ids = dict(cursor.fetchall())  # milestone id -> default id (one each in a batch)
    default_ids = [ids[m.pk] for m in milestones]
    # The audit payload is snapshot() of the new default: the fields every flagged default
    # shares from one unsaved instance, then each one's own.
    template = snapshot(Default(status=DefaultStatus.FLAGGED, detected_at=now))
    records: list[AuditValues] = []
    for default_id, milestone, proposal in zip(default_ids, milestones, chosen, strict=True):
        after = {
            **template,
            "id": default_id,
            "milestone": milestone.pk,
            "party": milestone.party_id,
            "due_date": milestone.due_date.isoformat(),
            "proposed_amount": str(proposal.amount),
            "proposed_schedule": proposal.schedule.pk,
        }
        records.append(
            (
                "default.flagged",
                Default._meta.label_lower,
                default_id,
                default_repr(None, milestone.party.code, milestone.title),
                milestone.party_id,
                after,
            )
        )
    potential_defaults_record(
        audit_first=records,
        flagged=[
            FlaggedMiss(
                milestone=milestone,
                default_id=default_id,
                due_date=milestone.due_date,
                proposed_amount=proposal.amount,
                provisional=proposal.is_provisional,
            )
            for default_id, milestone, proposal in zip(default_ids, milestones, chosen, strict=True)
        ],
        now=now,
    )
    return default_ids


_INSERT_DEFAULTS = """
INSERT INTO {table} (milestone_id, party_id, due_date, status, detected_at, proposed_amount,
                     proposed_schedule_id, ordinal, determined_by_id, determination_reason,
                     confirmed_at, dismissed_at, withdrawn_at)
SELECT milestone_id, party_id, due_date, %s, %s, proposed_amount, proposed_schedule_id,
       NULL, NULL, '', NULL, NULL, NULL
  FROM ROWS FROM (json_to_recordset(%s::json)
            AS (milestone_id bigint, party_id bigint, due_date date, proposed_amount numeric,
                proposed_schedule_id bigint))
       WITH ORDINALITY AS row(milestone_id, party_id, due_date, proposed_amount,
                              proposed_schedule_id, n)
 ORDER BY n
RETURNING milestone_id, id
"""


def _proposals(milestones: list[Milestone], now: dt.datetime) -> list[Proposal]:
    """The proposal of each miss about to be flagged (one per port and due date, in two
    queries for the lot).  Raises ``ValueError`` for a milestone that is no default or not
    past its deadline."""
    for milestone in milestones:
        if not counts_as_default(milestone):
            raise ValueError(f"Missing milestone {milestone.pk} is not a default.")
        if not deadlines.has_passed(milestone.due_date, now):
            raise ValueError(f"Milestone {milestone.pk} is not past its deadline.")
    confirmed = confirmed_counts(m.party_id for m in milestones)
    # Newest first, as PenaltySchedule.objects.in_force() orders them.
    schedules = list(
        PenaltySchedule.objects.order_by("-effective_from", "-id").prefetch_related("tiers")
    )
    proposals: dict[tuple[dt.date, int], Proposal] = {}
    for milestone in milestones:
        key = (milestone.due_date, milestone.party_id)
        if key not in proposals:
            proposals[key] = propose(
                due_date=milestone.due_date,
                party_id=milestone.party_id,
                confirmed=confirmed.get(milestone.party_id, 0),
                schedules=schedules,
            )
    return [proposals[(m.due_date, m.party_id)] for m in milestones]


def _defaults_flag(*, milestones: list[Milestone], now: dt.datetime) -> list[Default]:
    """The defaults of :func:`default_flag`, with their proposals and audit events."""
    defaults = []
    for milestone, proposal in zip(milestones, _proposals(milestones, now), strict=True):
        defaults.append(
            Default(
                milestone=milestone,
                party=milestone.party,
                due_date=milestone.due_date,
                detected_at=now,
                proposed_amount=proposal.amount,
                proposed_schedule=proposal.schedule,
            )
        )
    Default.objects.bulk_create(defaults)
    audit_record_many([("default.flagged", d, snapshot(d)) for d in defaults])
    return defaults


@transaction.atomic
def default_determine(*, default: Default, decision: str, reason: str, actor: Any) -> Default:
    """AQMD confirms (``"confirmed"``) or dismisses (``"dismissed"``) a flagged default.

    Confirming assesses the penalty and sends the notice of default after commit; the port's
    row is locked so concurrent confirmations give distinct default numbers.  Dismissing
    needs a reason.  A default already determined answers :class:`Conflict`.
    """
    if decision not in (DefaultStatus.CONFIRMED, DefaultStatus.DISMISSED):
        raise ServiceError(
            _("Choose to confirm or dismiss the default."),
            fields={"decision": _("Choose confirmed or dismissed.")},
        )
    policy.require(actor, policy.Action.DEFAULT_DETERMINE, default)
    reason = required_reason(
        reason,
        missing=_("Say why the default is dismissed."),
        required=decision == DefaultStatus.DISMISSED,
    )
    locked = lock(default, "milestone", "party")
    if locked.status != DefaultStatus.FLAGGED:
        raise Conflict(
            _(
                "AQMD already determined this default (%(status)s); a second determination is "
                "not recorded."
            )
            % {"status": locked.get_status_display().lower()}
        )
    now = timezone.now()
    if decision == DefaultStatus.DISMISSED:
        moved = transition(
            locked,
            DefaultStatus.DISMISSED,
            actor=actor,
            changes={
                "dismissed_at": now,
                "determined_by": actor,
                "determination_reason": reason,
            },
            note=reason,
            locked=True,
        )
        notice_record(
            milestone=locked.milestone,
            kind=NoticeKind.DEFAULT_DISMISSED,
            now=now,
            default=locked,
        )
        default.status = moved.obj.status
        return moved.obj
    milestone = Milestone.objects.select_for_update().get(pk=locked.milestone_id)
    if milestone.is_provisional:
        raise Conflict(
            _(
                "The due date %(date)s is provisional: the public record does not fix it. "
                "Confirm the date first (an amendment of the due date marked not "
                "provisional, which may keep the date); then confirm the default."
            )
            % {"date": day(milestone.due_date)}
        )
    if milestone.due_date != locked.due_date:
        raise Conflict(
            _(
                "This default is the miss of %(missed)s, but the due date has since moved to "
                "%(now)s. Dismiss it; a miss of the new date is flagged when it happens."
            )
            % {"missed": day(locked.due_date), "now": day(milestone.due_date)}
        )
    Party.objects.select_for_update().get(pk=locked.party_id)
    ordinal = confirmed_count(locked.party_id) + 1
    moved = transition(
        locked,
        DefaultStatus.CONFIRMED,
        actor=actor,
        changes={
            "confirmed_at": now,
            "determined_by": actor,
            "determination_reason": reason,
            "ordinal": ordinal,
        },
        note=reason,
        locked=True,
    )
    penalty_assess(default=moved.obj, ordinal=ordinal, actor=actor, now=now)
    notice_record(milestone=milestone, kind=NoticeKind.DEFAULT, now=now, default=moved.obj)
    default.status = moved.obj.status
    return moved.obj
