"""How plans read in the API, and the requests that change them (parse only: every change
is a call to :mod:`plans.services`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreement.models import EmissionCategory, Milestone, Phase
from core.serializers import CodeField, username

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
)
from .services import MILESTONE_FIELDS, PROJECT_FIELDS, TARGET_FIELDS


def _category_field() -> CodeField:
    return CodeField(
        queryset=EmissionCategory.objects.all(),
        help_text=_("An emission source category of the plan's phase (its code)."),
    )


# --- reads -------------------------------------------------------------------------------


class PlanVersionSummarySerializer(serializers.ModelSerializer):
    plan: serializers.PrimaryKeyRelatedField[Plan] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    port = serializers.CharField(source="plan.party.code", read_only=True)
    phase = serializers.IntegerField(source="plan.phase.number", read_only=True)
    submitted_by = username(allow_null=True)
    reviewer = username(allow_null=True)
    is_editable = serializers.BooleanField(read_only=True)

    class Meta:
        model = PlanVersion
        fields = [
            "id",
            "plan",
            "port",
            "phase",
            "number",
            "kind",
            "status",
            "is_editable",
            "summary",
            "created_at",
            "updated_at",
            "submitted_at",
            "submitted_by",
            "review_started_at",
            "reviewer",
            "withdrawn_at",
        ]


class PlanVersionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanVersion
        fields = ["id", "number", "kind", "status", "submitted_at"]


class PlanSerializer(serializers.ModelSerializer):
    port = serializers.CharField(source="party.code", read_only=True)
    phase = serializers.IntegerField(source="phase.number", read_only=True)
    versions = PlanVersionBriefSerializer(
        source="visible_versions",
        many=True,
        read_only=True,
        help_text=_(
            "The latest versions you may see (at most 20), newest first; "
            "/api/v1/plans/{id}/versions/ lists them all, page by page."
        ),
    )

    class Meta:
        model = Plan
        fields = ["id", "port", "phase", "created_at", "first_submitted_at", "versions"]


class PlanningTargetSerializer(serializers.ModelSerializer):
    category: serializers.SlugRelatedField[EmissionCategory] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = PlanningTarget
        fields = ["id", "key", *TARGET_FIELDS]


class ProjectMilestoneSerializer(serializers.ModelSerializer):
    project: serializers.PrimaryKeyRelatedField[InfrastructureProject] = (
        serializers.PrimaryKeyRelatedField(read_only=True)
    )
    tracked_milestone: serializers.PrimaryKeyRelatedField[Milestone] = (
        serializers.PrimaryKeyRelatedField(
            read_only=True,
            allow_null=True,
            help_text=_("The agreement milestone made when the final plan was approved."),
        )
    )

    class Meta:
        model = ProjectMilestone
        fields = ["id", "key", "project", *MILESTONE_FIELDS]
        fields += ["tracked_milestone"]


class InfrastructureProjectSerializer(serializers.ModelSerializer):
    category: serializers.SlugRelatedField[EmissionCategory] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    milestones = ProjectMilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = InfrastructureProject
        fields = ["id", "key", *PROJECT_FIELDS, "milestones"]


class VersionDocumentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="document.original_name", read_only=True)
    sha256 = serializers.CharField(source="document.sha256", read_only=True)
    size_bytes = serializers.IntegerField(source="document.size_bytes", read_only=True)
    download = serializers.SerializerMethodField(help_text=_("Where to download the PDF."))

    class Meta:
        model = VersionDocument
        fields = ["id", "name", "sha256", "size_bytes", "added_at", "download"]

    @extend_schema_field(serializers.CharField())
    def get_download(self, attached: VersionDocument) -> str:
        return reverse("api:plan-document-download", args=[attached.pk])


class ReviewDecisionSerializer(serializers.ModelSerializer):
    reviewer = username(allow_null=True)

    class Meta:
        model = ReviewDecision
        fields = ["decision", "reasons", "reviewer", "decided_at"]


class CommentSerializer(serializers.ModelSerializer):
    author = username(allow_null=True)
    project: serializers.PrimaryKeyRelatedField[InfrastructureProject] = (
        serializers.PrimaryKeyRelatedField(
            read_only=True, allow_null=True, help_text=_("None: on the whole plan.")
        )
    )

    class Meta:
        model = Comment
        fields = ["id", "project", "author", "body", "created_at"]


class PlanVersionSerializer(PlanVersionSummarySerializer):
    """A version with its content, its decision and its comments."""

    targets = PlanningTargetSerializer(many=True, read_only=True)
    projects = InfrastructureProjectSerializer(many=True, read_only=True)
    documents = VersionDocumentSerializer(many=True, read_only=True)
    decision = ReviewDecisionSerializer(read_only=True, allow_null=True)
    comments = CommentSerializer(many=True, read_only=True)

    class Meta(PlanVersionSummarySerializer.Meta):
        fields = [
            *PlanVersionSummarySerializer.Meta.fields,
            "targets",
            "projects",
            "documents",
            "decision",
            "comments",
        ]


class FieldChangeSerializer(serializers.Serializer):
    # DRF's metaclass takes declared fields out of the class, so ``Field.label`` stays.
    label = serializers.CharField()  # type: ignore[assignment]
    old = serializers.CharField()
    new = serializers.CharField()


class ChangeSerializer(serializers.Serializer):
    section = serializers.CharField()
    kind = serializers.ChoiceField(choices=["added", "removed", "changed"])
    name = serializers.CharField()
    fields = FieldChangeSerializer(many=True)  # type: ignore[assignment]


class ComparisonSerializer(serializers.Serializer):
    """What changed since the last version AQMD decided (``plans.diff``)."""

    version = PlanVersionBriefSerializer()
    previous = PlanVersionBriefSerializer(
        allow_null=True, help_text=_("None when AQMD has decided no earlier version.")
    )
    changes = ChangeSerializer(many=True)


# --- requests ----------------------------------------------------------------------------


class PlanStartSerializer(serializers.Serializer):
    phase = serializers.SlugRelatedField(
        slug_field="number", queryset=Phase.objects.all(), help_text=_("The phase's number.")
    )


class VersionUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanVersion
        fields = ["kind", "summary"]
        extra_kwargs = {"summary": {"max_length": 20000}}


class _OfPhase(serializers.ModelSerializer):
    """Categories limited to the plan's phase (``context["phase"]``), as on the page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        phase = self.context.get("phase")
        if phase is not None and "category" in self.fields:
            field = self.fields["category"]
            field.queryset = EmissionCategory.objects.filter(phase=phase)  # type: ignore[attr-defined]


