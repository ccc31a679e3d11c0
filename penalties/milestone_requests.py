"""The ports' requests on a milestone, one flow for every kind: the port files, AQMD decides.

* **Extension request** (before the due date): a new date and the reason.  Granted, the due
  date moves through the recorded-change rule (kind "extension"); refused, nothing moves.
* **Flexibility claim** (a missed deadline, flagged or confirmed, plan deadlines included):
  why it was outside the port's control.  Accepted, the default is withdrawn with its penalty
  and the milestone excused, or given a new due date when AQMD sets one; rejected, nothing
  changes.
* **Completion report** (a project milestone, or the port's annual report with the report
  PDF as evidence): the completion date, never in the future, and a note.  Accepted, the
  milestone is met as of the filing; rejected, it stays open and the port may report again.
* **Target actual** (a planning target of the port's current approved plan, not a
  milestone): the value reached in a past or the current year, and a note.  Accepted, it
  counts toward the target (:func:`plans.selectors.target_progress`); rejected, it does not
  and the port may report again.

Most kinds are about a milestone; a kind names what it is about with ``subject_field`` and
how to find and lock it (:class:`Subject`).

:func:`request_file` and :func:`request_decide` are the two services; a :class:`RequestKind`
says what is particular to each kind.  While a request filed in time waits for AQMD (any
extension request, a completion report filed by the deadline), the deadline sweep does not
flag the milestone (:mod:`agreement.holds`, registered in ``apps.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from accounts.policy import Action
from agreement import deadlines
from agreement.models import DateChangeKind, Milestone, MilestoneKind, MilestoneStatus
from agreement.services import milestone_change_due_date, milestone_complete, milestone_excuse
from audit.services import audit_record, snapshot
from core.errors import Conflict, ServiceError
from core.formats import day
from core.outbox import Mail, absolute_url, mail_language, outbox_put, port_staff, reviewers
from core.uploads import document_store
from core.workflow import lock, required_reason, transition, workflow_of

from .models import (
    REQUEST_MODELS,
    CompletionReport,
    Default,
    DefaultStatus,
    ExtensionRequest,
    FlexibilityClaim,
    MilestoneRequest,
    TargetActual,
    counts_as_default,
)
from .services import default_withdraw_with_penalty


@dataclass(frozen=True)
class Subject:
    """What a kind of request is about: a milestone, or a planning target.

    The object exposes ``party_id``, ``party`` and ``title`` (for the mail and the pages).
    """

    field: str  # the request's field, e.g. "milestone"
    # The rows filing reads, locking the one filed on (with what the mail reads).
    for_filing: Callable[[], Any]
    # The row request_decide locks before acting on it.
    for_decision: Callable[[], Any]
    already_pending: Promise  # "A %(what)s for this milestone is already waiting..."
    related: tuple[str, ...]  # what the request's pages and API rows read of it
    # visible(user) -> the rows the user may see (filing on another port's row is a 404)
    visible: Callable[[Any], Any]


def _milestones_visible(user: Any) -> Any:
    from agreement.selectors import milestones_visible_to

    return milestones_visible_to(user)


def _targets_visible(user: Any) -> Any:
    from plans.selectors import targets_visible_to

    return targets_visible_to(user)


def _targets() -> Any:
    from plans.models import PlanningTarget

    return PlanningTarget.objects


MILESTONE = Subject(
    field="milestone",
    for_filing=lambda: Milestone.objects.select_for_update().select_related("party"),
    for_decision=lambda: Milestone.objects.select_for_update(),
    visible=_milestones_visible,
    related=("milestone__party",),
    already_pending=gettext_lazy(
        "A %(what)s for this milestone is already waiting for a decision."
    ),
)
TARGET = Subject(
    field="target",
    for_filing=lambda: (
        _targets().select_for_update(of=("self",)).select_related("version__plan__party")
    ),
    for_decision=lambda: _targets().select_for_update(),
    visible=_targets_visible,
    related=("target__version__plan__party", "target__version__plan__phase", "target__category"),
    already_pending=gettext_lazy(
        "A %(what)s for this target and year is already waiting for a decision."
    ),
)


@dataclass(frozen=True)
class RequestKind:
    """What is particular to one kind of request."""

    model: type[MilestoneRequest]
    view_action: Action
    file_action: Action
    decide_action: Action
    noun: Promise  # "extension request"
    reason_missing: Promise  # the message when the reason (or note) is empty
    refusal_needs_note: Promise
    # check(locked subject, fields, now) -> the kind's own fields for the new row; raises
    check: Callable[[Any, dict[str, Any], dt.datetime], dict[str, Any]]
    # accept(locked request, locked subject, actor, note, options) -> changes to the request
    accept: Callable[[Any, Any, Any, str, dict[str, Any]], dict[str, Any]]
    documents_required: Callable[[Any], bool] = lambda subject: False
    subject: Subject = MILESTONE

    @property
    def kind(self) -> str:
        return self.model.KIND


def _missed_default(milestone: Milestone) -> Default | None:
    """The flagged or confirmed default of the milestone's latest miss, if any."""
    return (
        Default.objects.select_for_update()
        .filter(milestone=milestone, status__in=[DefaultStatus.FLAGGED, DefaultStatus.CONFIRMED])
        .order_by("-due_date", "-pk")
        .first()
    )


