"""Every change to plans: atomic, permission-checked, audited; transitions per the one table.

Audit events of the whole workflow are recorded on the :class:`Plan`, so the plan page's
timeline is one query.  Emails go through the one outbox (:mod:`core.outbox`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from agreement import deadlines
from agreement.models import (
    AgreementTerm,
    DateChangeKind,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    Party,
    Phase,
    TermKey,
)
from agreement.services import milestone_change_due_date, milestone_complete, milestone_excuse
from audit.services import audit_record, snapshot
from core.errors import Conflict, ServiceError
from core.formats import day, moment
from core.outbox import Mail, mail_language, outbox_put, port_staff, reviewers
from core.uploads import document_store
from core.workflow import transition

from .models import (
    Comment,
    Decision,
    InfrastructureProject,
    Plan,
    PlanningTarget,
    PlanVersion,
    ProjectMilestone,
    ReviewDecision,
    VersionDocument,
    VersionKind,
    VersionStatus,
)
from .workflow import VERSION_WORKFLOW

TARGET_FIELDS = ["category", "year", "metric", "target_value", "unit"]
PROJECT_FIELDS = [
    "name",
    "location",
    "category",
    "project_type",
    "capacity_value",
    "capacity_unit",
    "quantity",
    "estimated_cost",
    "funding_sources",
    "start_date",
    "end_date",
]
MILESTONE_FIELDS = ["what", "due_date", "within_port_control"]


def _label(version: PlanVersion) -> str:
    return _("Version %(number)s") % {"number": version.number}


def _clean(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """Model validation (fields and constraints) as the one error type."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        fields = {k: " ".join(str(m) for m in v) for k, v in exc.message_dict.items()}
        summary = " ".join(fields.values())
        raise ServiceError(
            _("Please correct the highlighted fields. %(details)s") % {"details": summary},
            fields=fields,
        ) from exc


def _link(name: str, pk: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[pk])


def _lock(version: PlanVersion) -> PlanVersion:
    return (
        PlanVersion.objects.select_for_update(of=("self",))
        .select_related("plan__party", "plan__phase")
        .get(pk=version.pk)
    )


def _lock_editable(version: PlanVersion, actor: Any) -> PlanVersion:
    """Lock a version for a content edit; refuse unless it is an unsubmitted draft."""
    locked = _lock(version)
    policy.require(actor, policy.Action.PLAN_EDIT, locked)
    if not locked.is_editable:
        raise Conflict(
            _(
                "%(label)s was submitted and is frozen. Start a new version (Revise) "
                "to make changes."
            )
            % {"label": _label(locked)}
        )
    return locked


def _touch(version: PlanVersion) -> None:
    version.updated_at = timezone.now()
    version.save(update_fields=["updated_at"])


def _audit(actor: Any, action: str, version: PlanVersion, **kwargs: Any) -> None:
    after = kwargs.pop("after", None) or {}
    audit_record(
        actor=actor,
        action=action,
        obj=version.plan,
        after={"version": version.number, **after},
        **kwargs,
    )


# --- starting and revising ---------------------------------------------------------------


def _default_kind(plan: Plan) -> str:
    """A draft plan until the phase's draft milestone is met; then the final plan."""
    draft_met = Milestone.objects.filter(
        party_id=plan.party_id,
        phase_id=plan.phase_id,
        kind=MilestoneKind.DRAFT_PLAN,
        status=MilestoneStatus.MET,
    ).exists()
    return VersionKind.FINAL if draft_met else VersionKind.DRAFT


@transaction.atomic
def plan_start(*, party: Party, phase: Phase, actor: Any) -> tuple[Plan, bool]:
    """Create a port's plan for a phase with its first draft version: ``(plan, created)``.

    A no-op returning the existing plan (``created`` False) when the port already has one.
    """
    probe = Plan(party=party, phase=phase)
    policy.require(actor, policy.Action.PLAN_EDIT, probe)
    plan, created = Plan.objects.get_or_create(
        party=party, phase=phase, defaults={"created_by": actor}
    )
    if not created:
        return plan, False
    version = PlanVersion.objects.create(
        plan=plan, number=1, kind=_default_kind(plan), created_by=actor
    )
    _audit(actor, "plan.started", version)
    return plan, True