class TargetWriteSerializer(_OfPhase):
    category = _category_field()

    class Meta:
        model = PlanningTarget
        fields = TARGET_FIELDS
        extra_kwargs = {"year": {"min_value": 2025, "max_value": 2100}}


class ProjectWriteSerializer(_OfPhase):
    category = _category_field()

    class Meta:
        model = InfrastructureProject
        fields = PROJECT_FIELDS
        extra_kwargs = {
            "quantity": {"min_value": 1, "max_value": 2_000_000_000},
            "funding_sources": {"max_length": 20000},
        }


class ProjectMilestoneWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectMilestone
        fields = MILESTONE_FIELDS


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("A PDF within the upload limit."))


class CommentWriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000)
    project = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("A project of this version; leave out to comment on the whole plan."),
    )


class DecisionWriteSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reasons = serializers.CharField(
        max_length=20000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required to send a plan back for changes."),
    )
    confirm_past_due = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Approving a final plan whose project milestones are already past due: without "
            "this, the answer is 400 (code confirmation_required) listing them."
        ),
    )


class TargetActualPointSerializer(serializers.Serializer):
    """One verified actual: the year and the value AQMD accepted."""

    id = serializers.IntegerField()
    year = serializers.IntegerField()
    actual_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    accepted_at = serializers.DateTimeField(source="decided_at")


class TargetProgressSerializer(serializers.Serializer):
    """A target of a plan's approved version against the actuals AQMD verified."""

    port = serializers.CharField(source="plan.party.code")
    phase = serializers.IntegerField(source="plan.phase.number")
    plan = serializers.IntegerField(source="plan.pk")
    version = serializers.IntegerField(source="target.version_id")
    target = serializers.IntegerField(source="target.pk")
    key = serializers.UUIDField(source="target.key")
    category = serializers.CharField(source="target.category.code")
    category_name = serializers.CharField(source="target.category.name")
    metric = serializers.CharField(source="target.metric")
    unit = serializers.CharField(source="target.unit")
    target_year = serializers.IntegerField(source="target.year")
    target_value = serializers.DecimalField(
        source="target.target_value", max_digits=14, decimal_places=2
    )
    actual_value = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text=_("The latest year's verified actual; null until AQMD accepts one."),
    )
    actual_year = serializers.IntegerField(source="latest.year", allow_null=True, default=None)
    percent_of_target = serializers.IntegerField(
        allow_null=True, help_text=_("The latest verified actual as a whole percent of the target.")
    )
    actuals = TargetActualPointSerializer(many=True)