# --- Extension requests ---------------------------------------------------------------------


def _extension_check(milestone: Milestone, fields: dict[str, Any], now: dt.datetime) -> dict:
    requested = fields.get("requested_due_date")
    if milestone.status != MilestoneStatus.OPEN:
        raise Conflict(_("Only an open milestone can be extended."))
    if deadlines.has_passed(milestone.due_date, now):
        raise Conflict(
            _(
                "The deadline of %(date)s has passed; an extension must be asked for before "
                "the due date. If the cause was outside the port's control, file a flexibility "
                "claim instead."
            )
            % {"date": day(milestone.due_date)}
        )
    if not isinstance(requested, dt.date):
        raise ServiceError(
            _("Enter the new due date you ask for."),
            fields={"requested_due_date": _("Required.")},
        )
    if requested <= milestone.due_date:
        raise ServiceError(
            _("The new date must be after the current due date (%(date)s).")
            % {"date": day(milestone.due_date)},
            fields={"requested_due_date": _("Choose a later date.")},
        )
    return {"current_due_date": milestone.due_date, "requested_due_date": requested}


def _extension_accept(
    request: ExtensionRequest, milestone: Milestone, actor: Any, note: str, options: dict
) -> dict[str, Any]:
    if milestone.status != MilestoneStatus.OPEN:
        raise Conflict(_("The milestone is no longer open; there is nothing to extend."))
    if request.requested_due_date <= milestone.due_date:
        raise Conflict(
            _("The milestone is already due on %(date)s or later.")
            % {"date": day(milestone.due_date)}
        )
    milestone_change_due_date(
        milestone=milestone,
        new_due_date=request.requested_due_date,
        kind=DateChangeKind.EXTENSION,
        reason=_("Extension granted (request %(id)s): %(reason)s")
        % {"id": request.pk, "reason": note or request.reason},
        actor=actor,
        check_permission=False,
    )
    return {}


# --- Flexibility claims ---------------------------------------------------------------------


def _flexibility_check(milestone: Milestone, fields: dict[str, Any], now: dt.datetime) -> dict:
    default = _missed_default(milestone)
    if default is not None:
        return {"default": default}
    if not counts_as_default(milestone):
        raise ServiceError(
            _(
                "Missing this milestone is not a default (it is outside the port's control or "
                "not a plan or project deadline), so there is nothing to claim."
            ),
            fields={"milestone": _("Not a default.")},
        )
    if milestone.status != MilestoneStatus.OPEN:
        raise Conflict(
            _(
                "Only a missed deadline can be claimed: one still open after its deadline, or "
                "one whose default is flagged or confirmed."
            )
        )
    if not deadlines.has_passed(milestone.due_date, now):
        raise Conflict(
            _(
                "The milestone is not missed yet (due %(date)s). Before the deadline, ask for "
                "an extension instead."
            )
            % {"date": day(milestone.due_date)}
        )
    return {"default": None}


