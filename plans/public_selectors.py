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
from django.utils.translation import gettext as _

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
from .selectors import document_for

# The SQL twin of PlanVersion.visible_to_public.
PUBLIC_VERSIONS = (Q(kind=VersionKind.DRAFT) & ~Q(status=VersionStatus.DRAFT)) | Q(
    status=VersionStatus.APPROVED
)


def public_versions() -> QuerySet[PlanVersion]:
    return PlanVersion.objects.filter(PUBLIC_VERSIONS)


# The public list shows each plan's latest versions; each version's page links to the rest.
PUBLIC_VERSIONS_SHOWN = 10


class Standing:
    """Where a public version stands, in the words the public reads (not AQMD's internal
    status names): the CSS class of its label is the standing."""

    CURRENT = "current"  # the plan's latest approved version
    SUPERSEDED = "superseded"  # approved, then replaced by a later approved version
    IN_REVIEW = "in-review"
    SENT_BACK = "sent-back"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class PublicVersionLine:
    version: PlanVersion
    standing: str
    superseded_by: int | None = None  # the number of the approved version that replaced it

    @property
    def label(self) -> str:
        if self.standing == Standing.SUPERSEDED:
            return _("Superseded by version %(n)s") % {"n": self.superseded_by}
        return str(
            {
                Standing.CURRENT: _("Approved: the current plan"),
                Standing.IN_REVIEW: _("With AQMD for review"),
                Standing.SENT_BACK: _("Sent back for changes"),
                Standing.WITHDRAWN: _("Withdrawn by the port"),
            }[self.standing]
        )


@dataclass(frozen=True)
class PublicPlanRow:
    party: Party
    versions: list[PublicVersionLine]  # the latest, newest first; empty: nothing published yet
    total: int = 0  # all the plan's public versions (``versions`` holds the latest few)

    @property
    def earlier(self) -> int:
        return self.total - len(self.versions)

    @property
    def current(self) -> PublicVersionLine | None:
        return next((line for line in self.versions if line.standing == Standing.CURRENT), None)


@dataclass(frozen=True)
class PublicPhase:
    phase: Phase
    plans: list[PublicPlanRow]  # one per port, in port order, published or not


def _lines(versions: list[PlanVersion]) -> list[PublicVersionLine]:
    """Each version's standing; ``versions`` are one plan's, newest first."""
    lines = []
    later_approved: int | None = None
    for version in versions:
        if version.status == VersionStatus.APPROVED:
            if later_approved is None:
                lines.append(PublicVersionLine(version, Standing.CURRENT))
            else:
                lines.append(PublicVersionLine(version, Standing.SUPERSEDED, later_approved))
            later_approved = version.number
        elif version.status == VersionStatus.CHANGES_REQUESTED:
            lines.append(PublicVersionLine(version, Standing.SENT_BACK))
        elif version.status == VersionStatus.WITHDRAWN:
            lines.append(PublicVersionLine(version, Standing.WITHDRAWN))
        else:
            lines.append(PublicVersionLine(version, Standing.IN_REVIEW))
    return lines


def _public_total(versions: list[Any]) -> int:
    """How many public versions the plan has (a window count on each of its rows)."""
    return int(versions[0].public_total) if versions else 0


def public_plan_list() -> list[PublicPhase]:
    """Per phase, every port with its plan's latest public versions (at most
    ``PUBLIC_VERSIONS_SHOWN``, newest first), how many it has, each with where it stands and
    its number of published comments; a port with nothing published has an empty row.  Three
    queries whatever the number of plans, versions and comments.
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
    ports = list(Party.objects.ports().order_by("code"))
    found: dict[tuple[int, int], list[PlanVersion]] = {}
    for version in versions:
        found.setdefault((version.plan.phase_id, version.plan.party_id), []).append(version)
    return [
        PublicPhase(
            phase=phase,
            plans=[
                PublicPlanRow(
                    party=port,
                    versions=_lines(found.get((phase.pk, port.pk), [])),
                    total=_public_total(found.get((phase.pk, port.pk), [])),
                )
                for port in ports
            ],
        )
        for phase in phases
    ]


def public_line_for(version: PlanVersion) -> PublicVersionLine:
    """Where one public version stands among its plan's public versions (1 query)."""
    versions = list(
        public_versions()
        .filter(plan_id=version.plan_id)
        .only("id", "number", "status", "plan_id")
        .order_by("-number")
    )
    return next(line for line in _lines(versions) if line.version.pk == version.pk)


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
    return document_for(user=user, pk=pk, action=policy.Action.PLAN_VIEW_PUBLIC)


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
