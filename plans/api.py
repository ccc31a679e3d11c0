"""API operations on plans: one view per operation, every change a call to a service.

Reads are the plans selectors (port staff see their port's plans and drafts; AQMD and the
board submitted versions only).  An operation on one object looks the object up among
those the caller may *see* before asking the policy about the operation, as the pages do:
another port's draft, version, project or document is a 404 whatever the operation, and a
visible object the caller may not act on is a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django_filters
from django.db.models import Model
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import policy
from api.errors import ErrorSerializer
from core.filters import StableOrderingFilter, phase_filter, port_filter, status_filter
from core.page_cache import CachedListView
from core.resources import (
    PDF_DOWNLOAD,
    DownloadView,
    Resource,
    ResourceView,
    SingleView,
    created_or_ok,
    created_or_ok_responses,
    read_body,
)
from core.uploads import document_response

from . import selectors, services
from .diff import version_diff
from .models import (
    PENDING_STATUSES,
    Plan,
    PlanVersion,
    VersionDocument,
    VersionKind,
    VersionStatus,
)
from .serializers import (
    CommentSerializer,
    CommentWriteSerializer,
    ComparisonSerializer,
    DecisionWriteSerializer,
    DocumentUploadSerializer,
    InfrastructureProjectSerializer,
    PlanningTargetSerializer,
    PlanSerializer,
    PlanStartSerializer,
    PlanVersionSerializer,
    PlanVersionSummarySerializer,
    ProjectMilestoneSerializer,
    ProjectMilestoneWriteSerializer,
    ProjectWriteSerializer,
    ReviewDecisionSerializer,
    TargetProgressSerializer,
    TargetWriteSerializer,
    VersionDocumentSerializer,
    VersionUpdateSerializer,
)

TAGS = ["plans"]
DELETED = {204: OpenApiResponse(description="Removed from the draft.")}


# --- filters -----------------------------------------------------------------------------


class PlanFilter(django_filters.FilterSet):
    port = port_filter()
    phase = phase_filter()
    ordering = StableOrderingFilter(
        fields=[
            ("party__code", "port"),
            ("phase__number", "phase"),
            "created_at",
            "first_submitted_at",
            "id",
        ],
    )


class PlanVersionFilter(django_filters.FilterSet):
    status = status_filter(VersionStatus.choices)
    kind = django_filters.ChoiceFilter(choices=VersionKind.choices, label=_("Kind"))
    ordering = StableOrderingFilter(
        fields=["number", "submitted_at", "id"],
    )


class ReviewQueueFilter(django_filters.FilterSet):
    port = port_filter("plan__")
    phase = phase_filter("plan__")
    status = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in PENDING_STATUSES], label=_("Status")
    )
    kind = django_filters.ChoiceFilter(choices=VersionKind.choices, label=_("Kind"))
    ordering = StableOrderingFilter(
        fields=[
            "submitted_at",
            ("plan__party__code", "port"),
            ("plan__phase__number", "phase"),
            "id",
        ],
        label=_("Order by (default: oldest submission first)"),
    )


# --- the base of operations on one object --------------------------------------------------


class PlanObjectView(SingleView):
    """One operation on one object: found among what the caller may see (else 404), then
    ``policy_action`` asked of the object it belongs to (:meth:`judged`; else 403)."""

    def check_permissions(self, request: Request) -> None:
        # Signed in and a reader of plans at all (else 401/403); the operation itself is
        # asked of the object once it is found, so an invisible one is a 404 first.
        if not policy.can(request.user, policy.Action.PLAN_VIEW):
            self.permission_denied(request)

    def judged(self, obj: Any) -> Any:
        """The object the policy judges: the version for a version's content."""
        return obj

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        super().check_object_permissions(request, self.judged(obj))


class _OnVersion(PlanObjectView):
    def get_queryset(self) -> Any:
        return selectors.versions_visible_to(self.request.user).select_related(
            "plan__party", "plan__phase"
        )

    def summary(self, version: PlanVersion) -> dict[str, Any]:
        fresh = selectors.versions_for_api(self.request.user).get(pk=version.pk)
        return PlanVersionSummarySerializer(fresh).data


# --- plans -------------------------------------------------------------------------------