def _flexibility_accept(
    claim: FlexibilityClaim, milestone: Milestone, actor: Any, note: str, options: dict
) -> dict[str, Any]:
    new_due_date = options.get("new_due_date")
    reason = _("Flexibility claim %(id)s accepted: %(reason)s") % {
        "id": claim.pk,
        "reason": note or claim.reason,
    }
    if new_due_date is not None:
        if milestone.status != MilestoneStatus.OPEN:
            raise ServiceError(
                _("The milestone is %(status)s: there is no date to set; accept without one.")
                % {"status": milestone.get_status_display().lower()},
                fields={"new_due_date": _("Leave empty.")},
            )
        today = deadlines.pacific_today()
        if new_due_date < today:
            raise ServiceError(
                _("The new due date cannot be in the past (today is %(today)s).")
                % {"today": day(today)},
                fields={"new_due_date": _("Choose today or a later date.")},
            )
    default = claim.default or _missed_default(milestone)
    if default is not None:
        default_withdraw_with_penalty(default=default, actor=actor, reason=reason)
    if milestone.status == MilestoneStatus.OPEN:
        if new_due_date is not None:
            milestone_change_due_date(
                milestone=milestone,
                new_due_date=new_due_date,
                kind=DateChangeKind.FLEXIBILITY,
                reason=reason,
                actor=actor,
                check_permission=False,
            )
        else:
            milestone_excuse(milestone=milestone, actor=actor, reason=reason)
    # A milestone met late stays met: accepting the claim only lifts its default.
    return {"new_due_date": new_due_date}


# --- Completion reports ---------------------------------------------------------------------

COMPLETION_KINDS = (MilestoneKind.PROJECT, MilestoneKind.ANNUAL_REPORT)


def _completion_check(milestone: Milestone, fields: dict[str, Any], now: dt.datetime) -> dict:
    if milestone.kind not in COMPLETION_KINDS:
        raise ServiceError(
            _(
                "Plan milestones are met by submitting the plan (draft) and by AQMD's approval "
                "(final plan), not by a completion report."
            ),
            fields={"milestone": _("Not a project milestone or annual report.")},
        )
    if milestone.status != MilestoneStatus.OPEN:
        raise Conflict(
            _("The milestone is already %(status)s; there is nothing to report.")
            % {"status": milestone.get_status_display().lower()}
        )
    completed_on = fields.get("completed_on")
    if not isinstance(completed_on, dt.date):
        raise ServiceError(
            _("Enter the date the milestone was completed."),
            fields={"completed_on": _("Required.")},
        )
    today = deadlines.pacific_today(now)
    if completed_on > today:
        raise ServiceError(
            _("The completion date cannot be in the future (today is %(today)s, Pacific).")
            % {"today": day(today)},
            fields={"completed_on": _("Not after today.")},
        )
    return {
        "completed_on": completed_on,
        "filed_on_time": not deadlines.has_passed(milestone.due_date, now),
    }


def _completion_accept(
    report: CompletionReport, milestone: Milestone, actor: Any, note: str, options: dict
) -> dict[str, Any]:
    if milestone.status != MilestoneStatus.OPEN:
        raise Conflict(
            _("The milestone is already %(status)s.")
            % {"status": milestone.get_status_display().lower()}
        )
    milestone_complete(
        milestone=milestone,
        completed_at=report.filed_at,
        actor=actor,
        note=_("Met: completion report %(id)s (completed %(date)s) accepted by AQMD")
        % {"id": report.pk, "date": day(report.completed_on)},
    )
    return {}


# --- Target actuals ---------------------------------------------------------------------------


def _target_actual_check(target: Any, fields: dict[str, Any], now: dt.datetime) -> dict:
    from plans.selectors import is_current_approved_target

    if not is_current_approved_target(target):
        raise Conflict(
            _(
                "Actuals are reported against the targets of the plan's current approved "
                "version; this target is not one of them."
            )
        )
    year = fields.get("year")
    this_year = deadlines.pacific_today(now).year
    if not isinstance(year, int):
        raise ServiceError(_("Enter the year reported."), fields={"year": _("Required.")})
    if year < 2025 or year > this_year:
        raise ServiceError(
            _("The year must be between 2025 and the current year (%(year)s).")
            % {"year": this_year},
            fields={"year": _("Not a reportable year.")},
        )
    value = fields.get("actual_value")
    if value is None or value < 0:
        raise ServiceError(
            _("Enter the actual value reached, zero or more, in %(unit)s.") % {"unit": target.unit},
            fields={"actual_value": _("Required.")},
        )
    return {"year": year, "actual_value": value}