@transaction.atomic
def plan_revise(*, plan: Plan, actor: Any) -> tuple[PlanVersion, bool]:
    """Start a new draft version copying the latest version's content: ``(version, created)``.

    A no-op returning the open draft (``created`` False) when there already is one.  Refused
    while a submitted version awaits its decision (withdraw it first).
    """
    plan = Plan.objects.select_for_update().select_related("party", "phase").get(pk=plan.pk)
    policy.require(actor, policy.Action.PLAN_EDIT, plan)
    latest = plan.versions.order_by("-number").first()
    if latest is None:
        raise ServiceError(_("This plan has no version yet."))
    if latest.status == VersionStatus.DRAFT:
        return latest, False
    if latest.status in (VersionStatus.SUBMITTED, VersionStatus.UNDER_REVIEW):
        raise Conflict(
            _(
                "%(label)s is with AQMD awaiting a decision. Withdraw it first, or wait "
                "for the decision, before starting a new version."
            )
            % {"label": _label(latest)}
        )
    kind = latest.kind
    if latest.status == VersionStatus.APPROVED or _default_kind(plan) == VersionKind.FINAL:
        kind = VersionKind.FINAL
    new = PlanVersion.objects.create(
        plan=plan,
        number=latest.number + 1,
        kind=kind,
        summary=latest.summary,
        created_by=actor,
    )
    _copy_content(latest, new)
    _audit(actor, "plan.revised", new, after={"from_version": latest.number})
    return new, True


def _copy_content(source: PlanVersion, target: PlanVersion) -> None:
    PlanningTarget.objects.bulk_create(
        PlanningTarget(version=target, key=t.key, **{f: getattr(t, f) for f in TARGET_FIELDS})
        for t in source.targets.all()
    )
    for project in source.projects.prefetch_related("milestones"):
        copy = InfrastructureProject.objects.create(
            version=target, key=project.key, **{f: getattr(project, f) for f in PROJECT_FIELDS}
        )
        ProjectMilestone.objects.bulk_create(
            ProjectMilestone(
                project=copy, key=m.key, **{f: getattr(m, f) for f in MILESTONE_FIELDS}
            )
            for m in project.milestones.all()
        )
    VersionDocument.objects.bulk_create(
        VersionDocument(version=target, document_id=d.document_id) for d in source.documents.all()
    )


# --- editing a draft ---------------------------------------------------------------------


@transaction.atomic
def version_update(*, version: PlanVersion, kind: str, summary: str, actor: Any) -> PlanVersion:
    locked = _lock_editable(version, actor)
    before = snapshot(locked, ["kind", "summary"])
    locked.kind, locked.summary = kind, summary.strip()
    _clean(locked, exclude=["plan", "created_by", "submitted_by", "reviewer"])
    if snapshot(locked, ["kind", "summary"]) == before:
        return locked
    locked.updated_at = timezone.now()
    locked.save(update_fields=["kind", "summary", "updated_at"])
    _audit(actor, "plan.version_edited", locked, before=before, after=snapshot(locked, ["kind"]))
    return locked


def _refuse_past_due_date(due_date: dt.date) -> None:
    """A project milestone entered with a date already past is almost always a typo (a
    wrong year): it would become a missed deadline the day the plan is approved."""
    today = deadlines.pacific_today()
    if due_date < today:
        message = _(
            "The due date %(date)s is before today (%(today)s, Pacific). A project milestone "
            "is a future step: check the year."
        ) % {"date": day(due_date), "today": day(today)}
        raise ServiceError(message, fields={"due_date": message})