PLANS = Resource(
    name="plan",
    path="plans",
    tags=TAGS,
    action=policy.Action.PLAN_VIEW,
    serializer=PlanSerializer,
    rows=lambda user: selectors.plans_for_api(user).order_by("phase__number", "party__code", "id"),
    filterset=PlanFilter,
    about="The plans you may see: port staff their port's, AQMD and the board submitted ones.",
)


@extend_schema(
    tags=TAGS,
    request=PlanStartSerializer,
    responses=created_or_ok_responses(
        PlanSerializer,
        created="Started, with a first draft.",
        ok="Your port already has this plan.",
    ),
)
class PlanStart(ResourceView, SingleView):
    """Start your port's plan for a phase (port staff), with its first draft version."""

    resource = PLANS
    policy_action = policy.Action.PLAN_EDIT
    serializer_class = PlanStartSerializer

    def post(self, request: Request) -> Response:
        parsed = read_body(PlanStartSerializer, request)
        party = getattr(request.user, "party", None)
        phase = parsed.validated_data["phase"]
        plan, created = services.plan_start(party=party, phase=phase, actor=request.user)  # type: ignore[arg-type]
        return Response(
            PlanSerializer(self.get_queryset().get(pk=plan.pk)).data,
            status=created_or_ok(created),
        )


@extend_schema(
    tags=TAGS,
    request=None,
    responses=created_or_ok_responses(
        PlanVersionSummarySerializer, created="A new draft version.", ok="The open draft."
    ),
)
class PlanRevise(PlanObjectView):
    """Start a new draft version copying the latest one (a no-op if a draft is open)."""

    policy_action = policy.Action.PLAN_EDIT

    def get_queryset(self) -> Any:
        return selectors.plans_visible_to(self.request.user)

    def post(self, request: Request, pk: int) -> Response:
        plan: Plan = self.get_object()
        version, created = services.plan_revise(plan=plan, actor=request.user)
        fresh = selectors.versions_for_api(request.user).get(pk=version.pk)
        return Response(
            PlanVersionSummarySerializer(fresh).data,
            status=created_or_ok(created),
        )


# --- versions ----------------------------------------------------------------------------


@extend_schema(tags=TAGS)
class PlanVersionList(CachedListView):
    """A plan's versions you may see (AQMD and the board: submitted ones), oldest first."""

    policy_action = policy.Action.PLAN_VIEW
    serializer_class = PlanVersionSummarySerializer
    filterset_class = PlanVersionFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return PlanVersion.objects.none()
        plan = selectors.plan_for(user=self.request.user, pk=self.kwargs["pk"])
        return (
            selectors.versions_for_api(self.request.user).filter(plan=plan).order_by("number", "id")
        )


@extend_schema(tags=TAGS)
class PlanVersionDetail(generics.RetrieveAPIView):
    """A version with its targets, projects and their milestones, documents, decision and
    comments."""

    policy_action = policy.Action.PLAN_VIEW
    serializer_class = PlanVersionSerializer

    def get_queryset(self) -> Any:
        return selectors.versions_for_api(self.request.user)

    def get_object(self) -> PlanVersion:
        return selectors.with_content(super().get_object())


@extend_schema(
    tags=TAGS,
    request=VersionUpdateSerializer,
    responses={200: PlanVersionSummarySerializer},
)
class PlanVersionUpdate(_OnVersion):
    """Change what a draft is (draft or final plan) and its summary."""

    policy_action = policy.Action.PLAN_EDIT

    def patch(self, request: Request, pk: int) -> Response:
        version: PlanVersion = self.get_object()
        parsed = read_body(VersionUpdateSerializer, request, partial=True)
        data = parsed.validated_data
        services.version_update(
            version=version,
            kind=data.get("kind", version.kind),
            summary=data.get("summary", version.summary),
            actor=request.user,
        )
        return Response(self.summary(version))


@extend_schema(tags=TAGS)
class PlanVersionComparison(generics.RetrieveAPIView):
    """What changed since the last version AQMD decided (targets, projects, milestones,
    documents).  ``previous`` is null and ``changes`` empty until AQMD has decided an
    earlier version (a withdrawn version was never reviewed and is skipped)."""

    policy_action = policy.Action.PLAN_VIEW
    serializer_class = ComparisonSerializer

    def get_queryset(self) -> Any:
        return selectors.versions_visible_to(self.request.user)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        version = selectors.with_content(self.get_object())
        previous = selectors.last_decided_before(version)
        changes = []
        if previous is not None:
            changes = version_diff(selectors.with_content(previous), version)
        body = {"version": version, "previous": previous, "changes": changes}
        return Response(ComparisonSerializer(body).data)


