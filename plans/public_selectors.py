"""Reads for public input: the public copy of plans, their comments, the moderation queue.

What the public may see is the policy's (``PLAN_VIEW_PUBLIC``); the SQL filter here says
the same as ``PlanVersion.visible_to_public`` for lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from accounts import policy
from agreement.models import Party, Phase

from .models import (
    InfrastructureProject,
    PlanningTarget,
    PlanVersion,
    ProjectMilestone,
    PublicComment,
    PublicCommentStatus,
    VersionDocument,
    VersionKind,
    VersionStatus,
)

# The SQL twin of PlanVersion.visible_to_public.
PUBLIC_VERSIONS = (Q(kind=VersionKind.DRAFT) & ~Q(status=VersionStatus.DRAFT)) | Q(
    status=VersionStatus.APPROVED
)


def public_versions() -> QuerySet[PlanVersion]:
    return PlanVersion.objects.filter(PUBLIC_VERSIONS)


# The public list shows each plan's latest versions; each version's page links to the rest.
PUBLIC_VERSIONS_SHOWN = 10


@dataclass
class PublicPlanRow:
    party: Party
    versions: list[PlanVersion]
    # All the plan's public versions (``versions`` holds the latest PUBLIC_VERSIONS_SHOWN).
    total: int = 0

    @property
    def earlier(self) -> int:
        return self.total - len(self.versions)


@dataclass(frozen=True)
class PublicPhase:
    phase: Phase
    plans: list[PublicPlanRow]


def public_plan_list() -> list[PublicPhase]:
    """Per phase, each port's plan with its latest public versions (at most
    ``PUBLIC_VERSIONS_SHOWN``, newest first), how many it has, and each version's number of
    published comments.  Two queries whatever the number of plans, versions and comments.
    """
    versions = (
        public_versions()
        .select_related("plan__party", "plan__phase")
        .annotate(
            published_comments=Count(
                "public_comments",
                filter=Q(public_comments__status=PublicCommentStatus.PUBLISHED),
            ),
            recency=Window(RowNumber(), partition_by=[F("plan_id")], order_by=F("number").desc()),
            public_total=Window(Count("id"), partition_by=[F("plan_id")]),
        )
        .filter(recency__lte=PUBLIC_VERSIONS_SHOWN)
        .order_by("plan__phase__number", "plan__party__code", "-number")
    )
    phases = list(Phase.objects.order_by("number"))
    by_phase: dict[int, dict[int, PublicPlanRow]] = {p.pk: {} for p in phases}
    for version in versions:
        plan = version.plan
        rows = by_phase.setdefault(plan.phase_id, {})
        row = rows.get(plan.pk)
        if row is None:
            row = rows[plan.pk] = PublicPlanRow(
                party=plan.party,
                versions=[],
                total=version.public_total,
            )
        row.versions.append(version)
    return [PublicPhase(phase=p, plans=list(by_phase[p.pk].values())) for p in phases]


def public_version_for(*, user: Any, pk: int) -> PlanVersion:
    """A version the public may see with its plan, or 404 (never an unsubmitted draft)."""
    version = PlanVersion.objects.select_related("plan__party", "plan__phase").filter(pk=pk).first()
    if version is None or not policy.can(user, policy.Action.PLAN_VIEW_PUBLIC, version):
        raise Http404
    return version


def with_public_content(version: PlanVersion) -> PlanVersion:
    """Targets, projects with milestones, documents and published comments (5 queries).

    Pending and rejected comments are not loaded at all.
    """
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(
        [version],
        Prefetch("targets", queryset=PlanningTarget.objects.select_related("category")),
        Prefetch(
            "projects",
            queryset=InfrastructureProject.objects.select_related("category").prefetch_related(
                Prefetch("milestones", queryset=ProjectMilestone.objects.order_by("due_date", "id"))
            ),
        ),
        Prefetch("documents", queryset=VersionDocument.objects.select_related("document")),
        Prefetch(
            "public_comments",
            queryset=PublicComment.objects.filter(status=PublicCommentStatus.PUBLISHED),
            to_attr="published_comments",
        ),
    )
    return version


def public_document_for(*, user: Any, pk: int) -> VersionDocument:
    """A document of a public version, or 404."""
    attached = (
        VersionDocument.objects.select_related("document", "version__plan").filter(pk=pk).first()
    )
    if attached is None or not policy.can(user, policy.Action.PLAN_VIEW_PUBLIC, attached.version):
        raise Http404
    return attached


def all_comments_for(*, user: Any, version: PlanVersion) -> list[PublicComment]:
    """Every public comment on a version (pending and rejected too), for its port and AQMD."""
    if not policy.can(user, policy.Action.PUBLIC_COMMENT_VIEW_ALL, version):
        raise Http404
    return list(PublicComment.objects.filter(version=version).select_related("moderated_by"))


def moderation_queue(*, status: str = PublicCommentStatus.PENDING) -> QuerySet[PublicComment]:
    """Comments in ``status`` (pending by default), oldest first, with their plan."""
    return (
        PublicComment.objects.filter(status=status)
        .select_related("version__plan__party", "version__plan__phase", "moderated_by")
        .order_by("submitted_at", "id")
    )


def comment_for_moderation(*, user: Any, pk: int) -> PublicComment:
    comment = (
        PublicComment.objects.select_related("version__plan__party", "version__plan__phase")
        .filter(pk=pk)
        .first()
    )
    if comment is None or not policy.can(user, policy.Action.PUBLIC_COMMENT_MODERATE, comment):
        raise Http404
    return comment