@dataclass(frozen=True)
class DraftPart:
    """One kind of content of a draft version: targets, projects, project milestones.

    ``version_of(item)`` and ``container`` say where an item hangs (by default on the
    version itself, or on a project of it); ``context(item)`` adds to the audit values (a
    milestone's project); ``check(item, before)`` is the kind's own rule on a new or
    changed item.
    """

    model: type[models.Model]
    fields: list[str]
    noun: str  # the audit action's middle: "target" → "plan.target_added"
    container: str = "version"  # the field holding the parent: "version" or "project"
    version_of: Callable[[Any], PlanVersion] = lambda item: item.version  # an item's version
    # The version of a parent (the version itself, or a project's).
    parent_version: Callable[[Any], PlanVersion] = lambda version: version
    exclude: tuple[str, ...] = ("version",)
    context: Callable[[Any], dict[str, Any]] = lambda item: {}
    check: Callable[[Any, dict[str, Any] | None], None] = lambda item, before: None


def _milestone_date_check(item: ProjectMilestone, before: dict[str, Any] | None) -> None:
    """A new date (or a changed one) must not be before today; a date kept from an earlier
    version is left alone."""
    if before is None or item.due_date.isoformat() != before["due_date"]:
        _refuse_past_due_date(item.due_date)


TARGETS = DraftPart(model=PlanningTarget, fields=TARGET_FIELDS, noun="target")
PROJECTS = DraftPart(model=InfrastructureProject, fields=PROJECT_FIELDS, noun="project")
PROJECT_MILESTONES = DraftPart(
    model=ProjectMilestone,
    fields=MILESTONE_FIELDS,
    noun="project_milestone",
    container="project",
    version_of=lambda milestone: milestone.project.version,
    parent_version=lambda project: project.version,
    exclude=("project", "tracked_milestone"),
    context=lambda milestone: {"project": milestone.project.name},
    check=_milestone_date_check,
)


def _set_fields(obj: models.Model, fields: list[str], data: dict[str, Any]) -> None:
    for name in fields:
        if name in data:
            setattr(obj, name, data[name])


@transaction.atomic
def draft_part_add(
    *, part: DraftPart, parent: models.Model, data: dict[str, Any], actor: Any
) -> Any:
    """Add a target (to a version), a project (to a version) or a project milestone (to a
    project) of a draft.  Validated by the model's fields and constraints; audited on the
    plan."""
    locked = _lock_editable(part.parent_version(parent), actor)
    item = part.model(**{part.container: locked if part.container == "version" else parent})
    _set_fields(item, part.fields, data)
    _clean(item, exclude=list(part.exclude))
    part.check(item, None)
    item.save()
    _touch(locked)
    _audit(
        actor,
        f"plan.{part.noun}_added",
        locked,
        after={**part.context(item), **snapshot(item, part.fields)},
    )
    return item


@transaction.atomic
def draft_part_update(*, part: DraftPart, item: Any, data: dict[str, Any], actor: Any) -> Any:
    """Change an item of a draft; a no-op when nothing changes."""
    locked = _lock_editable(part.version_of(item), actor)
    if part.container == "version":
        item = part.model._default_manager.get(pk=item.pk, version=locked)
    else:
        item = part.model._default_manager.select_related(part.container).get(
            pk=item.pk, **{f"{part.container}__version": locked}
        )
    before = snapshot(item, part.fields)
    _set_fields(item, part.fields, data)
    _clean(item, exclude=list(part.exclude))
    if snapshot(item, part.fields) == before:
        return item
    part.check(item, before)
    item.save(update_fields=part.fields)
    _touch(locked)
    _audit(
        actor,
        f"plan.{part.noun}_changed",
        locked,
        before={**part.context(item), **before},
        after={**part.context(item), **snapshot(item, part.fields)},
    )
    return item


