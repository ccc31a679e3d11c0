"""API operations on the agreement's data: one view per operation.

Reads are scoped by the policy (a milestone of another port is a 404 for port staff);
the one write, a due-date amendment, calls :func:`agreement.services.milestone_change_due_date`.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import policy
from api.parsers import LimitedJSONParser
from api.views import DownloadView
from core.exports import ExportFormat, export_response

from . import selectors
from .amendments import amendment_propose, amendment_record_approval, amendments_visible_to
from .exports import MILESTONE_COLUMNS
from .filters import (
    AmendmentFilter,
    EmissionCategoryFilter,
    MilestoneFilter,
    PartyFilter,
    PhaseFilter,
    WithdrawalNoticeFilter,
)
from .models import AmendmentStatus, DateChangeKind, Milestone, WithdrawalNotice
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
    WithdrawalRescindSerializer,
)
from .services import milestone_change_due_date
from .withdrawal import (
    withdrawal_notice_record,
    withdrawal_notice_rescind,
    withdrawal_notices_visible_to,
)

TAGS = ["agreement"]


@extend_schema(tags=TAGS)
class PartyList(generics.ListAPIView):
    """The parties to the agreement: AQMD and the two ports."""

    policy_action = policy.Action.AGREEMENT_VIEW
    serializer_class = PartySerializer
    filterset_class = PartyFilter

    def get_queryset(self) -> Any:
        return selectors.parties_visible_to(self.request.user)


@extend_schema(tags=TAGS)
class PartyDetail(generics.RetrieveAPIView):
    policy_action = policy.Action.AGREEMENT_VIEW
    serializer_class = PartySerializer
    lookup_field = "code"

    def get_queryset(self) -> Any:
        return selectors.parties_visible_to(self.request.user)


@extend_schema(tags=TAGS)
class PhaseList(generics.ListAPIView):
    """The three phases of zero-emission infrastructure plans with their categories."""

    policy_action = policy.Action.AGREEMENT_VIEW
    serializer_class = PhaseSerializer
    filterset_class = PhaseFilter

    def get_queryset(self) -> Any:
        return selectors.phases_visible_to(self.request.user)


@extend_schema(tags=TAGS)
class PhaseDetail(generics.RetrieveAPIView):
    policy_action = policy.Action.AGREEMENT_VIEW
    serializer_class = PhaseSerializer
    lookup_field = "number"

    def get_queryset(self) -> Any:
        return selectors.phases_visible_to(self.request.user)


@extend_schema(tags=TAGS)
class EmissionCategoryList(generics.ListAPIView):
    """Emission source categories, each in the phase that names it."""

    policy_action = policy.Action.AGREEMENT_VIEW
    serializer_class = EmissionCategorySerializer
    filterset_class = EmissionCategoryFilter

    def get_queryset(self) -> Any:
        return selectors.categories_visible_to(self.request.user)


@extend_schema(tags=TAGS)
class EmissionCategoryDetail(generics.RetrieveAPIView):
    policy_action = policy.Action.AGREEMENT_VIEW
    serializer_class = EmissionCategorySerializer
    lookup_field = "code"

    def get_queryset(self) -> Any:
        return selectors.categories_visible_to(self.request.user)


@extend_schema(tags=["milestones"])
class MilestoneList(generics.ListAPIView):
    """Milestones with their due-date history.  Port staff see their own port's."""

    policy_action = policy.Action.MILESTONE_VIEW
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilter

    def get_queryset(self) -> Any:
        return selectors.milestones_with_history(self.request.user)


@extend_schema(tags=["milestones"])
class MilestoneDetail(generics.RetrieveAPIView):
    policy_action = policy.Action.MILESTONE_VIEW
    serializer_class = MilestoneSerializer

    def get_queryset(self) -> Any:
        return selectors.milestones_with_history(self.request.user)


class _MilestoneExport(DownloadView, generics.GenericAPIView):
    policy_action = policy.Action.MILESTONE_VIEW
    filterset_class = MilestoneFilter
    export_format: ExportFormat

    def get_queryset(self) -> Any:
        return selectors.milestones_with_history(self.request.user)

    def get(self, request: Request) -> Any:
        rows = self.filter_queryset(self.get_queryset())
        return export_response(
            rows, MILESTONE_COLUMNS, fmt=self.export_format, filename="milestones"
        )


