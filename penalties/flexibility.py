"""Extension requests and flexibility claims: the port asks, AQMD decides.

* An extension is asked for before the deadline passes (new date, reason, PDF documents); a
  reviewer grants it (the due date moves through the recorded-change rule,
  :func:`agreement.services.milestone_change_due_date` with kind "extension") or refuses it.
  While a request is pending the deadline sweep waits for the decision.
* A flexibility claim says a missed project milestone was outside the port's control (reason,
  PDF evidence); a reviewer accepts it (milestone excused, its default and penalty withdrawn,
  all kept on record) or rejects it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from agreement import deadlines
from agreement.models import DateChangeKind, Milestone, MilestoneKind, MilestoneStatus
from agreement.services import milestone_change_due_date, milestone_excuse
from audit.services import audit_record, snapshot
from core.errors import Conflict, ServiceError
from core.uploads import document_store

from .models import (
    EXTENSION_TRANSITIONS,
    FLEXIBILITY_TRANSITIONS,
    ClaimStatus,
    Default,
    DefaultStatus,
    ExtensionRequest,
    FlexibilityClaim,
    RequestStatus,
)
from .services import default_withdraw_with_penalty

DECISION_FIELDS = ["status", "decided_by", "decided_at", "decision_note"]


def _require_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(message, fields={"reason": _("A reason is required.")})
    return reason


@transaction.atomic
def extension_request_file(
    *,
    milestone: Milestone,
    requested_due_date: dt.date,
    reason: str,
    uploads: Iterable[UploadedFile] = (),
    actor: Any,
) -> ExtensionRequest:
    """Port staff ask to move a due date; only while the deadline has not passed."""
    policy.require(actor, policy.Action.EXTENSION_REQUEST, milestone)
    reason = _require_reason(reason, _("Say why the port needs more time."))
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if locked.status != MilestoneStatus.OPEN:
        raise Conflict(_("Only an open milestone can be extended."))
    if deadlines.has_passed(locked.due_date):
        raise ServiceError(
            _(
                "The deadline of %(date)s has passed; an extension must be asked for before "
                "the due date. If the cause was outside the port's control, file a flexibility "
                "claim instead."
            )
            % {"date": locked.due_date.isoformat()},
            code="conflict",
        )
    if requested_due_date <= locked.due_date:
        raise ServiceError(
            _("The new date must be after the current due date (%(date)s).")
            % {"date": locked.due_date.isoformat()},
            fields={"requested_due_date": _("Choose a later date.")},
        )
    try:
        with transaction.atomic():
            request = ExtensionRequest.objects.create(
                milestone=locked,
                party_id=locked.party_id,
                current_due_date=locked.due_date,
                requested_due_date=requested_due_date,
                reason=reason,
                requested_by=actor,
                requested_at=timezone.now(),
            )
    except IntegrityError as exc:
        raise Conflict(
            _("An extension request for this milestone is already waiting for a decision.")
        ) from exc
    for upload in uploads:
        request.documents.add(document_store(upload=upload, actor=actor, party_id=locked.party_id))
    audit_record(actor=actor, action="extension.requested", obj=request, after=snapshot(request))
    return request


@transaction.atomic
def extension_request_decide(
    *, request: ExtensionRequest, grant: bool, note: str, actor: Any
) -> ExtensionRequest:
    """A reviewer grants (the due date moves, recorded) or refuses (a note is required)."""
    policy.require(actor, policy.Action.EXTENSION_DECIDE, request)
    locked = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    to = RequestStatus.GRANTED if grant else RequestStatus.REFUSED
    if locked.status == to:
        return locked
    if to not in EXTENSION_TRANSITIONS[locked.status]:
        raise Conflict(
            _("This request was already decided (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    note = (note or "").strip()
    if not grant and not note:
        raise ServiceError(
            _("Say why the extension is refused."), fields={"note": _("A reason is required.")}
        )
    before = snapshot(locked, DECISION_FIELDS)
    if grant:
        milestone = Milestone.objects.select_for_update().get(pk=locked.milestone_id)
        if milestone.status != MilestoneStatus.OPEN:
            raise Conflict(_("The milestone is no longer open; there is nothing to extend."))
        if locked.requested_due_date <= milestone.due_date:
            raise Conflict(
                _("The milestone is already due on %(date)s or later.")
                % {"date": milestone.due_date.isoformat()}
            )
        milestone_change_due_date(
            milestone=milestone,
            new_due_date=locked.requested_due_date,
            kind=DateChangeKind.EXTENSION,
            reason=_("Extension granted (request %(id)s): %(reason)s")
            % {"id": locked.pk, "reason": note or locked.reason},
            actor=actor,
            check_permission=False,
        )
    locked.status = to
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.save(update_fields=DECISION_FIELDS)
    audit_record(
        actor=actor,
        action=f"extension.{to}",
        obj=locked,
        before=before,
        after=snapshot(locked, DECISION_FIELDS),
        note=note,
    )
    request.status = locked.status
    return locked


@transaction.atomic
def flexibility_claim_file(
    *, milestone: Milestone, reason: str, uploads: Iterable[UploadedFile] = (), actor: Any
) -> FlexibilityClaim:
    """Port staff claim a missed project milestone was outside the port's control: one open
    past its deadline, or one met late whose default stands."""
    policy.require(actor, policy.Action.FLEXIBILITY_REQUEST, milestone)
    reason = _require_reason(reason, _("Say what outside the port's control caused the miss."))
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if locked.kind != MilestoneKind.PROJECT:
        raise ServiceError(
            _("Flexibility claims are for project milestones."),
            fields={"milestone": _("Not a project milestone.")},
        )
    met_late_with_default = (
        locked.status == MilestoneStatus.MET
        and Default.objects.filter(milestone=locked, status=DefaultStatus.ACTIVE).exists()
    )
    if locked.status != MilestoneStatus.OPEN and not met_late_with_default:
        raise Conflict(
            _(
                "Only a missed milestone can be claimed: one still open after its deadline, or "
                "one met late whose default stands."
            )
        )
    if not deadlines.has_passed(locked.due_date):
        raise ServiceError(
            _(
                "The milestone is not missed yet (due %(date)s). Before the deadline, ask for an "
                "extension instead."
            )
            % {"date": locked.due_date.isoformat()},
            code="conflict",
        )
    try:
        with transaction.atomic():
            claim = FlexibilityClaim.objects.create(
                milestone=locked,
                party_id=locked.party_id,
                reason=reason,
                filed_by=actor,
                filed_at=timezone.now(),
            )
    except IntegrityError as exc:
        raise Conflict(
            _("A flexibility claim for this milestone is already waiting for a decision.")
        ) from exc
    for upload in uploads:
        claim.documents.add(document_store(upload=upload, actor=actor, party_id=locked.party_id))
    audit_record(actor=actor, action="flexibility.filed", obj=claim, after=snapshot(claim))
    return claim


@transaction.atomic
def flexibility_claim_decide(
    *, claim: FlexibilityClaim, accept: bool, note: str, actor: Any
) -> FlexibilityClaim:
    """Accept (excuse an open milestone, withdraw its default and penalty) or reject (note
    needed).  A milestone met late stays met; only its default and penalty are withdrawn."""
    policy.require(actor, policy.Action.FLEXIBILITY_DECIDE, claim)
    locked = FlexibilityClaim.objects.select_for_update().get(pk=claim.pk)
    to = ClaimStatus.ACCEPTED if accept else ClaimStatus.REJECTED
    if locked.status == to:
        return locked
    if to not in FLEXIBILITY_TRANSITIONS[locked.status]:
        raise Conflict(
            _("This claim was already decided (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    note = (note or "").strip()
    if not accept and not note:
        raise ServiceError(
            _("Say why the claim is rejected."), fields={"note": _("A reason is required.")}
        )
    before = snapshot(locked, DECISION_FIELDS)
    if accept:
        reason = _("Flexibility claim %(id)s accepted: %(reason)s") % {
            "id": locked.pk,
            "reason": note or locked.reason,
        }
        milestone = Milestone.objects.select_for_update().get(pk=locked.milestone_id)
        default = Default.objects.filter(milestone=milestone).first()
        if default is not None:
            default_withdraw_with_penalty(default=default, actor=actor, reason=reason)
        if milestone.status == MilestoneStatus.OPEN:
            milestone_excuse(milestone=milestone, actor=actor, reason=reason)
        # A milestone met late stays met: accepting the claim only lifts its default.
    locked.status = to
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.save(update_fields=DECISION_FIELDS)
    audit_record(
        actor=actor,
        action=f"flexibility.{to}",
        obj=locked,
        before=before,
        after=snapshot(locked, DECISION_FIELDS),
        note=note,
    )
    claim.status = locked.status
    return locked