@transaction.atomic
def draft_part_remove(*, part: DraftPart, item: Any, actor: Any) -> None:
    """Remove an item of a draft (the draft is not yet anyone's record but the port's)."""
    locked = _lock_editable(part.version_of(item), actor)
    before = {**part.context(item), **snapshot(item, part.fields)}
    part.model._default_manager.filter(pk=item.pk).delete()
    _touch(locked)
    _audit(actor, f"plan.{part.noun}_removed", locked, before=before)


# The draft editor's operations by name (pages, API and tests call these).
def target_add(*, version: PlanVersion, data: dict[str, Any], actor: Any) -> PlanningTarget:
    return draft_part_add(part=TARGETS, parent=version, data=data, actor=actor)


def target_update(*, target: PlanningTarget, data: dict[str, Any], actor: Any) -> PlanningTarget:
    return draft_part_update(part=TARGETS, item=target, data=data, actor=actor)


def target_remove(*, target: PlanningTarget, actor: Any) -> None:
    draft_part_remove(part=TARGETS, item=target, actor=actor)


def project_add(*, version: PlanVersion, data: dict[str, Any], actor: Any) -> InfrastructureProject:
    return draft_part_add(part=PROJECTS, parent=version, data=data, actor=actor)


def project_update(
    *, project: InfrastructureProject, data: dict[str, Any], actor: Any
) -> InfrastructureProject:
    return draft_part_update(part=PROJECTS, item=project, data=data, actor=actor)


def project_remove(*, project: InfrastructureProject, actor: Any) -> None:
    draft_part_remove(part=PROJECTS, item=project, actor=actor)


def project_milestone_add(
    *, project: InfrastructureProject, data: dict[str, Any], actor: Any
) -> ProjectMilestone:
    return draft_part_add(part=PROJECT_MILESTONES, parent=project, data=data, actor=actor)


def project_milestone_update(
    *, milestone: ProjectMilestone, data: dict[str, Any], actor: Any
) -> ProjectMilestone:
    return draft_part_update(part=PROJECT_MILESTONES, item=milestone, data=data, actor=actor)


def project_milestone_remove(*, milestone: ProjectMilestone, actor: Any) -> None:
    draft_part_remove(part=PROJECT_MILESTONES, item=milestone, actor=actor)


@transaction.atomic
def version_document_add(
    *, version: PlanVersion, upload: UploadedFile, actor: Any
) -> VersionDocument:
    """Attach an uploaded PDF.  A bad file raises ServiceError and changes nothing else."""
    locked = _lock_editable(version, actor)
    document = document_store(upload=upload, actor=actor, party_id=locked.plan.party_id)
    attached = VersionDocument.objects.create(version=locked, document=document)
    _touch(locked)
    _audit(
        actor,
        "plan.document_added",
        locked,
        after={"name": document.original_name, "sha256": document.sha256},
    )
    return attached


@transaction.atomic
def version_document_remove(*, attached: VersionDocument, actor: Any) -> None:
    """Detach a document from a draft (the stored file is kept: nothing is deleted)."""
    locked = _lock_editable(attached.version, actor)
    before = {"name": attached.document.original_name, "sha256": attached.document.sha256}
    VersionDocument.objects.filter(pk=attached.pk).delete()
    _touch(locked)
    _audit(actor, "plan.document_removed", locked, before=before)


# --- the workflow ------------------------------------------------------------------------


def _plan_milestone(version: PlanVersion, kind: str) -> Milestone | None:
    """The phase's draft-plan or approved-plan milestone of the port, locked (row locks are
    taken before the first audit event, whose chain lock is held until commit)."""
    return (
        Milestone.objects.select_for_update()
        .filter(party_id=version.plan.party_id, phase_id=version.plan.phase_id, kind=kind)
        .first()
    )


def _version_mail(version: PlanVersion, *, recipients: Any, event: str, subject: str, body: str):
    return Mail(
        event_key=f"plan_version.{version.pk}.{event}",
        recipients=recipients,
        subject=subject,
        body=body,
    )