@extend_schema(
    tags=["milestones"],
    responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY)},
)
class MilestoneExportCsv(_MilestoneExport):
    """The filtered milestones as CSV (same filters and ordering as the list)."""

    export_format = ExportFormat.CSV


@extend_schema(
    tags=["milestones"],
    responses={
        (
            200,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ): OpenApiResponse(OpenApiTypes.BINARY)
    },
)
class MilestoneExportXlsx(_MilestoneExport):
    """The filtered milestones as an Excel workbook."""

    export_format = ExportFormat.XLSX


@extend_schema(
    tags=["milestones"],
    request=DueDateAmendmentSerializer,
    responses={
        201: OpenApiResponse(MilestoneSerializer, description="The due date moved."),
        200: OpenApiResponse(MilestoneSerializer, description="Already so: nothing recorded."),
        202: OpenApiResponse(
            AmendmentSerializer,
            description="Recorded, pending the parties' approvals: the due date has not moved.",
        ),
    },
)
class MilestoneDueDateAmend(generics.GenericAPIView):
    """Move a due date by an amendment of the agreement (AQMD administrators).

    An amendment takes effect only when AQMD and both ports have approved it (``approvals``,
    each party's approval date): then the date moves (201); otherwise the amendment is
    recorded as pending (202) and the remaining approvals are recorded at
    ``/api/v1/due-date-amendments/{id}/approvals/``.  A **provisional** due date (a
    placeholder) is corrected or confirmed directly (201, or 200 when nothing changes).
    Keeps the old value, who, when and why; extensions go through the extension workflow.
    """

    policy_action = policy.Action.MILESTONE_CHANGE_DUE_DATE
    serializer_class = DueDateAmendmentSerializer
    filter_backends: list[Any] = []
    pagination_class = None

    def get_queryset(self) -> Any:
        return selectors.milestones_with_history(self.request.user)

    def post(self, request: Request, pk: int) -> Response:
        milestone: Milestone = self.get_object()
        asked = DueDateAmendmentSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
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
            status=status.HTTP_201_CREATED if moved else status.HTTP_200_OK,
        )


@extend_schema(tags=["milestones"])
class AmendmentList(generics.ListAPIView):
    """Due-date amendments with each party's approval; port staff see their port's."""

    policy_action = policy.Action.MILESTONE_VIEW
    serializer_class = AmendmentSerializer
    filterset_class = AmendmentFilter

    def get_queryset(self) -> Any:
        return amendments_visible_to(self.request.user)


@extend_schema(tags=["milestones"])
class AmendmentDetail(generics.RetrieveAPIView):
    policy_action = policy.Action.MILESTONE_VIEW
    serializer_class = AmendmentSerializer

    def get_queryset(self) -> Any:
        return amendments_visible_to(self.request.user)


@extend_schema(
    tags=["milestones"], request=ApprovalInputSerializer, responses={200: AmendmentSerializer}
)
class AmendmentApprove(generics.GenericAPIView):
    """Record a party's approval (AQMD administrators); the last one moves the due date."""

    policy_action = policy.Action.MILESTONE_CHANGE_DUE_DATE
    serializer_class = ApprovalInputSerializer
    filter_backends: list[Any] = []
    pagination_class = None

    def get_queryset(self) -> Any:
        return amendments_visible_to(self.request.user)

    def post(self, request: Request, pk: int) -> Response:
        amendment = self.get_object()
        asked = ApprovalInputSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        amendment_record_approval(
            amendment=amendment,
            party=asked.validated_data["party"],
            approved_on=asked.validated_data["approved_on"],
            actor=request.user,
        )
        return Response(AmendmentSerializer(self.get_queryset().get(pk=amendment.pk)).data)


