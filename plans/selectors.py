"""Reads of plans for pages (and later the API).  Visibility is the policy's, applied here."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import policy
from agreement import deadlines
from agreement.models import (
    EmissionCategory,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    Party,
    Phase,
)
from agreement.selectors import DueItem
from audit.models import AuditEvent, AuditEventQuerySet
from audit.selectors import audit_timeline

from .models import (
    PENDING_STATUSES,
    Comment,
    Decision,
    InfrastructureProject,
    Plan,
    PlanningTarget,
    PlanVersion,
    ProjectMilestone,
    VersionDocument,
    VersionStatus,
)

TIMELINE_LABELS = {
    "plan.started": _("started the plan"),
    "plan.revised": _("started a new version"),
    "plan.version_edited": _("edited the version's details"),
    "plan.target_added": _("added a planning target"),
    "plan.target_changed": _("changed a planning target"),
    "plan.target_removed": _("removed a planning target"),
    "plan.project_added": _("added a project"),
    "plan.project_changed": _("changed a project"),
    "plan.project_removed": _("removed a project"),
    "plan.project_milestone_added": _("added a project milestone"),
    "plan.project_milestone_changed": _("changed a project milestone"),
    "plan.project_milestone_removed": _("removed a project milestone"),
    "plan.document_added": _("uploaded a document"),
    "plan.document_removed": _("removed a document"),
    "plan.version_submitted": _("submitted"),
    "plan.version_withdrawn": _("withdrew the submission"),
    "plan.review_started": _("started the review"),
    "plan.version_approved": _("approved"),
    "plan.version_changes_requested": _("sent the plan back for changes"),
    "plan.commented": _("commented"),
}


def _is_reader(user: Any) -> bool:
    return policy.port_scope(user) is None


def plans_visible_to(user: Any) -> QuerySet[Plan]:
    """Port staff: their port's plans; AQMD and the board: plans with a submitted version."""
    if not policy.can(user, policy.Action.PLAN_VIEW):
        return Plan.objects.none()
    scope = policy.port_scope(user)
    if scope is not None:
        return Plan.objects.filter(party_id=scope)
    return without_unsubmitted_plans(Plan.objects.all())


def versions_visible_to(user: Any) -> QuerySet[PlanVersion]:
    versions = PlanVersion.objects.filter(plan__in=plans_visible_to(user))
    if _is_reader(user):
        versions = versions.submitted()
    return versions


@dataclass(frozen=True)
class OwedPlan:
    """One row of "the plans a port owes": a port and phase, its due dates and its plan."""

    party: Party
    phase: Phase
    draft_due: DueItem | None
    final_due: DueItem | None
    plan: Plan | None

    @property
    def latest_status(self) -> str | None:
        return getattr(self.plan, "latest_status", None)

    @property
    def latest_status_label(self) -> str:
        status = self.latest_status
        return str(VersionStatus(status).label) if status else ""


def plans_owed(*, user: Any, now: dt.datetime | None = None) -> list[OwedPlan]:
    """Each port (port staff: their own) and phase with due dates, days left and the plan.

    Four queries whatever the number of plans and versions.
    """
    now = now or timezone.now()
    scope = policy.port_scope(user)
    ports = list(Party.objects.ports() if scope is None else Party.objects.filter(pk=scope))
    phases = list(Phase.objects.order_by("number"))
    milestones = Milestone.objects.filter(
        kind__in=[MilestoneKind.DRAFT_PLAN, MilestoneKind.FINAL_PLAN],
        party__in=[p.pk for p in ports],
    )
    by_key = {(m.party_id, m.phase_id, m.kind): m for m in milestones}
    latest = PlanVersion.objects.filter(plan=OuterRef("pk"))
    if _is_reader(user):
        latest = latest.submitted()
    latest = latest.order_by("-number")
    plans = plans_visible_to(user).annotate(
        latest_status=Subquery(latest.values("status")[:1]),
        latest_number=Subquery(latest.values("number")[:1]),
    )
    plan_by_key = {(p.party_id, p.phase_id): p for p in plans}

    def due(party: Party, phase: Phase, kind: str) -> DueItem | None:
        m = by_key.get((party.pk, phase.pk, kind))
        return DueItem.at(m, now) if m else None

    return [
        OwedPlan(
            party=party,
            phase=phase,
            draft_due=due(party, phase, MilestoneKind.DRAFT_PLAN),
            final_due=due(party, phase, MilestoneKind.FINAL_PLAN),
            plan=plan_by_key.get((party.pk, phase.pk)),
        )
        for phase in phases
        for party in ports
    ]