@transaction.atomic
def version_submit(*, version: PlanVersion, actor: Any) -> PlanVersion:
    """Send a draft version to AQMD; from now on it is frozen.

    The first submitted draft plan of a phase meets its draft-plan milestone at the moment
    of submission (on time or late per ``agreement.deadlines``).  A final plan submitted by
    the approved-plan deadline holds that deadline while AQMD reviews it
    (``submitted_by_deadline``): AQMD's own time to decide never puts the port in default.
    """
    locked = _lock(version)
    policy.require(actor, policy.Action.PLAN_SUBMIT, locked)
    if locked.status == VersionStatus.SUBMITTED:
        return locked
    VERSION_WORKFLOW.check(locked, VersionStatus.SUBMITTED)
    if not locked.targets.exists() and not locked.projects.exists():
        raise ServiceError(
            _("An empty plan cannot be submitted: add a planning target or a project first.")
        )
    now = timezone.now()
    on_deadline = None
    if locked.kind == VersionKind.FINAL:
        final = _plan_milestone(locked, MilestoneKind.FINAL_PLAN)
        on_deadline = bool(
            final
            and final.status == MilestoneStatus.OPEN
            and not deadlines.has_passed(final.due_date, now)
        )
    plan = locked.plan
    milestone = _plan_milestone(locked, MilestoneKind.DRAFT_PLAN)
    moved = transition(
        locked,
        VersionStatus.SUBMITTED,
        actor=actor,
        changes={"submitted_at": now, "submitted_by": actor, "submitted_by_deadline": on_deadline},
        action="plan.version_submitted",
        audit_on=plan,
        audit_extra={"version": locked.number, "kind": locked.kind},
        locked=True,
        notify=lambda row: [
            _version_mail(
                row,
                recipients=reviewers(),
                event="submitted",
                subject=_("Submitted for review: %(version)s") % {"version": row},
                body=_("%(who)s submitted %(version)s (%(kind)s).\n\nReview it: %(link)s")
                % {
                    "who": actor.display_name,
                    "version": row,
                    "kind": row.get_kind_display(),
                    "link": _link("plans:version", row.pk),
                },
            )
        ],
    )
    if plan.first_submitted_at is None:
        plan.first_submitted_at = now
        plan.save(update_fields=["first_submitted_at"])
    if locked.kind == VersionKind.DRAFT and milestone and milestone.status == MilestoneStatus.OPEN:
        milestone_complete(
            milestone=milestone,
            completed_at=now,
            actor=actor,
            note=_("Met by submitting %(version)s") % {"version": locked},
        )
    return moved.obj


@transaction.atomic
def version_withdraw(*, version: PlanVersion, actor: Any) -> PlanVersion:
    """Take back a submission that AQMD has not decided yet."""
    locked = _lock(version)
    policy.require(actor, policy.Action.PLAN_WITHDRAW, locked)
    moved = transition(
        locked,
        VersionStatus.WITHDRAWN,
        actor=actor,
        changes={"withdrawn_at": timezone.now()},
        action="plan.version_withdrawn",
        audit_on=locked.plan,
        audit_extra={"version": locked.number},
        locked=True,
    )
    return moved.obj


@transaction.atomic
def version_start_review(*, version: PlanVersion, actor: Any) -> PlanVersion:
    """A reviewer takes a submitted version off the queue's "new" pile."""
    locked = _lock(version)
    policy.require(actor, policy.Action.PLAN_REVIEW, locked)
    moved = transition(
        locked,
        VersionStatus.UNDER_REVIEW,
        actor=actor,
        changes={"review_started_at": timezone.now(), "reviewer": actor},
        action="plan.review_started",
        audit_on=locked.plan,
        audit_extra={"version": locked.number},
        locked=True,
    )
    return moved.obj


