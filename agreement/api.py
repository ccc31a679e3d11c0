"""API operations on the agreement's data: one view per operation.

Reads are scoped by the policy (a milestone of another port is a 404 for port staff);
the one write, a due-date amendment, calls :func:`agreement.services.milestone_change_due_date`.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import policy
from api.parsers import LimitedJSONParser
from core.resources import (
    CreateOnList,
    Resource,
    ResourceView,
    RowAction,
    SingleView,
    created_or_ok,
    created_or_ok_responses,
    read_body,
)
from core.serializers import ReasonSerializer

from . import selectors
from .amendments import (
    amendment_abandon,
    amendment_propose,
    amendment_record_approval,
    amendments_visible_to,
)
from .exports import MILESTONE_COLUMNS
from .filters import (
    AmendmentFilter,
    EmissionCategoryFilter,
    MilestoneFilter,
    PartyFilter,
    PhaseFilter,
    WithdrawalNoticeFilter,
)
from .models import AmendmentStatus, DateChangeKind, Milestone
from .serializers import (
    AmendmentSerializer,
    ApprovalInputSerializer,
    DueDateAmendmentSerializer,
    EmissionCategorySerializer,
    MilestoneSerializer,
    PartySerializer,
    PhaseSerializer,
    WithdrawalNoticeRecordSerializer,
    WithdrawalNoticeSerializer,
)
from .services import milestone_change_due_date
from .withdrawal import (
    withdrawal_notice_record,
    withdrawal_notice_rescind,
    withdrawal_notices_visible_to,
)

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
        **created_or_ok_responses(
            MilestoneSerializer, created="The due date moved.", ok="Already so: nothing recorded."
        ),
        202: OpenApiResponse(
            AmendmentSerializer,
            description="Recorded, pending the parties' approvals: the due date has not moved.",
        ),
    },
)
class MilestoneDueDateAmend(ResourceView, SingleView):
    """Move a due date by an amendment of the agreement (AQMD administrators).

    An amendment takes effect only when AQMD and both ports have approved it (``approvals``,
    each party's approval date): then the date moves (201); otherwise the amendment is
    recorded as pending (202) and the remaining approvals are recorded at
    ``/api/v1/due-date-amendments/{id}/approvals/``.  A **provisional** due date (a
    placeholder) is corrected or confirmed directly (201, or 200 when nothing changes).
    Keeps the old value, who, when and why; extensions go through the extension workflow.
    """

    resource = MILESTONES
    policy_action = policy.Action.MILESTONE_CHANGE_DUE_DATE
    serializer_class = DueDateAmendmentSerializer

    def post(self, request: Request, pk: int) -> Response:
        milestone: Milestone = self.get_object()
        asked = read_body(DueDateAmendmentSerializer, request)
        data = dict(asked.validated_data)
        approvals = {a["party"]: a["approved_on"] for a in data.pop("approvals")}
        if milestone.is_provisional and not approvals:
            change = milestone_change_due_date(
                milestone=milestone, kind=DateChangeKind.AMENDMENT, actor=request.user, **data
            )
            moved = change is not None
        else:
            amendment = amendment_propose(
                milestone=milestone, actor=request.user, approvals=approvals, **data
            )
            if amendment.status == AmendmentStatus.PENDING:
                row = amendments_visible_to(request.user).get(pk=amendment.pk)
                return Response(AmendmentSerializer(row).data, status=status.HTTP_202_ACCEPTED)
            moved = True
        refreshed = self.get_queryset().get(pk=milestone.pk)
        return Response(
            MilestoneSerializer(refreshed).data,
            status=created_or_ok(moved),
        )


AMENDMENTS = Resource(
    name="amendment",
    path="due-date-amendments",
    tags=["milestones"],
    action=policy.Action.MILESTONE_VIEW,
    serializer=AmendmentSerializer,
    rows=amendments_visible_to,
    filterset=AmendmentFilter,
    about="Due-date amendments with each party's approval; port staff see their port's.",
    actions=[
        RowAction(
            suffix="approvals",
            name="amendment-approve",
            action=policy.Action.MILESTONE_CHANGE_DUE_DATE,
            service=amendment_record_approval,
            row="amendment",
            request=ApprovalInputSerializer,
            about="Record a party's approval (AQMD administrators); the last one moves the due "
            "date.",
        ),
        RowAction(
            suffix="abandonment",
            name="amendment-abandon",
            action=policy.Action.MILESTONE_CHANGE_DUE_DATE,
            service=amendment_abandon,
            row="amendment",
            request=ReasonSerializer,
            about="Close a pending amendment the parties will not all approve, with the reason "
            "(AQMD administrators): the due date stays.  In effect already: 409.",
        ),
    ],
)


class _WithdrawalNoticeRecord(CreateOnList):
    parser_classes = [LimitedJSONParser, MultiPartParser]
    create_action = policy.Action.WITHDRAWAL_RECORD

    @extend_schema(
        request={"multipart/form-data": WithdrawalNoticeRecordSerializer},
        responses={201: WithdrawalNoticeSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        asked = read_body(WithdrawalNoticeRecordSerializer, request)
        agreement = selectors.agreement_overview()
        if agreement is None:
            raise Http404
        notice = withdrawal_notice_record(
            agreement=agreement, actor=request.user, **asked.validated_data
        )
        row = self.get_queryset().get(pk=notice.pk)
        return Response(WithdrawalNoticeSerializer(row).data, status=status.HTTP_201_CREATED)


WITHDRAWAL_NOTICES = Resource(
    name="withdrawal-notice",
    path="withdrawal-notices",
    tags=["withdrawal"],
    action=policy.Action.WITHDRAWAL_VIEW,
    serializer=WithdrawalNoticeSerializer,
    rows=withdrawal_notices_visible_to,
    filterset=WithdrawalNoticeFilter,
    create=_WithdrawalNoticeRecord,
    about="Withdrawal notices (AQMD and the board read them); AQMD administrators record one "
    "with ``POST`` (multipart, the written notice as the PDF ``document``): the agreement "
    "ends ``notice_days`` after ``received_on`` (``effective_on``).",
    actions=[
        RowAction(
            suffix="rescind",
            action=policy.Action.WITHDRAWAL_RECORD,
            service=withdrawal_notice_rescind,
            row="notice",
            request=ReasonSerializer,
            about="Rescind a notice before it takes effect (AQMD administrators); 409 once it has.",
        ),
    ],
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
    *AMENDMENTS.urls(),
    *WITHDRAWAL_NOTICES.urls(),
]
