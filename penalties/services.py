"""Writes for defaults, penalties and the Clean Air Mitigation Fund.

Each service is atomic, checks the policy (jobs pass ``actor=None`` for the system and call
only the system services), checks the workflow table in ``models.py`` and writes its audit
event.  Extension and flexibility requests live in ``flexibility.py``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from agreement import deadlines
from agreement.models import Milestone, Party
from audit.services import audit_record, snapshot
from core.errors import Conflict, ServiceError

from .models import (
    Default,
    DefaultStatus,
    FundEntry,
    FundEntryKind,
    MitigationFund,
    Penalty,
    PenaltySchedule,
    PenaltyStatus,
    counts_as_default,
)

PENALTY_FIELDS = ["status", "notice_sent_at", "paid_at", "payment_reference", "waived_at"]


class NoScheduleInForce(RuntimeError):
    """No penalty schedule is in force on the date a default is recorded (a set-up error)."""


# --- Defaults (recorded by the deadline sweep: system actor) --------------------------------


@transaction.atomic
def default_record(*, milestone: Milestone, now: dt.datetime) -> Default:
    """Record the default of a missed milestone and assess its penalty.  System only.

    The caller (the sweep) holds the milestone's row lock.  The port's row is locked here so
    that concurrent sweeps give the port's defaults distinct ordinals; the database refuses a
    second default for the same milestone (``IntegrityError``).
    """
    if not counts_as_default(milestone):
        raise ValueError(f"Missing milestone {milestone.pk} is not a default.")
    if not deadlines.has_passed(milestone.due_date, now):
        raise ValueError(f"Milestone {milestone.pk} is not past its deadline.")
    Party.objects.select_for_update().get(pk=milestone.party_id)
    ordinal = Default.objects.active().filter(party_id=milestone.party_id).count() + 1
    default = Default.objects.create(
        milestone=milestone,
        party_id=milestone.party_id,
        ordinal=ordinal,
        due_date=milestone.due_date,
        detected_at=now,
    )
    on = deadlines.pacific_date(now)
    schedule = PenaltySchedule.objects.in_force(on)
    if schedule is None:
        raise NoScheduleInForce(f"No penalty schedule is in force on {on}.")
    tier = schedule.tier_for(ordinal)
    penalty = Penalty.objects.create(
        default=default,
        party_id=milestone.party_id,
        amount=tier.amount,
        schedule=schedule,
        tier_ordinal=tier.default_ordinal,
        assessed_at=now,
    )
    audit_record(actor=None, action="default.recorded", obj=default, after=snapshot(default))
    audit_record(actor=None, action="penalty.assessed", obj=penalty, after=snapshot(penalty))
    return default


def _default_withdraw(*, default: Default, actor: Any, now: dt.datetime, reason: str) -> None:
    locked = Default.objects.select_for_update().get(pk=default.pk)
    if locked.status == DefaultStatus.WITHDRAWN:
        return
    before = snapshot(locked, ["status", "withdrawn_at"])
    locked.status = DefaultStatus.WITHDRAWN
    locked.withdrawn_at = now
    locked.save(update_fields=["status", "withdrawn_at"])
    audit_record(
        actor=actor,
        action="default.withdrawn",
        obj=locked,
        before=before,
        after=snapshot(locked, ["status", "withdrawn_at"]),
        note=reason,
    )


# --- Penalty workflow -----------------------------------------------------------------------


def _penalty_move(
    *, penalty: Penalty, to: str, actor: Any, changes: dict[str, Any], note: str = ""
) -> Penalty:
    """Lock, check the transition table, write ``changes``, audit.  No-op if already there."""
    locked = Penalty.objects.select_for_update().get(pk=penalty.pk)
    if locked.status == to:
        return locked
    if not locked.can_become(to):
        raise Conflict(
            _("This penalty is %(status)s; it cannot become %(to)s.")
            % {"status": locked.get_status_display(), "to": PenaltyStatus(to).label}
        )
    before = snapshot(locked, PENALTY_FIELDS)
    locked.status = to
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *changes])
    audit_record(
        actor=actor,
        action=f"penalty.{to}",
        obj=locked,
        before=before,
        after=snapshot(locked, PENALTY_FIELDS),
        note=note,
    )
    penalty.status = locked.status
    for name, value in changes.items():
        setattr(penalty, name, value)
    return locked


@transaction.atomic
def penalty_mark_notice_sent(*, penalty: Penalty, now: dt.datetime) -> Penalty:
    """The notice of default went out (system, called by notice delivery)."""
    return _penalty_move(
        penalty=penalty,
        to=PenaltyStatus.NOTICE_SENT,
        actor=None,
        changes={"notice_sent_at": now},
    )


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
    locked = _penalty_move(
        penalty=penalty,
        to=PenaltyStatus.PAID,
        actor=actor,
        changes={"paid_at": paid_at, "payment_reference": reference},
    )
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
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            _("Say why the penalty is waived."), fields={"reason": _("A reason is required.")}
        )
    return _penalty_move(
        penalty=penalty,
        to=PenaltyStatus.WAIVED,
        actor=actor,
        changes={"waived_at": timezone.now(), "waived_by": actor, "waiver_reason": reason},
        note=reason,
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
    _default_withdraw(default=default, actor=actor, now=now, reason=reason)
    if penalty is not None and penalty.status != PenaltyStatus.WAIVED:
        _penalty_move(
            penalty=penalty,
            to=PenaltyStatus.WITHDRAWN,
            actor=actor,
            changes={"withdrawn_at": now},
            note=reason,
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