def _already_decided(locked: PlanVersion) -> Conflict:
    decision = ReviewDecision.objects.select_related("reviewer").filter(version=locked).first()
    if decision is not None:
        local = timezone.localtime(decision.decided_at)
        return Conflict(
            _(
                "%(label)s was already decided by %(who)s at %(when)s (%(decision)s). "
                "Your decision was not recorded; your text is kept below."
            )
            % {
                "label": _label(locked),
                "who": decision.reviewer.display_name,
                "when": moment(local),
                "decision": decision.get_decision_display().lower(),
            }
        )
    return Conflict(
        _("%(label)s is %(status)s and can no longer be decided. Your text is kept below.")
        % {"label": _label(locked), "status": locked.get_status_display().lower()}
    )


class ConfirmationRequired(ServiceError):
    """Approving would create deadlines that are already past; the reviewer must confirm.

    ``milestones`` lists them (project milestones of the version).
    """

    def __init__(self, milestones: list[ProjectMilestone]) -> None:
        listed = "; ".join(f"{m.project.name}: {m.what} ({day(m.due_date)})" for m in milestones)
        message = _(
            "Approving this plan makes %(n)s project milestone(s) deadlines that have already "
            "passed, so each would be flagged as missed at once: %(list)s. Check the dates; "
            "to approve anyway, confirm that you have."
        ) % {"n": len(milestones), "list": listed}
        super().__init__(
            message, code="confirmation_required", fields={"confirm_past_due": message}
        )
        self.milestones = milestones


def past_due_on_approval(version: PlanVersion, *, today: Any = None) -> list[ProjectMilestone]:
    """The version's project milestones that approving it would track with a past due date:
    new ones due before today, and carried-over open ones moved to a date before today."""
    today = today or deadlines.pacific_today()
    tracked: dict[Any, Milestone] = {
        row.key: row.tracked_milestone
        for row in ProjectMilestone.objects.filter(
            project__version__plan_id=version.plan_id, tracked_milestone__isnull=False
        )
        .exclude(project__version=version)
        .select_related("tracked_milestone")
        if row.tracked_milestone is not None
    }
    found = []
    for row in ProjectMilestone.objects.filter(
        project__version=version, due_date__lt=today
    ).select_related("project"):
        earlier = tracked.get(row.key)
        if earlier is None or (
            earlier.status == MilestoneStatus.OPEN and earlier.due_date != row.due_date
        ):
            found.append(row)
    return found


def _restart_resubmission_clock(version: PlanVersion, actor: Any, now: Any) -> None:
    """A final plan submitted on time and sent back: the port has the resubmission window
    (an editable term of the agreement) from the decision to resubmit; the approved-plan
    deadline moves to the end of the window when that is later, by a recorded change."""
    if version.kind != VersionKind.FINAL or not version.submitted_by_deadline:
        return
    milestone = _plan_milestone(version, MilestoneKind.FINAL_PLAN)
    if milestone is None or milestone.status != MilestoneStatus.OPEN:
        return
    term = AgreementTerm.objects.filter(key=TermKey.RESUBMISSION_WINDOW).first()
    if term is None:
        return
    new_due = deadlines.pacific_date(now) + dt.timedelta(days=term.days)
    if new_due <= milestone.due_date:
        return
    milestone_change_due_date(
        milestone=milestone,
        new_due_date=new_due,
        kind=DateChangeKind.RESUBMISSION,
        reason=_(
            "AQMD sent back %(version)s, submitted on time; the port has the resubmission "
            "window of %(days)s days%(provisional)s to resubmit."
        )
        % {
            "version": version,
            "days": term.days,
            "provisional": _(" (provisional)") if term.is_provisional else "",
        },
        actor=actor,
        check_permission=False,
    )


