"""Writes to the agreement's data.  Each is atomic and writes its audit event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from audit.services import audit_record, snapshot
from core.errors import ServiceError
from core.workflow import lock, required_reason, save_audited, transition

from .models import (
    Agreement,
    AgreementTerm,
    DateChangeKind,
    Milestone,
    MilestoneDateChange,
    MilestoneStatus,
)


@transaction.atomic
def milestone_change_due_date(
    *,
    milestone: Milestone,
    new_due_date: dt.date,
    kind: str,
    reason: str,
    actor: Any,
    is_provisional: bool | None = None,
    check_permission: bool = True,
) -> MilestoneDateChange | None:
    """Move a due date by a recorded act (extension or amendment).

    Keeps the old value, who, when and why.  ``is_provisional`` None keeps the flag.
    Returns None (and records nothing) when neither the date nor the flag changes.
    Extensions are granted through the extension workflow, which calls this with
    ``check_permission=False`` after its own decision check.
    """
    if check_permission:
        policy.require(actor, policy.Action.MILESTONE_CHANGE_DUE_DATE, milestone)
    if kind not in DateChangeKind.values:
        raise ServiceError(_("Unknown kind of date change."), fields={"kind": _("Unknown.")})
    reason = required_reason(reason, missing=_("Say why the due date changes."))
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    new_flag = locked.is_provisional if is_provisional is None else is_provisional
    if locked.due_date == new_due_date and locked.is_provisional == new_flag:
        return None
    change = MilestoneDateChange.objects.create(
        milestone=locked,
        kind=kind,
        old_due_date=locked.due_date,
        new_due_date=new_due_date,
        old_is_provisional=locked.is_provisional,
        new_is_provisional=new_flag,
        reason=reason,
        actor=actor,
        changed_at=timezone.now(),
    )
    save_audited(
        locked,
        {"due_date": new_due_date, "is_provisional": new_flag},
        actor=actor,
        action=f"milestone.due_date_changed.{kind}",
        note=reason,
    )
    milestone.due_date = locked.due_date
    milestone.is_provisional = locked.is_provisional
    return change


@transaction.atomic
def agreement_term_update(
    *, term: AgreementTerm, days: int, is_provisional: bool, note: str, actor: Any
) -> AgreementTerm:
    """Change an editable duration of the agreement (review period, resubmission window)."""
    policy.require(actor, policy.Action.AGREEMENT_EDIT_TERMS, term)
    if days < 1:
        raise ServiceError(_("A duration is at least one day."), fields={"days": _("At least 1.")})
    locked = lock(term)
    if (locked.days, locked.is_provisional, locked.note) == (days, is_provisional, note):
        return locked
    save_audited(
        locked,
        {"days": days, "is_provisional": is_provisional, "note": note},
        actor=actor,
        action="agreement_term.updated",
        record=snapshot,
    )
    return locked


@transaction.atomic
def milestone_complete(
    *, milestone: Milestone, completed_at: dt.datetime, actor: Any, note: str = ""
) -> Milestone:
    """Mark a milestone met at ``completed_at`` (on time or late: ``Milestone.met_late`` says).

    ``completed_at`` is when the port delivered: the submission of a plan, the filing of a
    completion report AQMD accepted.  Idempotent: completing a met milestone again changes
    nothing; an excused one cannot be met (409).  Callers check permission.
    """
    if timezone.is_naive(completed_at):
        raise ValueError("completed_at must be aware")
    moved = transition(
        milestone,
        MilestoneStatus.MET,
        actor=actor,
        changes={"completed_at": completed_at, "closed_at": timezone.now()},
        action="milestone.met",
        note=note,
    )
    return moved.obj


@transaction.atomic
def milestone_excuse(*, milestone: Milestone, actor: Any, reason: str) -> Milestone:
    """Excuse an open milestone (an accepted claim that it was outside the port's control,
    a project dropped from the approved plan).

    Idempotent; callers check permission and record their decision.
    """
    reason = required_reason(reason, missing=_("Say why the milestone is excused."))
    moved = transition(
        milestone,
        MilestoneStatus.EXCUSED,
        actor=actor,
        changes={"completed_at": timezone.now(), "closed_at": timezone.now()},
        action="milestone.excused",
        note=reason,
    )
    return moved.obj


EXECUTION_FIELDS = ["title", "title_is_provisional", "signed_on", "effective_on"]


@transaction.atomic
def agreement_record_execution(
    *,
    agreement: Agreement,
    actor: Any,
    signed_on: dt.date | None,
    effective_on: dt.date | None,
    signed_title: str = "",
) -> Agreement:
    """Enter the execution of the agreement: the signing date, the effective date and, once
    known, the signed title (which clears the title's provisional mark).

    A date left None stays unknown (shown as provisional).  Audited; a no-op when nothing
    changes.
    """
    policy.require(actor, policy.Action.AGREEMENT_EDIT_TERMS, agreement)
    if signed_on and effective_on and effective_on < signed_on:
        raise ServiceError(
            _("The agreement cannot take effect before it was signed."),
            fields={"effective_on": _("On or after the signing date.")},
        )
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    before = snapshot(locked, EXECUTION_FIELDS)
    signed_title = (signed_title or "").strip()
    if signed_title:
        locked.title, locked.title_is_provisional = signed_title, False
    locked.signed_on, locked.effective_on = signed_on, effective_on
    after = snapshot(locked, EXECUTION_FIELDS)
    if after == before:
        return locked
    locked.save(update_fields=EXECUTION_FIELDS)
    audit_record(
        actor=actor, action="agreement.execution_recorded", obj=locked, before=before, after=after
    )
    return locked
