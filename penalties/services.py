"""Writes for penalties and the Clean Air Mitigation Fund.

Each service is atomic, checks the policy (jobs pass ``actor=None`` for the system and call
only the system services), moves state through :func:`core.workflow.transition` (the table
in ``models.py``, the audit event, the port's e-mail after commit).  Flagging and
determining defaults live in ``determinations.py``; the ports' requests in
``milestone_requests.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from agreement import deadlines
from audit.services import audit_record, snapshot
from core.errors import Conflict, ServiceError
from core.outbox import Mail, absolute_url, port_staff
from core.workflow import required_reason, transition

from .models import (
    Default,
    DefaultStatus,
    FundEntry,
    FundEntryKind,
    MitigationFund,
    Penalty,
    PenaltySchedule,
    PenaltyStatus,
)


class NoScheduleInForce(RuntimeError):
    """No penalty schedule is in force on the date of a miss (a set-up error)."""


def schedule_at_miss(
    due_date: dt.date, *, schedules: Sequence[PenaltySchedule] | None = None
) -> PenaltySchedule:
    """The schedule in force at the miss: on the first day after the due date.

    ``schedules``: every schedule, newest first as ``PenaltySchedule.objects.in_force``
    orders them, read once for a batch of misses; None reads the one in force.
    """
    on = due_date + dt.timedelta(days=1)
    if schedules is None:
        schedule = PenaltySchedule.objects.in_force(on)
    else:
        schedule = next((s for s in schedules if s.effective_from <= on), None)
    if schedule is None:
        raise NoScheduleInForce(f"No penalty schedule is in force on {on}.")
    return schedule


# --- Penalty workflow -----------------------------------------------------------------------


def penalty_assess(*, default: Default, ordinal: int, actor: Any, now: dt.datetime) -> Penalty:
    """Assess the penalty of a default AQMD confirmed (called by the determination, which
    holds the locks and checked the policy): the schedule in force at the miss, the tier
    for the port's ``ordinal``-th confirmed default."""
    schedule = schedule_at_miss(default.due_date)
    tier = schedule.tier_for(ordinal)
    penalty = Penalty.objects.create(
        default=default,
        party_id=default.party_id,
        amount=tier.amount,
        schedule=schedule,
        tier_ordinal=tier.default_ordinal,
        assessed_at=now,
    )
    audit_record(actor=actor, action="penalty.assessed", obj=penalty, after=snapshot(penalty))
    return penalty


@transaction.atomic
def penalty_mark_notice_sent(*, penalty: Penalty, now: dt.datetime) -> Penalty:
    """The notice of default went out (system, called by the notice's delivery hook)."""
    moved = transition(
        penalty, PenaltyStatus.NOTICE_SENT, actor=None, changes={"notice_sent_at": now}
    )
    return moved.obj


@transaction.atomic
def penalty_record_payment(
    *, penalty: Penalty, paid_at: dt.datetime, reference: str, actor: Any
) -> Penalty:
    """Record that the port paid; the money goes into the mitigation fund as a receipt."""
    policy.require(actor, policy.Action.PENALTY_RECORD_PAYMENT, penalty)
    reference = (reference or "").strip()
    if not reference:
        raise ServiceError(
            _("Enter the payment reference (check or transfer number)."),
            fields={"reference": _("Required.")},
        )
    if timezone.is_naive(paid_at):
        raise ValueError("paid_at must be aware")
    if paid_at > timezone.now():
        raise ServiceError(
            _("A payment cannot be dated in the future."), fields={"paid_at": _("In the future.")}
        )
    _fund_locked()  # the fund's row before the audit chain's (held until commit)
    moved = transition(
        penalty,
        PenaltyStatus.PAID,
        actor=actor,
        changes={"paid_at": paid_at, "payment_reference": reference},
        notify=lambda row: [_penalty_mail(row, _("Payment recorded"))],
    )
    locked = moved.obj
    if not FundEntry.objects.filter(penalty=locked).exists():
        _fund_post(
            kind=FundEntryKind.RECEIPT,
            amount=locked.amount,
            occurred_on=deadlines.pacific_date(paid_at),
            actor=actor,
            penalty=locked,
            party_id=locked.party_id,
            description=_("Penalty payment, reference %(ref)s") % {"ref": reference},
        )
    return locked