@transaction.atomic
def version_decide(
    *,
    version: PlanVersion,
    decision: str,
    reasons: str,
    actor: Any,
    confirm_past_due: bool = False,
) -> tuple[ReviewDecision, bool]:
    """Approve a submitted version or send it back with reasons.

    The version row is locked and its status re-checked, so of two reviewers deciding at
    once exactly one wins; the other gets :class:`Conflict` naming the winner.  Approving a
    final plan meets the phase's approved-plan milestone as of the approved version's
    submission (AQMD's review time is not the port's delay) and makes each project milestone
    a tracked deadline (``agreement.Milestone`` of kind "project"); if any of those would
    already be past, the reviewer must confirm (:class:`ConfirmationRequired`).  Sending
    back a final plan submitted on time restarts the port's clock with the resubmission
    window.  Returns ``(decision, created)``: the same decision sent again by the same
    reviewer (a double click) is a no-op, ``created`` False.
    """
    reasons = (reasons or "").strip()
    if decision not in Decision.values:
        raise ServiceError(_("Choose approve or send back."), fields={"decision": _("Required.")})
    if decision == Decision.CHANGES_REQUESTED and not reasons:
        raise ServiceError(
            _("Say what must change: reasons are required to send a plan back."),
            fields={"reasons": _("Reasons are required to send a plan back.")},
        )
    locked = _lock(version)
    policy.require(actor, policy.Action.PLAN_REVIEW, locked)
    if locked.status in (VersionStatus.APPROVED, VersionStatus.CHANGES_REQUESTED):
        existing = ReviewDecision.objects.filter(version=locked).first()
        if existing and existing.reviewer_id == actor.pk and existing.decision == decision:
            return existing, False  # the same decision sent twice (a double click): no-op
        raise _already_decided(locked)  # Race condition: another reviewer decided first.
    VERSION_WORKFLOW.check(locked, decision)
    final_approval = decision == Decision.APPROVED and locked.kind == VersionKind.FINAL
    if final_approval and not confirm_past_due:
        past = past_due_on_approval(locked)
        if past:
            raise ConfirmationRequired(past)
    now = timezone.now()
    # Every milestone the decision may change, locked now, in one order, before any audit.
    final_milestone = _plan_milestone(locked, MilestoneKind.FINAL_PLAN)
    tracked = ProjectMilestone.objects.filter(
        project__version__plan_id=locked.plan_id, tracked_milestone__isnull=False
    ).values("tracked_milestone_id")
    list(Milestone.objects.select_for_update().filter(pk__in=tracked).order_by("pk"))
    result = ReviewDecision.objects.create(
        version=locked, decision=decision, reasons=reasons, reviewer=actor, decided_at=now
    )
    created = 0
    if final_approval:
        created = _track_project_milestones(locked, actor)
        milestone = final_milestone
        if milestone and milestone.status == MilestoneStatus.OPEN:
            milestone_complete(
                milestone=milestone,
                completed_at=locked.submitted_at or now,
                actor=actor,
                note=_("Met by %(version)s, submitted %(when)s and approved by AQMD")
                % {
                    "version": locked,
                    "when": moment(locked.submitted_at or now),
                },
            )
    elif decision == Decision.CHANGES_REQUESTED:
        _restart_resubmission_clock(locked, actor, now)
    transition(
        locked,
        decision,
        actor=actor,
        changes={"reviewer": locked.reviewer or actor},
        action=f"plan.version_{decision}",
        audit_on=locked.plan,
        audit_extra={"version": locked.number, "tracked_milestones_created": created},
        note=reasons,
        locked=True,
        notify=lambda row: [
            _version_mail(
                row,
                recipients=port_staff(row.plan.party_id),
                event="decided",
                subject=_("AQMD decision on %(version)s: %(decision)s")
                % {"version": row, "decision": result.get_decision_display()},
                body=_("%(decision)s.\n\n%(reasons)s\n\nSee the plan: %(link)s")
                % {
                    "decision": result.get_decision_display(),
                    "reasons": reasons,
                    "link": _link("plans:version", row.pk),
                },
            )
        ],
    )
    return result, True


