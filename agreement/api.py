"""API operations on the agreement's data: one view per operation.

Reads are scoped by the policy (a milestone of another port is a 404 for port staff);
the one write, a due-date amendment, calls :func:`agreement.services.milestone_change_due_date`.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import policy
from core.resources import Resource, ResourceView, SingleView

from . import selectors
from .exports import MILESTONE_COLUMNS
from .filters import EmissionCategoryFilter, MilestoneFilter, PartyFilter, PhaseFilter
from .models import DateChangeKind, Milestone
from .serializers import (
    DueDateAmendmentSerializer,
    EmissionCategorySerializer,
    MilestoneSerializer,
    PartySerializer,
    PhaseSerializer,
)
from .services import milestone_change_due_date

TAGS = ["agreement"]

PARTIES = Resource(
    name="party",
    path="parties",
    tags=TAGS,
    action=policy.Action.AGREEMENT_VIEW,
    serializer=PartySerializer,
    rows=selectors.parties_visible_to,
    filterset=PartyFilter,
    lookup="code",
    converter="slug",
    about="The parties to the agreement: AQMD and the two ports.",
)
PHASES = Resource(
    name="phase",
    path="phases",
    tags=TAGS,
    action=policy.Action.AGREEMENT_VIEW,
    serializer=PhaseSerializer,
    rows=selectors.phases_visible_to,
    filterset=PhaseFilter,
    lookup="number",
    about="The three phases of zero-emission infrastructure plans with their categories.",
)
CATEGORIES = Resource(
    name="category",
    path="categories",
    tags=TAGS,
    action=policy.Action.AGREEMENT_VIEW,
    serializer=EmissionCategorySerializer,
    rows=selectors.categories_visible_to,
    filterset=EmissionCategoryFilter,
    lookup="code",
    converter="slug",
    about="Emission source categories, each in the phase that names it.",
)
MILESTONES = Resource(
    name="milestone",
    path="milestones",
    tags=["milestones"],
    action=policy.Action.MILESTONE_VIEW,
    serializer=MilestoneSerializer,
    rows=selectors.milestones_with_history,
    filterset=MilestoneFilter,
    export=MILESTONE_COLUMNS,
    about="Milestones with their due-date history.  Port staff see their own port's.",
)


@extend_schema(
    tags=["milestones"],
    request=DueDateAmendmentSerializer,
    responses={
        201: OpenApiResponse(MilestoneSerializer, description="The due date moved."),
        200: OpenApiResponse(MilestoneSerializer, description="Already so: nothing recorded."),
    },
)
class MilestoneDueDateAmend(ResourceView, SingleView):
    """Move a due date by an amendment of the agreement (AQMD administrators).

    Keeps the old value, who, when and why; extensions go through the extension workflow.
    """

    resource = MILESTONES
    policy_action = policy.Action.MILESTONE_CHANGE_DUE_DATE
    serializer_class = DueDateAmendmentSerializer

    def post(self, request: Request, pk: int) -> Response:
        milestone: Milestone = self.get_object()
        amendment = DueDateAmendmentSerializer(data=request.data)
        amendment.is_valid(raise_exception=True)
        change = milestone_change_due_date(
            milestone=milestone,
            kind=DateChangeKind.AMENDMENT,
            actor=request.user,
            **amendment.validated_data,
        )
        refreshed = self.get_queryset().get(pk=milestone.pk)
        return Response(
            MilestoneSerializer(refreshed).data,
            status=status.HTTP_201_CREATED if change else status.HTTP_200_OK,
        )


urlpatterns = [
    *PARTIES.urls(),
    *PHASES.urls(),
    *CATEGORIES.urls(),
    *MILESTONES.urls(),
    path(
        "milestones/<int:pk>/due-date-amendments/",
        MilestoneDueDateAmend.as_view(),
        name="milestone-due-date-amend",
    ),
]