def _target_actual_accept(
    actual: TargetActual, target: Any, actor: Any, note: str, options: dict
) -> dict[str, Any]:
    # Nothing else changes: an accepted actual counts toward the target from now on.
    return {}


KINDS: dict[str, RequestKind] = {
    spec.kind: spec
    for spec in (
        RequestKind(
            model=ExtensionRequest,
            view_action=Action.EXTENSION_VIEW,
            file_action=Action.EXTENSION_REQUEST,
            decide_action=Action.EXTENSION_DECIDE,
            noun=gettext_lazy("extension request"),
            reason_missing=gettext_lazy("Say why the port needs more time."),
            refusal_needs_note=gettext_lazy("Say why the extension is refused."),
            check=_extension_check,
            accept=_extension_accept,
        ),
        RequestKind(
            model=FlexibilityClaim,
            view_action=Action.FLEXIBILITY_VIEW,
            file_action=Action.FLEXIBILITY_REQUEST,
            decide_action=Action.FLEXIBILITY_DECIDE,
            noun=gettext_lazy("flexibility claim"),
            reason_missing=gettext_lazy("Say what outside the port's control caused the miss."),
            refusal_needs_note=gettext_lazy("Say why the claim is rejected."),
            check=_flexibility_check,
            accept=_flexibility_accept,
        ),
        RequestKind(
            model=CompletionReport,
            view_action=Action.COMPLETION_VIEW,
            file_action=Action.COMPLETION_REPORT,
            decide_action=Action.COMPLETION_DECIDE,
            noun=gettext_lazy("completion report"),
            reason_missing=gettext_lazy("Describe what was completed."),
            refusal_needs_note=gettext_lazy("Say why the report is rejected."),
            check=_completion_check,
            accept=_completion_accept,
            documents_required=lambda m: m.kind == MilestoneKind.ANNUAL_REPORT,
        ),
        RequestKind(
            model=TargetActual,
            view_action=Action.TARGET_ACTUAL_VIEW,
            file_action=Action.TARGET_ACTUAL_REPORT,
            decide_action=Action.TARGET_ACTUAL_DECIDE,
            noun=gettext_lazy("target actual"),
            reason_missing=gettext_lazy("Say how the actual was counted."),
            refusal_needs_note=gettext_lazy("Say why the actual is rejected."),
            check=_target_actual_check,
            accept=_target_actual_accept,
            subject=TARGET,
        ),
    )
}
assert set(KINDS) == set(REQUEST_MODELS)


def kind_of(request: MilestoneRequest) -> RequestKind:
    return KINDS[request.KIND]


# --- The two services -----------------------------------------------------------------------