def _track_project_milestones(version: PlanVersion, actor: Any) -> int:
    """Make each project milestone of an approved final plan a tracked agreement milestone.

    A milestone carried over from an earlier approved version (same ``key``) keeps its tracked
    deadline: a date the new plan changes moves it by a recorded amendment, never a second
    deadline.  A tracked milestone the new plan no longer holds is excused, on record.
    Returns how many deadlines were created.
    """
    earlier: dict[Any, Milestone] = {
        row.key: row.tracked_milestone
        for row in ProjectMilestone.objects.filter(
            project__version__plan_id=version.plan_id, tracked_milestone__isnull=False
        )
        .exclude(project__version=version)
        .select_related("tracked_milestone")
        .order_by("project__version__number")
        if row.tracked_milestone is not None
    }
    rows = ProjectMilestone.objects.filter(
        project__version=version, tracked_milestone__isnull=True
    ).select_related("project")
    created = 0
    for row in rows:
        tracked = earlier.pop(row.key, None)
        if tracked is None:
            tracked = Milestone.objects.create(
                party_id=version.plan.party_id,
                phase_id=version.plan.phase_id,
                kind=MilestoneKind.PROJECT,
                title=f"{row.project.name}: {row.what}"[:300],
                due_date=row.due_date,
                within_port_control=row.within_port_control,
            )
            audit_record(
                actor=actor,
                action="milestone.created_from_plan",
                obj=tracked,
                after=snapshot(tracked, ["title", "due_date", "within_port_control"]),
            )
            created += 1
        elif tracked.due_date != row.due_date and tracked.status == MilestoneStatus.OPEN:
            milestone_change_due_date(
                milestone=tracked,
                new_due_date=row.due_date,
                kind=DateChangeKind.AMENDMENT,
                reason=_("Date set by the approved plan %(version)s") % {"version": version},
                actor=actor,
                check_permission=False,
            )
        row.tracked_milestone = tracked
        row.save(update_fields=["tracked_milestone"])
    for dropped in earlier.values():
        if dropped.status == MilestoneStatus.OPEN:
            milestone_excuse(
                milestone=dropped,
                actor=actor,
                reason=_("No longer in the approved plan %(version)s") % {"version": version},
            )
    return created


@transaction.atomic
def comment_add(
    *,
    version: PlanVersion,
    body: str,
    actor: Any,
    project: InfrastructureProject | None = None,
) -> Comment:
    """A remark on a submitted version (whole plan or one project).

    Reviewers' and port staff's comments both mail the port's staff (not the author).
    """
    body = (body or "").strip()
    if not body:
        raise ServiceError(_("Write a comment first."), fields={"body": _("Required.")})
    locked = _lock(version)
    policy.require(actor, policy.Action.PLAN_COMMENT, locked)
    if locked.status == VersionStatus.DRAFT:
        raise Conflict(_("Comments are for submitted versions; this one is still a draft."))
    if project is not None and project.version_id != locked.pk:
        raise ServiceError(
            _("That project belongs to another version."), fields={"project": _("Not found.")}
        )
    comment = Comment.objects.create(version=locked, project=project, author=actor, body=body)
    _audit(
        actor,
        "plan.commented",
        locked,
        after={"comment": comment.pk, "project": project.name if project else None},
        note=body,
    )
    with mail_language():
        where = project.name if project else _("the whole plan")
        outbox_put(
            Mail(
                event_key=f"plan_comment.{comment.pk}",
                recipients=port_staff(locked.plan.party_id),
                exclude=actor,
                subject=_("New comment on %(version)s") % {"version": locked},
                body=_("%(who)s commented on %(where)s:\n\n%(body)s\n\nSee the plan: %(link)s")
                % {
                    "who": actor.display_name,
                    "where": where,
                    "body": body,
                    "link": _link("plans:version", locked.pk),
                },
            )
        )
    return comment