# --- a draft's content -------------------------------------------------------------------


@dataclass(frozen=True)
class DraftPartApi:
    """How one kind of a draft's content is added, changed and removed in the API."""

    part: services.DraftPart
    name: str  # the URL names' stem, e.g. "plan-target"
    parents: Callable[[Any], Any]  # where it is added: the versions or projects one may see
    parent_path: str  # e.g. "plan-versions/<int:pk>/targets/"
    items: Callable[[Any], Any]  # the items one may see
    item_path: str  # e.g. "plan-targets/<int:pk>/"
    write: type[serializers.Serializer]
    read: type[serializers.Serializer]
    added: str  # the create operation's description
    changed: str  # the change/remove operation's description


class _DraftPartView(PlanObjectView):
    api: DraftPartApi
    policy_action = policy.Action.PLAN_EDIT

    def parse(self, request: Request, version: PlanVersion, *, partial: bool) -> Any:
        context = {"phase": version.plan.phase}
        return read_body(self.api.write, request, partial=partial, context=context).validated_data


class _DraftPartCreate(_DraftPartView):
    def get_queryset(self) -> Any:
        return self.api.parents(self.request.user)

    def judged(self, obj: Any) -> Model:
        return self.api.part.parent_version(obj)

    def post(self, request: Request, pk: int) -> Response:
        parent = self.get_object()
        data = self.parse(request, self.api.part.parent_version(parent), partial=False)
        item = services.draft_part_add(
            part=self.api.part, parent=parent, data=data, actor=request.user
        )
        return Response(self.api.read(item).data, status=status.HTTP_201_CREATED)


class _DraftPartChange(_DraftPartView):
    def get_queryset(self) -> Any:
        return self.api.items(self.request.user)

    def judged(self, obj: Any) -> Model:
        return self.api.part.version_of(obj)

    def patch(self, request: Request, pk: int) -> Response:
        item = self.get_object()
        data = self.parse(request, self.api.part.version_of(item), partial=True)
        item = services.draft_part_update(
            part=self.api.part, item=item, data=data, actor=request.user
        )
        return Response(self.api.read(item).data)

    def delete(self, request: Request, pk: int) -> Response:
        services.draft_part_remove(part=self.api.part, item=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


DRAFT_PARTS = [
    DraftPartApi(
        part=services.TARGETS,
        name="plan-target",
        parents=selectors.versions_visible_to,
        parent_path="plan-versions/<int:pk>/targets/",
        items=selectors.targets_visible_to,
        item_path="plan-targets/<int:pk>/",
        write=TargetWriteSerializer,
        read=PlanningTargetSerializer,
        added="Add a planning target to a draft.",
        changed="Change or remove a planning target of a draft.",
    ),
    DraftPartApi(
        part=services.PROJECTS,
        name="plan-project",
        parents=selectors.versions_visible_to,
        parent_path="plan-versions/<int:pk>/projects/",
        items=selectors.projects_visible_to,
        item_path="plan-projects/<int:pk>/",
        write=ProjectWriteSerializer,
        read=InfrastructureProjectSerializer,
        added="Add an infrastructure project to a draft.",
        changed="Change or remove an infrastructure project of a draft (with its milestones).",
    ),
    DraftPartApi(
        part=services.PROJECT_MILESTONES,
        name="plan-project-milestone",
        parents=selectors.projects_visible_to,
        parent_path="plan-projects/<int:pk>/milestones/",
        items=selectors.project_milestones_visible_to,
        item_path="plan-project-milestones/<int:pk>/",
        write=ProjectMilestoneWriteSerializer,
        read=ProjectMilestoneSerializer,
        added="Add a dated milestone to a project of a draft.",
        changed="Change or remove a project milestone of a draft.",
    ),
]


def _draft_part_urls(api: DraftPartApi) -> list[Any]:
    stem = api.part.model.__name__
    create: Any = extend_schema(tags=TAGS, request=api.write, responses={201: api.read})(
        type(f"{stem}Create", (_DraftPartCreate,), {"api": api, "__doc__": api.added})
    )
    change: Any = extend_schema_view(
        patch=extend_schema(tags=TAGS, request=api.write, responses={200: api.read}),
        delete=extend_schema(tags=TAGS, request=None, responses=DELETED),
    )(type(f"{stem}Change", (_DraftPartChange,), {"api": api, "__doc__": api.changed}))
    return [
        path(api.parent_path, create.as_view(), name=f"{api.name}-create"),
        path(api.item_path, change.as_view(), name=f"{api.name}-change"),
    ]


# --- documents ---------------------------------------------------------------------------


@extend_schema(
    tags=TAGS,
    request={"multipart/form-data": DocumentUploadSerializer},
    responses={201: VersionDocumentSerializer},
)
class DocumentUpload(_OnVersion):
    """Attach a PDF to a draft (multipart ``file``): 413 over the limit, 400 if not a PDF."""

    policy_action = policy.Action.PLAN_EDIT
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request: Request, pk: int) -> Response:
        version: PlanVersion = self.get_object()
        parsed = read_body(DocumentUploadSerializer, request)
        attached = services.version_document_add(
            version=version, upload=parsed.validated_data["file"], actor=request.user
        )
        return Response(VersionDocumentSerializer(attached).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, responses=PDF_DOWNLOAD)