@transaction.atomic
def request_file(
    *,
    kind: str,
    milestone: Milestone | None = None,
    subject: Any = None,
    reason: str,
    uploads: Iterable[UploadedFile] = (),
    actor: Any,
    **fields: Any,
) -> MilestoneRequest:
    """Port staff file a request of ``kind`` on one of their port's milestones (``milestone``)
    or, for a target actual, planning targets (``subject``).

    ``fields`` are the kind's own (``requested_due_date``; ``completed_on``; ``year`` and
    ``actual_value``).  A second request of the kind while one is pending: :class:`Conflict`.
    """
    spec = KINDS[kind]
    about = subject if subject is not None else milestone
    if about is None:
        raise ServiceError(_("Say what the request is about."))
    policy.require(actor, spec.file_action, about)
    reason = required_reason(reason, missing=spec.reason_missing)
    locked = spec.subject.for_filing().get(pk=about.pk)
    now = timezone.now()
    own = spec.check(locked, fields, now)
    uploads = list(uploads)
    if spec.documents_required(locked) and not uploads:
        raise ServiceError(
            _("Attach the report as a PDF: it is the evidence AQMD verifies."),
            fields={"documents": _("At least one PDF is required.")},
        )
    try:
        with transaction.atomic():
            made = spec.model.objects.create(
                **{spec.subject.field: locked},
                party_id=locked.party_id,
                reason=reason,
                filed_by=actor,
                filed_at=now,
                **own,
            )
    except IntegrityError as exc:
        raise Conflict(spec.subject.already_pending % {"what": spec.noun}) from exc
    stored = [document_store(upload=u, actor=actor, party_id=locked.party_id) for u in uploads]
    made.documents.add(*stored)
    after = snapshot(made, [f.name for f in spec.model._meta.concrete_fields])
    after["documents"] = [{"name": d.original_name, "sha256": d.sha256} for d in stored]
    audit_record(actor=actor, action=f"{spec.kind}.filed", obj=made, after=after)
    with mail_language():
        outbox_put(
            Mail(
                event_key=f"{spec.kind}.{made.pk}.filed",
                recipients=reviewers(),
                subject=_("New %(what)s from %(port)s: %(milestone)s")
                % {"what": spec.noun, "port": locked.party.code, "milestone": locked.title},
                body=_("%(who)s filed a %(what)s for %(milestone)s:\n\n%(reason)s\n\n%(url)s\n")
                % {
                    "who": actor.display_name,
                    "what": spec.noun,
                    "milestone": locked.title,
                    "reason": reason,
                    "url": absolute_url(reverse(f"penalties:{spec.kind}", args=[made.pk])),
                },
            )
        )
    return made


@transaction.atomic
def request_decide(
    *, request: MilestoneRequest, accept: bool, note: str, actor: Any, **options: Any
) -> MilestoneRequest:
    """AQMD accepts (grants) or rejects (refuses, a note required) a pending request.

    Deciding the same way again is a no-op; a request decided the other way: :class:`Conflict`.
    ``options`` are the kind's own (a flexibility claim's ``new_due_date``).
    """
    spec = kind_of(request)
    policy.require(actor, spec.decide_action, request)
    note = (note or "").strip()
    to = request.ACCEPT if accept else request.REJECT
    locked = lock(request)
    if locked.status == to:
        return locked
    workflow_of(locked).check(locked, to)
    if not accept and not note:
        raise ServiceError(spec.refusal_needs_note, fields={"note": _("A reason is required.")})
    changes: dict[str, Any] = {}
    if accept:
        about = spec.subject.for_decision().get(pk=getattr(locked, f"{spec.subject.field}_id"))
        changes = spec.accept(locked, about, actor, note, options)
    moved = transition(
        locked,
        to,
        actor=actor,
        changes={
            **changes,
            "decided_by": actor,
            "decided_at": timezone.now(),
            "decision_note": note,
        },
        note=note,
        locked=True,
        notify=lambda row: [_decision_mail(spec, row)],
    )
    request.status = moved.obj.status
    return moved.obj


def _decision_mail(spec: RequestKind, row: MilestoneRequest) -> Mail:
    values = {
        "what": str(spec.noun).capitalize(),
        "milestone": row.subject.title,
        "outcome": row.get_status_display().lower(),  # type: ignore[attr-defined]
        "note": row.decision_note,
        "url": absolute_url(reverse(f"penalties:{spec.kind}", args=[row.pk])),
    }
    return Mail(
        event_key=f"{spec.kind}.{row.pk}.decided",
        recipients=port_staff(row.party_id),
        subject=_("%(what)s %(outcome)s: %(milestone)s") % values,
        body=_("AQMD decided: %(what)s %(outcome)s for %(milestone)s.\n\n%(note)s\n\n%(url)s\n")
        % values,
    )


# --- What the deadline sweep waits for ------------------------------------------------------


def pending_in_time() -> Q:
    """Milestones with a request filed in time that AQMD has not decided: any pending
    extension request (asked before the deadline), or a completion report filed by it."""
    return Q(
        Exists(ExtensionRequest.objects.filter(milestone=OuterRef("pk"), status="pending"))
    ) | Q(
        Exists(
            CompletionReport.objects.filter(
                milestone=OuterRef("pk"), status="pending", filed_on_time=True
            )
        )
    )