def plan_for(*, user: Any, pk: int) -> Plan:
    """A plan the user may see, or 404 (another port's plan, an unsubmitted one for AQMD)."""
    plan = Plan.objects.select_related("party", "phase").filter(pk=pk).first()
    if plan is None or not policy.can(user, policy.Action.PLAN_VIEW, plan):
        raise Http404
    return plan


# The plan page shows this many of the latest timeline events; the rest fold away.
TIMELINE_PREVIEW = 10


@dataclass(frozen=True)
class PlanPage:
    plan: Plan
    versions: list[PlanVersion]  # newest first
    draft_milestone: Milestone | None
    final_milestone: Milestone | None
    timeline: list[AuditEvent]  # newest first
    documents: list[VersionDocument]
    comments: list[Comment]
    # All the versions the user may see; ``versions`` holds the latest PLAN_PAGE_VERSIONS.
    version_count: int = 0

    @property
    def earlier_versions(self) -> int:
        return self.version_count - len(self.versions)

    @property
    def latest(self) -> PlanVersion | None:
        return self.versions[0] if self.versions else None

    @property
    def timeline_recent(self) -> list[AuditEvent]:
        return self.timeline[:TIMELINE_PREVIEW]

    @property
    def timeline_earlier(self) -> list[AuditEvent]:
        return self.timeline[TIMELINE_PREVIEW:]


# The plan's page lists its latest versions (each version's page links to the one before).
PLAN_PAGE_VERSIONS = 20
# ... and the latest events of its timeline.
PLAN_PAGE_EVENTS = 100


def plan_page(*, user: Any, plan: Plan) -> PlanPage:
    """The plan, its visible versions with decisions, its plan milestones and its timeline."""
    versions = PlanVersion.objects.filter(plan=plan)
    if _is_reader(user):
        versions = versions.submitted()
    versions = versions.select_related("submitted_by", "reviewer", "decision__reviewer")
    milestones = {
        m.kind: m
        for m in Milestone.objects.filter(
            party_id=plan.party_id,
            phase_id=plan.phase_id,
            kind__in=[MilestoneKind.DRAFT_PLAN, MilestoneKind.FINAL_PLAN],
        )
    }
    events = audit_timeline(obj=plan)
    if _is_reader(user):
        # AQMD and the board do not see the port's work on unsubmitted drafts.
        events = without_draft_work(events)
    timeline = list(events.order_by("-at", "-id")[:PLAN_PAGE_EVENTS])
    for event in timeline:
        event.label = TIMELINE_LABELS.get(event.action, event.action)  # type: ignore[attr-defined]
    rows = list(versions.order_by("-number")[:PLAN_PAGE_VERSIONS])
    latest = rows[0] if rows else None
    return PlanPage(
        plan=plan,
        versions=rows,
        documents=list(VersionDocument.objects.filter(version=latest).select_related("document"))
        if latest
        else [],
        comments=list(Comment.objects.filter(version=latest).select_related("author", "project"))
        if latest
        else [],
        draft_milestone=milestones.get(MilestoneKind.DRAFT_PLAN),
        final_milestone=milestones.get(MilestoneKind.FINAL_PLAN),
        timeline=timeline,
        version_count=versions.count(),
    )


def version_for(*, user: Any, pk: int) -> PlanVersion:
    """A version the user may see with its plan, or 404."""
    version = (
        PlanVersion.objects.select_related(
            "plan__party", "plan__phase", "submitted_by", "reviewer", "created_by"
        )
        .filter(pk=pk)
        .first()
    )
    if version is None or not policy.can(user, policy.Action.PLAN_VIEW, version):
        raise Http404
    return version