@extend_schema(tags=["withdrawal"])
class WithdrawalNoticeList(generics.ListCreateAPIView):
    """Withdrawal notices (AQMD and the board read them); AQMD administrators record one
    with ``POST`` (multipart, the written notice as the PDF ``document``): the agreement
    ends ``notice_days`` after ``received_on`` (``effective_on``)."""

    serializer_class = WithdrawalNoticeSerializer
    parser_classes = [LimitedJSONParser, MultiPartParser]
    filterset_class = WithdrawalNoticeFilter

    @property
    def policy_action(self) -> policy.Action:
        # Reading and recording are two operations on the one collection.
        if self.request.method == "POST":
            return policy.Action.WITHDRAWAL_RECORD
        return policy.Action.WITHDRAWAL_VIEW

    def get_queryset(self) -> Any:
        return withdrawal_notices_visible_to(self.request.user)

    @extend_schema(
        request={"multipart/form-data": WithdrawalNoticeRecordSerializer},
        responses={201: WithdrawalNoticeSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        asked = WithdrawalNoticeRecordSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        data = asked.validated_data
        agreement = selectors.agreement_overview()
        if agreement is None:
            raise Http404
        notice = withdrawal_notice_record(
            agreement=agreement,
            party=data["party"],
            received_on=data["received_on"],
            document=data["document"],
            note=data["note"],
            actor=request.user,
        )
        row = self.get_queryset().get(pk=notice.pk)
        return Response(WithdrawalNoticeSerializer(row).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["withdrawal"])
class WithdrawalNoticeDetail(generics.RetrieveAPIView):
    policy_action = policy.Action.WITHDRAWAL_VIEW
    serializer_class = WithdrawalNoticeSerializer

    def get_queryset(self) -> Any:
        return withdrawal_notices_visible_to(self.request.user)


@extend_schema(
    tags=["withdrawal"],
    request=WithdrawalRescindSerializer,
    responses={200: WithdrawalNoticeSerializer},
)
class WithdrawalNoticeRescind(generics.GenericAPIView):
    """Rescind a notice before it takes effect (AQMD administrators); 409 once it has."""

    policy_action = policy.Action.WITHDRAWAL_RECORD
    serializer_class = WithdrawalRescindSerializer
    filter_backends: list[Any] = []
    pagination_class = None

    def get_queryset(self) -> Any:
        return withdrawal_notices_visible_to(self.request.user)

    def post(self, request: Request, pk: int) -> Response:
        notice: WithdrawalNotice = self.get_object()
        asked = WithdrawalRescindSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        withdrawal_notice_rescind(
            notice=notice, reason=asked.validated_data["reason"], actor=request.user
        )
        row = self.get_queryset().get(pk=notice.pk)
        return Response(WithdrawalNoticeSerializer(row).data)


urlpatterns = [
    path("parties/", PartyList.as_view(), name="party-list"),
    path("parties/<slug:code>/", PartyDetail.as_view(), name="party-detail"),
    path("phases/", PhaseList.as_view(), name="phase-list"),
    path("phases/<int:number>/", PhaseDetail.as_view(), name="phase-detail"),
    path("categories/", EmissionCategoryList.as_view(), name="category-list"),
    path("categories/<slug:code>/", EmissionCategoryDetail.as_view(), name="category-detail"),
    path("milestones/", MilestoneList.as_view(), name="milestone-list"),
    path("milestones/export.csv", MilestoneExportCsv.as_view(), name="milestone-export-csv"),
    path("milestones/export.xlsx", MilestoneExportXlsx.as_view(), name="milestone-export-xlsx"),
    path("milestones/<int:pk>/", MilestoneDetail.as_view(), name="milestone-detail"),
    path(
        "milestones/<int:pk>/due-date-amendments/",
        MilestoneDueDateAmend.as_view(),
        name="milestone-due-date-amend",
    ),
    path("due-date-amendments/", AmendmentList.as_view(), name="amendment-list"),
    path("due-date-amendments/<int:pk>/", AmendmentDetail.as_view(), name="amendment-detail"),
    path(
        "due-date-amendments/<int:pk>/approvals/",
        AmendmentApprove.as_view(),
        name="amendment-approve",
    ),
    path("withdrawal-notices/", WithdrawalNoticeList.as_view(), name="withdrawal-notice-list"),
    path(
        "withdrawal-notices/<int:pk>/",
        WithdrawalNoticeDetail.as_view(),
        name="withdrawal-notice-detail",
    ),
    path(
        "withdrawal-notices/<int:pk>/rescind/",
        WithdrawalNoticeRescind.as_view(),
        name="withdrawal-notice-rescind",
    ),
]