@transaction.atomic
def penalty_waive(*, penalty: Penalty, reason: str, actor: Any) -> Penalty:
    """An administrator waives a penalty; the reason is required and kept."""
    policy.require(actor, policy.Action.PENALTY_WAIVE, penalty)
    reason = required_reason(reason, missing=_("Say why the penalty is waived."))
    moved = transition(
        penalty,
        PenaltyStatus.WAIVED,
        actor=actor,
        changes={"waived_at": timezone.now(), "waived_by": actor, "waiver_reason": reason},
        note=reason,
        notify=lambda row: [_penalty_mail(row, _("Penalty waived"), reason)],
    )
    return moved.obj


def _penalty_mail(penalty: Penalty, what: str, note: str = "") -> Mail:
    values = {
        "what": what,
        "title": penalty.default.milestone.title,
        "amount": f"{penalty.amount:,.2f}",
        "note": note,
        "url": absolute_url(reverse("penalties:penalty", args=[penalty.pk])),
    }
    return Mail(
        event_key=f"penalty.{penalty.pk}.{penalty.status}",
        recipients=port_staff(penalty.party_id),
        subject=_("%(what)s: penalty of $%(amount)s for %(title)s") % values,
        body=_("%(what)s: the penalty of $%(amount)s for %(title)s.\n%(note)s\n\n%(url)s\n")
        % values,
    )


def default_withdraw_with_penalty(*, default: Default, actor: Any, reason: str) -> None:
    """Withdraw a default and its penalty (an accepted flexibility claim).  Both stay on record.

    A paid penalty cannot be withdrawn here (a refund is outside this tracker); a waived one
    stays waived.  Called inside the flexibility decision's transaction, which checked the
    policy.
    """
    now = timezone.now()
    penalty = Penalty.objects.select_for_update().filter(default=default).first()
    if penalty is not None and penalty.status == PenaltyStatus.PAID:
        raise Conflict(
            _(
                "The penalty for this default has been paid; withdrawing it needs a refund, "
                "which this tracker does not handle."
            )
        )
    transition(
        default, DefaultStatus.WITHDRAWN, actor=actor, changes={"withdrawn_at": now}, note=reason
    )
    if penalty is not None and penalty.status != PenaltyStatus.WAIVED:
        transition(
            penalty,
            PenaltyStatus.WITHDRAWN,
            actor=actor,
            changes={"withdrawn_at": now},
            note=reason,
            locked=True,
        )


# --- Clean Air Mitigation Fund -------------------------------------------------------------


def _fund_locked() -> MitigationFund:
    """The fund's row, locked until the end of the transaction (created on first use)."""
    MitigationFund.objects.get_or_create(pk=1)
    return MitigationFund.objects.select_for_update().get(pk=1)


def _fund_post(
    *, kind: str, amount: Decimal, occurred_on: dt.date, actor: Any, **fields: Any
) -> FundEntry:
    if amount <= 0:
        raise ServiceError(
            _("Enter an amount greater than zero."), fields={"amount": _("Must be positive.")}
        )
    fund = _fund_locked()
    new_balance = fund.balance + (amount if kind == FundEntryKind.RECEIPT else -amount)
    if new_balance < 0:
        raise ServiceError(
            _("The fund holds $%(balance)s; a disbursement of $%(amount)s would overdraw it.")
            % {"balance": f"{fund.balance:,.2f}", "amount": f"{amount:,.2f}"},
            fields={"amount": _("More than the fund's balance.")},
        )
    fund.balance = new_balance
    fund.save(update_fields=["balance"])
    entry = FundEntry.objects.create(
        kind=kind,
        amount=amount,
        balance_after=new_balance,
        occurred_on=occurred_on,
        entered_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    audit_record(actor=actor, action=f"fund.{kind}", obj=entry, after=snapshot(entry))
    return entry


@transaction.atomic
def fund_disburse(
    *,
    amount: Decimal,
    occurred_on: dt.date,
    project_name: str,
    community: str,
    description: str = "",
    actor: Any,
) -> FundEntry:
    """An administrator pays a near-port community project out of the fund.

    Refused when it would take the balance below zero (checked under the fund's row lock,
    and by the database).
    """
    policy.require(actor, policy.Action.FUND_DISBURSE)
    project_name, community = (project_name or "").strip(), (community or "").strip()
    errors = {}
    if not project_name:
        errors["project_name"] = _("Name the community project.")
    if not community:
        errors["community"] = _("Name the near-port community.")
    if errors:
        raise ServiceError(_("Name the project and the community it serves."), fields=errors)
    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal")
    return _fund_post(
        kind=FundEntryKind.DISBURSEMENT,
        amount=amount,
        occurred_on=occurred_on,
        actor=actor,
        project_name=project_name,
        community=community,
        description=(description or "").strip(),
    )