def with_content(version: PlanVersion) -> PlanVersion:
    """Load a version's targets, projects with milestones, documents and comments (5 queries)."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(
        [version],
        Prefetch("targets", queryset=version.targets.model.objects.select_related("category")),
        Prefetch(
            "projects",
            queryset=InfrastructureProject.objects.select_related("category").prefetch_related(
                Prefetch("milestones", queryset=ProjectMilestone.objects.order_by("due_date", "id"))
            ),
        ),
        Prefetch("documents", queryset=VersionDocument.objects.select_related("document")),
        Prefetch("comments", queryset=Comment.objects.select_related("author", "project")),
    )
    return version


def last_decided_before(version: PlanVersion) -> PlanVersion | None:
    """The latest earlier version AQMD decided (approved or sent back): what a reviewer
    compares a submission with. A withdrawn version was never reviewed, so comparing with it
    would hide what changed since AQMD last looked (issue #11)."""
    return (
        PlanVersion.objects.filter(
            plan_id=version.plan_id,
            number__lt=version.number,
            status__in=[VersionStatus.APPROVED, VersionStatus.CHANGES_REQUESTED],
        )
        .order_by("-number")
        .first()
    )


def decision_of(version: PlanVersion) -> Any:
    from .models import ReviewDecision

    return ReviewDecision.objects.select_related("reviewer").filter(version=version).first()


def document_for(
    *, user: Any, pk: int, action: policy.Action = policy.Action.PLAN_VIEW
) -> VersionDocument:
    """An attached document, 404 unless the user may see its version (``action`` on it)."""
    attached = (
        VersionDocument.objects.select_related("document", "version__plan").filter(pk=pk).first()
    )
    if attached is None or not policy.can(user, action, attached.version):
        raise Http404
    return attached


# A plan in the API lists its latest versions; ``/plans/<id>/versions/`` pages through all.
API_PLAN_VERSIONS_SHOWN = 20


def plans_for_api(user: Any) -> QuerySet[Plan]:
    """Visible plans with their port, phase and latest visible versions (at most
    ``API_PLAN_VERSIONS_SHOWN``, newest first): two queries per page."""
    versions = PlanVersion.objects.order_by("-number")
    if _is_reader(user):
        versions = versions.submitted()
    versions = versions[:API_PLAN_VERSIONS_SHOWN]
    return (
        plans_visible_to(user)
        .select_related("party", "phase")
        .prefetch_related(Prefetch("versions", queryset=versions, to_attr="visible_versions"))
    )


def versions_for_api(user: Any) -> QuerySet[PlanVersion]:
    """Visible versions with what their summary shows (one query per page)."""
    return versions_visible_to(user).select_related(
        "plan__party", "plan__phase", "submitted_by", "reviewer", "decision__reviewer"
    )


def targets_visible_to(user: Any) -> QuerySet[PlanningTarget]:
    return PlanningTarget.objects.filter(version__in=versions_visible_to(user)).select_related(
        "version__plan__phase"
    )


def projects_visible_to(user: Any) -> QuerySet[InfrastructureProject]:
    return InfrastructureProject.objects.filter(
        version__in=versions_visible_to(user)
    ).select_related("version__plan__phase")


def project_milestones_visible_to(user: Any) -> QuerySet[ProjectMilestone]:
    return ProjectMilestone.objects.filter(
        project__version__in=versions_visible_to(user)
    ).select_related("project__version__plan")


def review_queue(
    *,
    party_id: int | None = None,
    phase_id: int | None = None,
    status: str | None = None,
) -> QuerySet[PlanVersion]:
    """Submitted and under-review versions, oldest submission first."""
    statuses = [status] if status in PENDING_STATUSES else PENDING_STATUSES
    rows = PlanVersion.objects.filter(status__in=statuses)
    filters = Q()
    if party_id:
        filters &= Q(plan__party_id=party_id)
    if phase_id:
        filters &= Q(plan__phase_id=phase_id)
    return (
        rows.filter(filters)
        .select_related("plan__party", "plan__phase", "submitted_by", "reviewer")
        .order_by("submitted_at", "id")
    )


# --- The annual report: plan status by port, phase and category at a data cut-off --------


class MilestoneOutcome(models.TextChoices):
    """What became of a plan milestone by a moment."""

    ON_TIME = "on_time", _("Met on time")
    LATE = "late", _("Met late")
    MISSED = "missed", _("Missed (not met)")
    EXCUSED = "excused", _("Excused")
    NOT_YET_DUE = "not_yet_due", _("Not yet due")


def milestone_outcome(milestone: Milestone, moment: dt.datetime) -> MilestoneOutcome:
    """The outcome of ``milestone`` as known at ``moment`` (met or excused once the record
    said so, ``closed_at``; on time judged on ``completed_at``; the due date is the current
    one)."""
    done = milestone.closed_by(moment)
    if done and milestone.status == MilestoneStatus.MET:
        assert milestone.completed_at is not None
        on_time = deadlines.is_on_time(milestone.due_date, milestone.completed_at)
        return MilestoneOutcome.ON_TIME if on_time else MilestoneOutcome.LATE
    if done and milestone.status == MilestoneStatus.EXCUSED:
        return MilestoneOutcome.EXCUSED
    if deadlines.has_passed(milestone.due_date, moment):
        return MilestoneOutcome.MISSED
    return MilestoneOutcome.NOT_YET_DUE


@dataclass(frozen=True)
class PlanMilestoneAt:
    milestone: Milestone
    outcome: MilestoneOutcome

    @property
    def outcome_label(self) -> str:
        return str(self.outcome.label)


@dataclass(frozen=True)
class CategoryProjects:
    """The projects of one emission source category in the reported version of a plan."""

    category: EmissionCategory
    count: int
    total_cost: Decimal


@dataclass(frozen=True)
class PlanStatusRow:
    """One port and phase at a cut-off: the latest submitted version and its status, the
    latest approved version, the plan milestones' outcomes and the projects by category.

    Projects are those of the approved version if one was approved by the cut-off, else of
    the latest submitted version (submitted versions are frozen, so their projects are
    what was submitted).
    """

    party: Party
    phase: Phase
    latest: PlanVersion | None
    status: str | None
    approved: PlanVersion | None
    approved_at: dt.datetime | None
    draft_milestone: PlanMilestoneAt | None
    final_milestone: PlanMilestoneAt | None
    projects_version: PlanVersion | None
    categories: list[CategoryProjects]

    @property
    def status_label(self) -> str:
        return str(VersionStatus(self.status).label) if self.status else ""

    @property
    def project_count(self) -> int:
        return sum(c.count for c in self.categories)

    @property
    def total_cost(self) -> Decimal:
        return sum((c.total_cost for c in self.categories), Decimal("0.00"))


def plan_status_at(*, parties: list[Party], cutoff: dt.datetime) -> dict[int, list[PlanStatusRow]]:
    """Per port (by id), one row per phase of the plan status at ``cutoff``.

    Only versions submitted by the cut-off count (unsubmitted drafts stay with the port);
    each version's status is the one it had at the cut-off (:meth:`PlanVersion.status_at`).
    Five queries whatever the number of ports, plans, versions and projects; of the
    versions, only the (at most) two per plan that are shown are read: the latest submitted
    by the cut-off, and the latest approved by then.
    """
    party_ids = [p.pk for p in parties]
    phases = list(
        Phase.objects.order_by("number").prefetch_related(
            Prefetch("categories", queryset=EmissionCategory.objects.order_by("order", "id"))
        )
    )
    plans = Plan.objects.filter(party_id__in=party_ids)
    submitted = PlanVersion.objects.filter(
        plan_id=OuterRef("pk"), submitted_at__lte=cutoff
    ).order_by("-number")
    # Approved at the cut-off (as status_at): AQMD's decision approved it by then.
    approved_by_then = submitted.filter(
        decision__decision=Decision.APPROVED, decision__decided_at__lte=cutoff
    )
    latest_ids = plans.annotate(v=Subquery(submitted.values("pk")[:1])).values("v")
    approved_ids = plans.annotate(v=Subquery(approved_by_then.values("pk")[:1])).values("v")
    versions = list(
        PlanVersion.objects.filter(Q(pk__in=latest_ids) | Q(pk__in=approved_ids))
        .select_related("plan", "decision")
        .order_by("number")
    )
    latest: dict[tuple[int, int], PlanVersion] = {}
    approved: dict[tuple[int, int], PlanVersion] = {}
    for v in versions:
        key = (v.plan.party_id, v.plan.phase_id)
        latest[key] = v
        if v.status_at(cutoff) == VersionStatus.APPROVED:
            approved[key] = v
    shown = {key: approved.get(key) or v for key, v in latest.items()}
    totals: dict[int, dict[int, tuple[int, Decimal]]] = defaultdict(dict)
    for row in (
        InfrastructureProject.objects.filter(version_id__in=[v.pk for v in shown.values()])
        .values("version_id", "category_id")
        .annotate(n=Count("id"), cost=Sum("estimated_cost"))
        .order_by()
    ):
        totals[row["version_id"]][row["category_id"]] = (row["n"], row["cost"])
    milestones = {
        (m.party_id, m.phase_id, m.kind): m
        for m in Milestone.objects.filter(
            party_id__in=party_ids, kind__in=[MilestoneKind.DRAFT_PLAN, MilestoneKind.FINAL_PLAN]
        )
    }
    categories = {c.pk: c for phase in phases for c in phase.categories.all()}

    def outcome(party: Party, phase: Phase, kind: str) -> PlanMilestoneAt | None:
        m = milestones.get((party.pk, phase.pk, kind))
        return PlanMilestoneAt(m, milestone_outcome(m, cutoff)) if m else None

    def by_category(phase: Phase, version: PlanVersion | None) -> list[CategoryProjects]:
        if version is None:
            return []
        counts = totals.get(version.pk, {})
        ids = [c.pk for c in phase.categories.all()]
        ids += sorted(set(counts) - set(ids))  # a project filed under another phase's category
        return [
            CategoryProjects(
                category=categories[cid],
                count=counts.get(cid, (0, Decimal("0.00")))[0],
                total_cost=counts.get(cid, (0, Decimal("0.00")))[1],
            )
            for cid in ids
        ]

    result: dict[int, list[PlanStatusRow]] = {}
    for party in parties:
        rows = []
        for phase in phases:
            key = (party.pk, phase.pk)
            version = latest.get(key)
            ok = approved.get(key)
            rows.append(
                PlanStatusRow(
                    party=party,
                    phase=phase,
                    latest=version,
                    status=version.status_at(cutoff) if version else None,
                    approved=ok,
                    approved_at=ok.decision.decided_at if ok else None,
                    draft_milestone=outcome(party, phase, MilestoneKind.DRAFT_PLAN),
                    final_milestone=outcome(party, phase, MilestoneKind.FINAL_PLAN),
                    projects_version=shown.get(key),
                    categories=by_category(phase, shown.get(key)),
                )
            )
        result[party.pk] = rows
    return result


def without_draft_work(events: AuditEventQuerySet) -> AuditEventQuerySet:
    """``events`` less those about a plan version that is still an unsubmitted draft.

    The port's work on a draft is seen by its own staff only: the plan page's timeline and the
    audit API leave these events out for everyone else (they are shown once the version is
    submitted, as the version itself is).
    """
    drafts = PlanVersion.objects.filter(
        plan_id=OuterRef("plan_pk"), number=OuterRef("version_number"), status=VersionStatus.DRAFT
    )
    return events.alias(
        plan_pk=Case(
            When(object_type="plans.plan", then=Cast("object_id", BigIntegerField())),
            default=None,
        ),
        version_number=Cast(KT("after__version"), IntegerField()),
    ).exclude(Q(object_type="plans.plan") & Q(Exists(drafts)))


def without_unsubmitted_plans(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """``plans`` less those the port has not submitted yet (as :func:`plans_visible_to`)."""
    return plans.filter(first_submitted_at__isnull=False)


def final_plan_under_review() -> Q:
    """Approved-plan milestones held by AQMD's review: a final plan of that port and phase,
    submitted by the deadline, that AQMD has not decided yet (:mod:`agreement.holds`)."""
    return Q(kind=MilestoneKind.FINAL_PLAN) & Q(
        Exists(
            PlanVersion.objects.filter(
                plan__party_id=OuterRef("party_id"),
                plan__phase_id=OuterRef("phase_id"),
                kind="final",
                status__in=PENDING_STATUSES,
                submitted_by_deadline=True,
            )
        )
    )


# --- Progress against the approved plans' targets -----------------------------------------


def _whole_percent(part: Decimal, whole: Decimal) -> int | None:
    if not whole:
        return None
    return int((part * 100 / whole).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class TargetProgress:
    """One planning target of a plan's approved version, with the actuals AQMD accepted.

    ``actuals`` holds one accepted actual per year (the latest accepted, when AQMD accepted
    a correction), oldest year first; a pending or rejected report never appears.
    """

    plan: Plan
    target: PlanningTarget
    actuals: list[Any]  # penalties.models.TargetActual

    @property
    def latest(self) -> Any | None:
        return self.actuals[-1] if self.actuals else None

    @property
    def actual_value(self) -> Decimal | None:
        return self.latest.actual_value if self.latest else None

    @property
    def percent_of_target(self) -> int | None:
        """The latest verified actual as a whole percent of the target (None: no actual)."""
        if self.latest is None:
            return None
        return _whole_percent(self.latest.actual_value, self.target.target_value)

    @property
    def bar_percent(self) -> int:
        """The bar's length in a chart: 0..100."""
        return max(0, min(100, self.percent_of_target or 0))


def approved_targets(*, as_of: dt.datetime | None = None) -> QuerySet[PlanningTarget]:
    """The targets of each plan's latest version AQMD approved (by ``as_of``, when given),
    with their plan, port, phase and category.  One subquery, no extra query."""
    approved = PlanVersion.objects.filter(
        plan_id=OuterRef("version__plan_id"),
        status=VersionStatus.APPROVED,
        decision__decision="approved",
    )
    if as_of is not None:
        approved = approved.filter(decision__decided_at__lte=as_of)
    latest = approved.order_by("-number").values("pk")[:1]
    return (
        PlanningTarget.objects.filter(version_id=Subquery(latest))
        .select_related("version__plan__party", "version__plan__phase", "category")
        .order_by(
            "version__plan__phase__number",
            "version__plan__party__code",
            "category__order",
            "year",
            "pk",
        )
    )


def is_current_approved_target(target: PlanningTarget) -> bool:
    """Is ``target`` one of the targets of its plan's latest approved version?"""
    return approved_targets().filter(pk=target.pk).exists()


def progress_of(targets: Any, *, as_of: dt.datetime | None = None) -> list[TargetProgress]:
    """``targets`` (from :func:`approved_targets`) with the actuals AQMD accepted (by
    ``as_of``).  Actuals filed against an earlier approved version's target count for the
    same target (same ``key``) in the later version.  One query."""
    from penalties.models import ClaimStatus, TargetActual

    targets = list(targets)
    if not targets:
        return []
    accepted = TargetActual.objects.filter(
        target__version__plan_id__in={t.version.plan_id for t in targets},
        target__key__in=[t.key for t in targets],
        status=ClaimStatus.ACCEPTED,
    ).select_related("target__version")
    if as_of is not None:
        accepted = accepted.filter(decided_at__lte=as_of)
    by_year: dict[tuple[int, Any], dict[int, Any]] = defaultdict(dict)
    for actual in accepted.order_by("decided_at", "pk"):
        by_year[(actual.target.version.plan_id, actual.target.key)][actual.year] = actual
    return [
        TargetProgress(
            plan=t.version.plan,
            target=t,
            actuals=[a for _y, a in sorted(by_year[(t.version.plan_id, t.key)].items())],
        )
        for t in targets
    ]


def target_progress(
    *,
    parties: list[Party] | None = None,
    plan: Plan | None = None,
    phase: int | None = None,
    category: str | None = None,
    as_of: dt.datetime | None = None,
) -> list[TargetProgress]:
    """Target vs verified actual for every target of each plan's approved version, per port,
    phase and category (``plan``; ``phase`` a number; ``category`` a code narrow it).

    ``as_of`` (a report's cut-off): the version approved by then and the actuals accepted by
    then.  Two queries.
    """
    targets = approved_targets(as_of=as_of)
    if parties is not None:
        targets = targets.filter(version__plan__party__in=parties)
    if plan is not None:
        targets = targets.filter(version__plan=plan)
    if phase is not None:
        targets = targets.filter(version__plan__phase__number=phase)
    if category is not None:
        targets = targets.filter(category__code=category)
    return progress_of(targets, as_of=as_of)


def approved_targets_visible_to(user: Any) -> QuerySet[PlanningTarget]:
    """:func:`approved_targets` as ``user`` may see their progress: AQMD and the board every
    port, port staff their own, nobody else any."""
    return policy.visible(
        user,
        policy.Action.TARGET_PROGRESS_VIEW,
        approved_targets(),
        port_field="version__plan__party",
    )


def target_progress_for(user: Any, **filters: Any) -> list[TargetProgress]:
    """:func:`target_progress` as ``user`` may see it (see :func:`approved_targets_visible_to`)."""
    if not policy.can(user, policy.Action.TARGET_PROGRESS_VIEW):
        return []
    scope = policy.port_scope(user)
    parties = list(Party.objects.filter(pk=scope)) if scope is not None else None
    return target_progress(parties=parties, **filters)
