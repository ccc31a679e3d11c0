"""Zero-emission infrastructure plans: one per port and phase, in numbered versions.

A version is worked on as a draft, then submitted; from then on its content is frozen and
the next edits make a new version (``plan_revise``).  The workflow of a version is the one
transition table in :mod:`plans.workflow`; every change goes through :mod:`plans.services`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import port_fk, status_field, status_known, user_fk

if TYPE_CHECKING:
    from agreement.models import EmissionCategory


def category_fk() -> models.ForeignKey[EmissionCategory, EmissionCategory]:
    """The emission source category a plan's target or project is for."""
    return models.ForeignKey(
        "agreement.EmissionCategory",
        verbose_name=_("emission source category"),
        on_delete=models.PROTECT,
        related_name="+",
    )


class Plan(models.Model):
    """The plan a port owes for one phase."""

    party = port_fk("plans")
    phase = models.ForeignKey(
        "agreement.Phase", verbose_name=_("phase"), on_delete=models.PROTECT, related_name="plans"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = user_fk()
    first_submitted_at = models.DateTimeField(
        _("first submitted at"),
        null=True,
        blank=True,
        help_text=_("Until a version is submitted, only the port's staff see the plan."),
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["phase__number", "party__code"]
        constraints = [
            models.UniqueConstraint(fields=["party", "phase"], name="one_plan_per_port_phase"),
        ]

    def __str__(self) -> str:
        return _("%(port)s plan for phase %(phase)s") % {
            "port": self.party.code,
            "phase": self.phase.number,
        }

    @property
    def visible_beyond_port(self) -> bool:
        """AQMD and the board see a plan once one of its versions was submitted."""
        return self.first_submitted_at is not None


class VersionKind(models.TextChoices):
    DRAFT = "draft", _("Draft plan (for public comment)")
    FINAL = "final", _("Final plan (for approval)")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (not submitted)")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# A version in one of these states blocks a new version of the same plan.
OPEN_STATUSES = [VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.UNDER_REVIEW]
# AQMD's review queue works these.
PENDING_STATUSES = [VersionStatus.SUBMITTED, VersionStatus.UNDER_REVIEW]


class PlanVersionQuerySet(models.QuerySet["PlanVersion"]):
    def submitted(self) -> PlanVersionQuerySet:
        """Versions that left the port: everything but unsubmitted drafts."""
        return self.exclude(status=VersionStatus.DRAFT)

    def pending(self) -> PlanVersionQuerySet:
        return self.filter(status__in=PENDING_STATUSES)


class PlanVersion(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(
        _("what this version is"),
        max_length=10,
        choices=VersionKind.choices,
        default=VersionKind.DRAFT,
    )
    status = status_field(VersionStatus, default=VersionStatus.DRAFT)
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = user_fk()
    updated_at = models.DateTimeField(_("last edited at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = user_fk(optional=True)
    review_started_at = models.DateTimeField(_("review started at"), null=True, blank=True)
    reviewer = user_fk(_("reviewer"), optional=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    submitted_by_deadline = models.BooleanField(
        _("submitted by the approved-plan deadline"),
        null=True,
        blank=True,
        help_text=_(
            "For a final plan: submitted while the approved-plan deadline was still open, so "
            "AQMD's review holds the deadline."
        ),
    )

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="unique_version_number"),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(status__in=OPEN_STATUSES),
                name="one_open_version_per_plan",
            ),
            status_known("version_status_known", VersionStatus),
            models.CheckConstraint(
                name="submitted_version_has_time",
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
            ),
            models.CheckConstraint(name="version_number_positive", condition=Q(number__gte=1)),
        ]
        indexes = [
            # The review queue scans pending versions, oldest submission first.
            models.Index(
                fields=["submitted_at"],
                condition=Q(status__in=PENDING_STATUSES),
                name="planversion_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return _("%(plan)s, version %(number)s") % {"plan": self.plan, "number": self.number}

    @property
    def party_id(self) -> int:
        return self.plan.party_id

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def visible_beyond_port(self) -> bool:
        return self.status != VersionStatus.DRAFT

    def status_at(self, moment: dt.datetime) -> str | None:
        """The version's status at ``moment`` from its timestamps; None if it was not
        submitted by then (an unsubmitted draft is not shown beyond the port).

        Exact because every move after submission is one-way and stamped: review started
        (``review_started_at``), decided (``decision.decided_at``) or withdrawn
        (``withdrawn_at``).  Load ``decision`` with ``select_related`` to avoid a query.
        """
        if self.submitted_at is None or self.submitted_at > moment:
            return None
        try:
            decision: ReviewDecision | None = self.decision
        except ReviewDecision.DoesNotExist:
            decision = None
        if decision is not None and decision.decided_at <= moment:
            return decision.decision
        if self.withdrawn_at is not None and self.withdrawn_at <= moment:
            return VersionStatus.WITHDRAWN
        if self.review_started_at is not None and self.review_started_at <= moment:
            return VersionStatus.UNDER_REVIEW
        return VersionStatus.SUBMITTED

    @property
    def visible_to_public(self) -> bool:
        """The public sees draft-kind versions once submitted, and approved versions."""
        if self.status == VersionStatus.DRAFT:
            return False
        return self.kind == VersionKind.DRAFT or self.status == VersionStatus.APPROVED

    @property
    def open_for_public_comment(self) -> bool:
        """The comment period of a draft plan: from submission until AQMD decides or the port
        withdraws it."""
        return self.kind == VersionKind.DRAFT and self.status in PENDING_STATUSES


class PlanningTarget(models.Model):
    """A target per category, e.g. the share of zero-emission equipment by a year."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="targets")
    key = models.UUIDField(default=uuid.uuid4, editable=False, help_text=_("Same across versions."))
    category = category_fk()
    year = models.PositiveSmallIntegerField(_("year"))
    metric = models.CharField(
        _("what is measured"),
        max_length=300,
        help_text=_("For example: share of zero-emission cargo handling equipment."),
    )
    target_value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=40, help_text=_("For example: %, units, MW."))

    class Meta:
        verbose_name = _("planning target")
        verbose_name_plural = _("planning targets")
        ordering = ["category__order", "year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="unique_target_key"),
            models.CheckConstraint(
                name="target_year_in_range",
                condition=Q(year__gte=2025) & Q(year__lte=2100),
                violation_error_message=_("The year must be between 2025 and 2100."),
            ),
            models.CheckConstraint(
                name="target_value_not_negative",
                condition=Q(target_value__gte=0),
                violation_error_message=_("A target cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} ({self.year})"

    # What the requests to AQMD read of what they are about (see ``MilestoneRequest``); load
    # ``version__plan__party`` with ``select_related`` to avoid queries.
    @property
    def party_id(self) -> int:
        return self.version.plan.party_id

    @property
    def party(self) -> Any:
        return self.version.plan.party

    @property
    def title(self) -> str:
        return _("%(metric)s: %(value)s %(unit)s by %(year)s") % {
            "metric": self.metric,
            "value": f"{self.target_value.normalize():f}",
            "unit": self.unit,
            "year": self.year,
        }


class ProjectType(models.TextChoices):
    CHARGING = "charging", _("Charging")
    HYDROGEN = "hydrogen", _("Hydrogen fuelling")
    SHORE_POWER = "shore_power", _("Shore power")
    GRID_UPGRADE = "grid_upgrade", _("Grid upgrade")
    OTHER = "other", _("Other")


class InfrastructureProject(models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="projects")
    key = models.UUIDField(default=uuid.uuid4, editable=False, help_text=_("Same across versions."))
    name = models.CharField(_("name"), max_length=200)
    location = models.CharField(_("terminal or location"), max_length=200)
    category = category_fk()
    project_type = models.CharField(_("type"), max_length=20, choices=ProjectType.choices)
    capacity_value = models.DecimalField(
        _("capacity"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    capacity_unit = models.CharField(
        _("capacity unit"), max_length=40, blank=True, help_text=_("For example: kW, MW, kg/day.")
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    estimated_cost = models.DecimalField(_("estimated cost (USD)"), max_digits=14, decimal_places=2)
    funding_sources = models.TextField(_("funding sources"), blank=True)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))

    class Meta:
        verbose_name = _("infrastructure project")
        verbose_name_plural = _("infrastructure projects")
        ordering = ["start_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="unique_project_key"),
            models.CheckConstraint(
                name="project_cost_not_negative",
                condition=Q(estimated_cost__gte=0),
                violation_error_message=_("The estimated cost cannot be negative."),
            ),
            models.CheckConstraint(
                name="project_capacity_not_negative",
                condition=Q(capacity_value__isnull=True) | Q(capacity_value__gte=0),
                violation_error_message=_("The capacity cannot be negative."),
            ),
            models.CheckConstraint(
                name="project_quantity_positive",
                condition=Q(quantity__gte=1),
                violation_error_message=_("The quantity is at least 1."),
            ),
            models.CheckConstraint(
                name="project_ends_after_start",
                condition=Q(end_date__gte=F("start_date")),
                violation_error_message=_("The project cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectMilestone(models.Model):
    """A dated step of a project.  Approval of a final plan makes it a tracked milestone."""

    project = models.ForeignKey(
        InfrastructureProject, on_delete=models.CASCADE, related_name="milestones"
    )
    key = models.UUIDField(default=uuid.uuid4, editable=False, help_text=_("Same across versions."))
    what = models.CharField(_("what"), max_length=300)
    due_date = models.DateField(_("due date"))
    within_port_control = models.BooleanField(_("within the port's control"), default=True)
    # A milestone kept through revisions (same key) keeps one tracked deadline, so the
    # approved versions' rows may share it.
    tracked_milestone = models.ForeignKey(
        "agreement.Milestone",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_sources",
        help_text=_("The deadline created when a final plan holding it was first approved."),
    )

    class Meta:
        verbose_name = _("project milestone")
        verbose_name_plural = _("project milestones")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="unique_project_milestone_key"),
        ]

    def __str__(self) -> str:
        return self.what


class VersionDocument(models.Model):
    """A supporting PDF attached to one version (carried into the next version on revise)."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey("core.Document", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("plan document")
        verbose_name_plural = _("plan documents")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "document"], name="unique_version_document"),
        ]

    def __str__(self) -> str:
        return str(self.document)

    @property
    def party_id(self) -> int:
        return self.version.plan.party_id


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Sent back for changes")


class ReviewDecision(models.Model):
    """AQMD's decision on exactly one submitted version."""

    version = models.OneToOneField(PlanVersion, on_delete=models.PROTECT, related_name="decision")
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    reasons = models.TextField(_("reasons"), blank=True)
    reviewer = user_fk(_("reviewer"))
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        constraints = [
            models.CheckConstraint(
                name="sent_back_has_reasons",
                condition=~Q(decision="changes_requested") | ~Q(reasons=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.get_decision_display()}"


class Comment(models.Model):
    """A remark on a submitted version, on the whole plan or on one of its projects."""

    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="comments")
    project = models.ForeignKey(
        InfrastructureProject,
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
    )
    author = user_fk()
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(name="comment_not_empty", condition=~Q(body="")),
        ]

    def __str__(self) -> str:
        return self.body[:60]


class PublicCommentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not published")


# The longest public comment accepted (characters); the database enforces it too.
PUBLIC_COMMENT_MAX_LENGTH = 5000


class PublicComment(models.Model):
    """A comment from the public on a draft plan, shown publicly once AQMD publishes it.

    The email address is for AQMD to reply and is never shown on public pages.
    """

    version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, related_name="public_comments"
    )
    text = models.TextField(_("comment"))
    name = models.CharField(_("name"), max_length=120, blank=True)
    community = models.CharField(_("community or neighbourhood"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    status = status_field(PublicCommentStatus, default=PublicCommentStatus.PENDING, max_length=10)
    moderated_by = user_fk(_("moderated by"), optional=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderation_note = models.TextField(_("moderation note"), blank=True)

    class Meta:
        verbose_name = _("public comment")
        verbose_name_plural = _("public comments")
        ordering = ["submitted_at", "id"]
        constraints = [
            status_known("public_comment_status_known", PublicCommentStatus),
            models.CheckConstraint(name="public_comment_not_empty", condition=~Q(text="")),
            models.CheckConstraint(
                name="public_comment_not_too_long",
                condition=LessThanOrEqual(Length("text"), PUBLIC_COMMENT_MAX_LENGTH),
            ),
            # Pending means not moderated yet; published and rejected say who and when.
            models.CheckConstraint(
                name="public_comment_moderation_recorded",
                condition=(
                    Q(status="pending", moderated_by__isnull=True, moderated_at__isnull=True)
                    | (
                        ~Q(status="pending")
                        & Q(moderated_by__isnull=False, moderated_at__isnull=False)
                    )
                ),
            ),
            models.CheckConstraint(
                name="rejected_public_comment_has_note",
                condition=~Q(status="rejected") | ~Q(moderation_note=""),
            ),
        ]
        indexes = [
            # The moderation queue scans pending comments, oldest first.
            models.Index(
                fields=["submitted_at"],
                condition=Q(status="pending"),
                name="public_comment_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def party_id(self) -> int:
        return self.version.plan.party_id

    @property
    def author_label(self) -> str:
        """How the comment is signed in public: the name given, or "Anonymous"."""
        return self.name or str(_("Anonymous"))