class DocumentDownload(DownloadView, PlanObjectView):
    """Download an attached PDF (whoever may see its version, as on the plan's page)."""

    policy_action = policy.Action.PLAN_VIEW

    def get_object(self) -> VersionDocument:
        return selectors.document_for(user=self.request.user, pk=self.kwargs["pk"])

    def get(self, request: Request, pk: int) -> Any:
        return document_response(self.get_object().document)


@extend_schema(tags=TAGS, request=None, responses=DELETED)
class DocumentRemove(PlanObjectView):
    """Detach a document from a draft (the stored file is kept)."""

    policy_action = policy.Action.PLAN_EDIT

    def get_object(self) -> VersionDocument:
        attached = selectors.document_for(user=self.request.user, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, attached)
        return attached

    def judged(self, obj: VersionDocument) -> Model:
        return obj.version

    def delete(self, request: Request, pk: int) -> Response:
        services.version_document_remove(attached=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the workflow ------------------------------------------------------------------------


class _VersionStep(_OnVersion):
    """A step of the review workflow: the service moves the version, the answer is its
    summary."""

    step: Callable[..., PlanVersion]

    def post(self, request: Request, pk: int) -> Response:
        version = type(self).step(version=self.get_object(), actor=request.user)
        return Response(self.summary(version))


# (path under the version, URL name, policy action, service, description)
VERSION_STEPS = [
    (
        "submit",
        "plan-version-submit",
        policy.Action.PLAN_SUBMIT,
        services.version_submit,
        "Send a draft to AQMD; from then on it is frozen.",
    ),
    (
        "withdraw",
        "plan-version-withdraw",
        policy.Action.PLAN_WITHDRAW,
        services.version_withdraw,
        "Take back a submission AQMD has not decided yet.",
    ),
    (
        "start-review",
        "plan-version-start-review",
        policy.Action.PLAN_REVIEW,
        services.version_start_review,
        'A reviewer takes a submitted version (it becomes "under review").',
    ),
]


def _version_step_url(
    suffix: str, name: str, action: policy.Action, service: Callable[..., PlanVersion], doc: str
) -> Any:
    attrs = {"policy_action": action, "step": staticmethod(service), "__doc__": doc}
    view: Any = type(f"Version{suffix.title().replace('-', '')}", (_VersionStep,), attrs)
    schema = extend_schema(tags=TAGS, request=None, responses={200: PlanVersionSummarySerializer})
    return path(f"plan-versions/<int:pk>/{suffix}/", schema(view).as_view(), name=name)


@extend_schema(tags=TAGS)
class ReviewQueue(CachedListView):
    """AQMD's queue: submitted and under-review versions, oldest submission first."""

    policy_action = policy.Action.PLAN_REVIEW
    serializer_class = PlanVersionSummarySerializer
    filterset_class = ReviewQueueFilter

    def get_queryset(self) -> Any:
        return selectors.review_queue().filter(
            plan__in=selectors.plans_visible_to(self.request.user)
        )


@extend_schema(tags=TAGS, request=CommentWriteSerializer, responses={201: CommentSerializer})
class CommentCreate(_OnVersion):
    """Comment on a submitted version: on the whole plan, or on one of its projects."""

    policy_action = policy.Action.PLAN_COMMENT

    def post(self, request: Request, pk: int) -> Response:
        version: PlanVersion = self.get_object()
        parsed = read_body(CommentWriteSerializer, request)
        project = None
        if parsed.validated_data["project"] is not None:
            project = version.projects.filter(pk=parsed.validated_data["project"]).first()
            if project is None:
                raise serializers.ValidationError(
                    {"project": [_("No project of this version has that id.")]}
                )
        comment = services.comment_add(
            version=version,
            body=parsed.validated_data["body"],
            project=project,
            actor=request.user,
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=TAGS,
    request=DecisionWriteSerializer,
    responses={
        **created_or_ok_responses(
            ReviewDecisionSerializer, created="Recorded.", ok="You sent this decision already."
        ),
        409: OpenApiResponse(
            ErrorSerializer,
            description="Another reviewer decided first (the error names who and when).",
        ),
    },
)
class VersionDecide(_OnVersion):
    """Approve a submitted version, or send it back for changes with reasons."""

    policy_action = policy.Action.PLAN_REVIEW

    def post(self, request: Request, pk: int) -> Response:
        version: PlanVersion = self.get_object()
        parsed = read_body(DecisionWriteSerializer, request)
        decision, created = services.version_decide(
            version=version, actor=request.user, **parsed.validated_data
        )
        return Response(
            ReviewDecisionSerializer(decision).data,
            status=created_or_ok(created),
        )


# --- progress against the approved plans' targets -------------------------------------------


class TargetProgressFilter(django_filters.FilterSet):
    port = port_filter("version__plan__", label=_("Port code"))
    phase = phase_filter("version__plan__")
    category = django_filters.CharFilter(
        field_name="category__code", label=_("Emission source category code")
    )
    ordering = StableOrderingFilter(
        fields=[
            ("version__plan__phase__number", "phase"),
            ("version__plan__party__code", "port"),
            ("category__order", "category"),
            ("year", "target_year"),
        ],
    )


@extend_schema(tags=TAGS)
class TargetProgressList(CachedListView):
    """Each planning target of each plan's current approved version, per port, phase and
    category, with the actuals the port reported and AQMD accepted (pending or rejected
    reports never count).  AQMD and the board see every port, port staff their own."""

    policy_action = policy.Action.TARGET_PROGRESS_VIEW
    serializer_class = TargetProgressSerializer
    filterset_class = TargetProgressFilter

    def get_queryset(self) -> Any:
        return selectors.approved_targets_visible_to(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = selectors.progress_of(page or [])
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


urlpatterns = [
    path("target-progress/", TargetProgressList.as_view(), name="target-progress-list"),
    *PLANS.urls(),
    path("plans/start/", PlanStart.as_view(), name="plan-start"),
    path("plans/<int:pk>/revise/", PlanRevise.as_view(), name="plan-revise"),
    path("plans/<int:pk>/versions/", PlanVersionList.as_view(), name="plan-version-list"),
    path("plan-review-queue/", ReviewQueue.as_view(), name="plan-review-queue"),
    path("plan-versions/<int:pk>/", PlanVersionDetail.as_view(), name="plan-version-detail"),
    path(
        "plan-versions/<int:pk>/summary/",
        PlanVersionUpdate.as_view(),
        name="plan-version-update",
    ),
    path(
        "plan-versions/<int:pk>/comparison/",
        PlanVersionComparison.as_view(),
        name="plan-version-comparison",
    ),
    path(
        "plan-versions/<int:pk>/documents/",
        DocumentUpload.as_view(),
        name="plan-document-upload",
    ),
    *(_version_step_url(*step) for step in VERSION_STEPS),
    path("plan-versions/<int:pk>/comments/", CommentCreate.as_view(), name="plan-comment-create"),
    path("plan-versions/<int:pk>/decision/", VersionDecide.as_view(), name="plan-version-decide"),
    path("plan-documents/<int:pk>/", DocumentRemove.as_view(), name="plan-document-remove"),
    path(
        "plan-documents/<int:pk>/download/",
        DocumentDownload.as_view(),
        name="plan-document-download",
    ),
]
for _part in DRAFT_PARTS:
    urlpatterns += _draft_part_urls(_part)
