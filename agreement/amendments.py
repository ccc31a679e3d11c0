"""Amendments of the agreement that move a due date: in effect only when all parties approve.

AQMD administrators record a due-date amendment (:func:`amendment_propose`) with whatever
approvals the parties have given (each party's approval date); the rest are recorded as the
governing bodies vote (:func:`amendment_record_approval`).  When AQMD and both ports have
approved, the amendment takes effect: the due date moves by a recorded change of kind
*amendment* (:func:`agreement.services.milestone_change_due_date`), linked to it.  Until
then it is *pending* and the due date stays.

Correcting a **provisional** due date (a placeholder: the public record does not fix it) is
not an amendment of the agreement: AQMD enters the date directly (``milestone_change_due_date``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from audit.services import audit_record, snapshot
from core.errors import Conflict, ServiceError
from core.workflow import lock, required_reason, transition

from . import deadlines
from .models import (
    AmendmentApproval,
    AmendmentStatus,
    DateChangeKind,
    DueDateAmendment,
    Milestone,
    Party,
)
from .services import milestone_change_due_date


def approving_parties() -> list[Party]:
    """Every party must approve an amendment: AQMD and both ports."""
    return list(Party.objects.order_by("kind", "code"))


def amendments_visible_to(user: Any) -> QuerySet[DueDateAmendment]:
    """Amendments of the milestones the user may see (port staff: their own port's)."""
    return policy.visible(
        user,
        policy.Action.MILESTONE_VIEW,
        DueDateAmendment.objects.select_related(
            "milestone__party", "proposed_by", "date_change"
        ).prefetch_related(
            Prefetch("approvals", queryset=AmendmentApproval.objects.select_related("party"))
        ),
        port_field="milestone__party",
    ).order_by("proposed_at", "id")


def approval_dates(amendment: DueDateAmendment) -> list[dt.date | None]:
    """Each party's approval date (None: not yet), in the order of :func:`approving_parties`
    (uses the prefetched approvals)."""
    dates = {a.party_id: a.approved_on for a in amendment.approvals.all()}
    return [dates.get(p.pk) for p in approving_parties()]


def missing_approvals(amendment: DueDateAmendment) -> list[Party]:
    approved = {a.party_id for a in amendment.approvals.all()}
    return [p for p in approving_parties() if p.pk not in approved]


def _check_approval_date(approved_on: dt.date, now: dt.datetime) -> None:
    if approved_on > deadlines.pacific_today(now):
        raise ServiceError(
            _("An approval cannot be dated in the future."),
            fields={"approved_on": _("Today or earlier.")},
        )


def _add_approval(
    amendment: DueDateAmendment, party: Party, approved_on: dt.date, actor: Any, now: dt.datetime
) -> bool:
    """Record one approval; False when the same one is already on record."""
    _check_approval_date(approved_on, now)
    existing = AmendmentApproval.objects.filter(amendment=amendment, party=party).first()
    if existing is not None:
        if existing.approved_on == approved_on:
            return False
        raise Conflict(
            _("%(party)s's approval is already recorded (%(date)s).")
            % {"party": party.code, "date": existing.approved_on.isoformat()}
        )
    approval = AmendmentApproval.objects.create(
        amendment=amendment,
        party=party,
        approved_on=approved_on,
        recorded_by=actor,
        recorded_at=now,
    )
    audit_record(
        actor=actor,
        action="due_date_amendment.approval_recorded",
        obj=amendment,
        after=snapshot(approval, ["party", "approved_on"]),
    )
    return True


def _take_effect_if_approved(amendment: DueDateAmendment, actor: Any, now: dt.datetime) -> None:
    if amendment.status != AmendmentStatus.PENDING or missing_approvals(amendment):
        return
    change = milestone_change_due_date(
        milestone=amendment.milestone,
        new_due_date=amendment.new_due_date,
        is_provisional=amendment.new_is_provisional,
        kind=DateChangeKind.AMENDMENT,
        reason=amendment.reason,
        actor=actor,
        check_permission=False,
    )
    transition(
        amendment,
        AmendmentStatus.IN_EFFECT,
        actor=actor,
        changes={"took_effect_at": now, "date_change": change},
        locked=True,
    )


@transaction.atomic
def amendment_propose(
    *,
    milestone: Milestone,
    new_due_date: dt.date,
    reason: str,
    actor: Any,
    is_provisional: bool | None = None,
    approvals: Mapping[Party, dt.date] | None = None,
    now: dt.datetime | None = None,
) -> DueDateAmendment:
    """Record a due-date amendment with the approvals given so far; it takes effect (the
    date moves) at once if every party has approved, else it stays pending."""
    policy.require(actor, policy.Action.MILESTONE_CHANGE_DUE_DATE, milestone)
    now = now or timezone.now()
    reason = required_reason(reason, missing=_("Say why the due date changes."))
    for approved_on in (approvals or {}).values():
        _check_approval_date(approved_on, now)
    # The milestone's row is locked first, so that of two proposals made at once the second
    # sees the first.
    lock(milestone)
    pending = DueDateAmendment.objects.filter(milestone=milestone, status=AmendmentStatus.PENDING)
    if pending.exists():
        raise Conflict(
            _(
                "An amendment of this milestone's due date is already pending. Record its "
                "approvals or abandon it first."
            )
        )
    amendment = DueDateAmendment.objects.create(
        milestone=milestone,
        new_due_date=new_due_date,
        new_is_provisional=is_provisional,
        reason=reason,
        proposed_by=actor,
        proposed_at=now,
    )
    audit_record(
        actor=actor,
        action="due_date_amendment.recorded",
        obj=amendment,
        after=snapshot(amendment, ["milestone", "new_due_date", "new_is_provisional", "reason"]),
        note=reason,
    )
    for party, approved_on in (approvals or {}).items():
        _add_approval(amendment, party, approved_on, actor, now)
    amendment = lock(amendment, "milestone")
    _take_effect_if_approved(amendment, actor, now)
    return amendment


@transaction.atomic
def amendment_record_approval(
    *,
    amendment: DueDateAmendment,
    party: Party,
    approved_on: dt.date,
    actor: Any,
    now: dt.datetime | None = None,
) -> DueDateAmendment:
    """Record a party's approval; the last one puts the amendment in effect.  Recording the
    same approval again changes nothing; one on an abandoned amendment is a 409."""
    policy.require(actor, policy.Action.MILESTONE_CHANGE_DUE_DATE, amendment)
    now = now or timezone.now()
    locked = lock(amendment, "milestone")
    if locked.status == AmendmentStatus.ABANDONED:
        raise Conflict(_("The amendment was abandoned; record a new one."))
    _add_approval(locked, party, approved_on, actor, now)
    _take_effect_if_approved(locked, actor, now)
    return locked


@transaction.atomic
def amendment_abandon(*, amendment: DueDateAmendment, reason: str, actor: Any) -> DueDateAmendment:
    """A pending amendment the parties will not all approve: closed, the date stays."""
    policy.require(actor, policy.Action.MILESTONE_CHANGE_DUE_DATE, amendment)
    reason = required_reason(reason, missing=_("Say why the amendment is abandoned."))
    return transition(amendment, AmendmentStatus.ABANDONED, actor=actor, note=reason).obj
