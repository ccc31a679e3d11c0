"""API operations on penalties: one view per operation.

* Reads: the penalty schedule (public), defaults and penalties (public; port staff see their
  own port's), extension requests and flexibility claims (the port's own staff, AQMD and the
  board), the Clean Air Mitigation Fund's totals and ledger (public).  A row the user may not
  see is a 404.
* Downloads: defaults, penalties and the fund ledger as CSV or XLSX, with the list's filters.
* Writes call the services only: :mod:`penalties.services` (payment, waiver, disbursement)
  and :mod:`penalties.flexibility` (filing and deciding requests); their ``ServiceError`` is
  the API's error shape (400, 403, 409, 413).
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
from agreement.selectors import milestones_visible_to
from api.views import DownloadView
from core.exports import CONTENT_TYPES, Column, ExportFormat, export_response
from core.uploads import document_response

from . import flexibility, selectors, services
from .exports import DEFAULT_COLUMNS, FUND_ENTRY_COLUMNS, PENALTY_COLUMNS
from .filters import (
    DefaultFilter,
    ExtensionRequestFilter,
    FlexibilityClaimFilter,
    FundEntryFilter,
    PenaltyFilter,
    PenaltyScheduleFilter,
)
from .serializers import (
    DefaultSerializer,
    DisbursementSerializer,
    ExtensionDecisionSerializer,
    ExtensionRequestFileSerializer,
    ExtensionRequestSerializer,
    FlexibilityClaimFileSerializer,
    FlexibilityClaimSerializer,
    FlexibilityDecisionSerializer,
    FundEntrySerializer,
    FundTotalsSerializer,
    PaymentSerializer,
    PenaltyScheduleSerializer,
    PenaltySerializer,
    WaiverSerializer,
)

TAGS = ["penalties"]
FUND_TAGS = ["mitigation fund"]
REQUEST_TAGS = ["extensions and flexibility"]


class _Single(generics.GenericAPIView):
    """One object or one answer (writes, the fund totals): no filters, no pages."""

    filter_backends: list[Any] = []
    pagination_class = None


# --- Downloads -----------------------------------------------------------------------------


class _RequestDocument(DownloadView, _Single):
    """A PDF attached to a request the caller may see (else 404, as for the request)."""

    def get(self, request: Request, pk: int, document_pk: int) -> Any:
        holder = self.get_object()
        document = holder.documents.filter(pk=document_pk).first()
        if document is None:
            raise Http404
        return document_response(document)


PDF_DOWNLOAD = {(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)}


@extend_schema(tags=REQUEST_TAGS, responses=PDF_DOWNLOAD)
class ExtensionRequestDocument(_RequestDocument):
    policy_action = policy.Action.EXTENSION_VIEW

    def get_queryset(self) -> Any:
        return selectors.extension_requests_for_api(self.request.user)


@extend_schema(tags=REQUEST_TAGS, responses=PDF_DOWNLOAD)
class FlexibilityClaimDocument(_RequestDocument):
    policy_action = policy.Action.FLEXIBILITY_VIEW

    def get_queryset(self) -> Any:
        return selectors.flexibility_claims_for_api(self.request.user)


class _Export(DownloadView, generics.GenericAPIView):
    """The list's rows, with the list's filters and ordering, as a file."""

    export_format: ExportFormat
    columns: list[Column]
    filename: str

    def get(self, request: Request) -> Any:
        rows = self.filter_queryset(self.get_queryset())
        return export_response(rows, self.columns, fmt=self.export_format, filename=self.filename)


def _download(fmt: ExportFormat, what: str, tags: list[str]) -> Any:
    """The schema of a download: a file of ``fmt``, described for ``what``."""
    return extend_schema(
        tags=tags,
        description=f"The filtered {what} as {fmt.upper()}, with the list's filters and ordering.",
        responses={(200, CONTENT_TYPES[fmt].split(";")[0]): OpenApiResponse(OpenApiTypes.BINARY)},
    )


# --- Penalty schedules ---------------------------------------------------------------------


@extend_schema(tags=TAGS)
class PenaltyScheduleList(generics.ListAPIView):
    """Penalty schedules: what a port's n-th default costs ($50,000..$200,000)."""

    policy_action = policy.Action.AGREEMENT_VIEW
    serializer_class = PenaltyScheduleSerializer
    filterset_class = PenaltyScheduleFilter

    def get_queryset(self) -> Any:
        return selectors.schedules_visible_to(self.request.user)


@extend_schema(tags=TAGS)
class PenaltyScheduleDetail(generics.RetrieveAPIView):
    policy_action = policy.Action.AGREEMENT_VIEW
    serializer_class = PenaltyScheduleSerializer

    def get_queryset(self) -> Any:
        return selectors.schedules_visible_to(self.request.user)


# --- Defaults ------------------------------------------------------------------------------


class _Defaults(generics.GenericAPIView):
    policy_action = policy.Action.DEFAULT_VIEW
    filterset_class = DefaultFilter

    def get_queryset(self) -> Any:
        return selectors.defaults_for_api(self.request.user)


@extend_schema(tags=TAGS)
class DefaultList(_Defaults, generics.ListAPIView):
    """Defaults (missed milestones that are defaults), newest first, with their penalties.

    Public; port staff see their own port's.  ``cured`` defaults were met late (they stay
    defaults).
    """

    serializer_class = DefaultSerializer


@extend_schema(tags=TAGS)
class DefaultDetail(_Defaults, generics.RetrieveAPIView):
    serializer_class = DefaultSerializer


class _DefaultExport(_Defaults, _Export):
    columns = DEFAULT_COLUMNS
    filename = "defaults"


@_download(ExportFormat.CSV, "defaults", TAGS)
class DefaultExportCsv(_DefaultExport):
    export_format = ExportFormat.CSV


@_download(ExportFormat.XLSX, "defaults", TAGS)
class DefaultExportXlsx(_DefaultExport):
    export_format = ExportFormat.XLSX


# --- Penalties -----------------------------------------------------------------------------


class _Penalties(generics.GenericAPIView):
    policy_action = policy.Action.DEFAULT_VIEW
    filterset_class = PenaltyFilter

    def get_queryset(self) -> Any:
        return selectors.penalties_visible_to(self.request.user)


@extend_schema(tags=TAGS)
class PenaltyList(_Penalties, generics.ListAPIView):
    """Penalties, newest first: amount, schedule tier, and where each stands (assessed,
    notice sent, paid, waived or withdrawn).  Public; port staff see their own port's."""

    serializer_class = PenaltySerializer


@extend_schema(tags=TAGS)
class PenaltyDetail(_Penalties, generics.RetrieveAPIView):
    serializer_class = PenaltySerializer


class _PenaltyExport(_Penalties, _Export):
    columns = PENALTY_COLUMNS
    filename = "penalties"


@_download(ExportFormat.CSV, "penalties", TAGS)
class PenaltyExportCsv(_PenaltyExport):
    export_format = ExportFormat.CSV


@_download(ExportFormat.XLSX, "penalties", TAGS)
class PenaltyExportXlsx(_PenaltyExport):
    export_format = ExportFormat.XLSX


@extend_schema(
    tags=TAGS,
    request=PaymentSerializer,
    responses={200: OpenApiResponse(PenaltySerializer, description="Paid (or already so).")},
)
class PenaltyPaymentRecord(_Penalties, _Single):
    """Record the port's payment (AQMD administrators); the fund receives it.

    Only after the notice of default went out: otherwise 409.
    """

    policy_action = policy.Action.PENALTY_RECORD_PAYMENT
    serializer_class = PaymentSerializer

    def post(self, request: Request, pk: int) -> Response:
        penalty = self.get_object()
        payment = PaymentSerializer(data=request.data)
        payment.is_valid(raise_exception=True)
        services.penalty_record_payment(
            penalty=penalty,
            paid_at=payment.validated_data["paid_at"],
            reference=payment.validated_data["reference"],
            actor=request.user,
        )
        return Response(PenaltySerializer(self.get_queryset().get(pk=penalty.pk)).data)


@extend_schema(
    tags=TAGS,
    request=WaiverSerializer,
    responses={200: OpenApiResponse(PenaltySerializer, description="Waived (or already so).")},
)
class PenaltyWaive(_Penalties, _Single):
    """Waive a penalty, with the reason (AQMD administrators).  A paid penalty: 409."""

    policy_action = policy.Action.PENALTY_WAIVE
    serializer_class = WaiverSerializer

    def post(self, request: Request, pk: int) -> Response:
        penalty = self.get_object()
        waiver = WaiverSerializer(data=request.data)
        waiver.is_valid(raise_exception=True)
        services.penalty_waive(
            penalty=penalty, reason=waiver.validated_data["reason"], actor=request.user
        )
        return Response(PenaltySerializer(self.get_queryset().get(pk=penalty.pk)).data)


# --- Extension requests --------------------------------------------------------------------


class _Extensions(generics.GenericAPIView):
    policy_action = policy.Action.EXTENSION_VIEW
    filterset_class = ExtensionRequestFilter

    def get_queryset(self) -> Any:
        return selectors.extension_requests_for_api(self.request.user)


@extend_schema(tags=REQUEST_TAGS)
class ExtensionRequestList(_Extensions, generics.ListAPIView):
    """Extension requests, newest first: the port's own staff, AQMD and the board."""

    serializer_class = ExtensionRequestSerializer


@extend_schema(tags=REQUEST_TAGS)
class ExtensionRequestDetail(_Extensions, generics.RetrieveAPIView):
    serializer_class = ExtensionRequestSerializer


@extend_schema(
    tags=REQUEST_TAGS,
    request={"multipart/form-data": ExtensionRequestFileSerializer},
    responses={201: ExtensionRequestSerializer},
)
class ExtensionRequestFile(_Single):
    """Ask to move the due date of one of your port's milestones (port staff), before it
    passes, with the reason and PDF documents.  A file that is not a readable PDF: 400;
    larger than the limit: 413; a request already pending: 409."""

    policy_action = policy.Action.EXTENSION_REQUEST
    serializer_class = ExtensionRequestFileSerializer
    parser_classes = [MultiPartParser]

    def get_queryset(self) -> Any:
        return milestones_visible_to(self.request.user)

    def post(self, request: Request, pk: int) -> Response:
        milestone = self.get_object()
        asked = ExtensionRequestFileSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        made = flexibility.extension_request_file(
            milestone=milestone,
            actor=request.user,
            uploads=asked.validated_data["documents"],
            requested_due_date=asked.validated_data["requested_due_date"],
            reason=asked.validated_data["reason"],
        )
        row = selectors.extension_requests_for_api(request.user).get(pk=made.pk)
        return Response(ExtensionRequestSerializer(row).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=REQUEST_TAGS,
    request=ExtensionDecisionSerializer,
    responses={200: ExtensionRequestSerializer},
)
class ExtensionRequestDecide(_Extensions, _Single):
    """Grant (the due date moves, recorded) or refuse (a note is required); AQMD reviewers
    and administrators.  A request already decided the other way: 409."""

    policy_action = policy.Action.EXTENSION_DECIDE
    serializer_class = ExtensionDecisionSerializer

    def post(self, request: Request, pk: int) -> Response:
        asked = self.get_object()
        decision = ExtensionDecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        flexibility.extension_request_decide(
            request=asked,
            grant=decision.validated_data["decision"] == "grant",
            note=decision.validated_data["note"],
            actor=request.user,
        )
        return Response(ExtensionRequestSerializer(self.get_queryset().get(pk=asked.pk)).data)


# --- Flexibility claims --------------------------------------------------------------------


class _Claims(generics.GenericAPIView):
    policy_action = policy.Action.FLEXIBILITY_VIEW
    filterset_class = FlexibilityClaimFilter

    def get_queryset(self) -> Any:
        return selectors.flexibility_claims_for_api(self.request.user)


@extend_schema(tags=REQUEST_TAGS)
class FlexibilityClaimList(_Claims, generics.ListAPIView):
    """Flexibility claims, newest first: the port's own staff, AQMD and the board."""

    serializer_class = FlexibilityClaimSerializer


@extend_schema(tags=REQUEST_TAGS)
class FlexibilityClaimDetail(_Claims, generics.RetrieveAPIView):
    serializer_class = FlexibilityClaimSerializer


@extend_schema(
    tags=REQUEST_TAGS,
    request={"multipart/form-data": FlexibilityClaimFileSerializer},
    responses={201: FlexibilityClaimSerializer},
)
class FlexibilityClaimFile(_Single):
    """Claim that a missed project milestone of your port was outside its control (port
    staff), with PDF evidence.  Not a PDF: 400; too large: 413; a claim pending: 409."""

    policy_action = policy.Action.FLEXIBILITY_REQUEST
    serializer_class = FlexibilityClaimFileSerializer
    parser_classes = [MultiPartParser]

    def get_queryset(self) -> Any:
        return milestones_visible_to(self.request.user)

    def post(self, request: Request, pk: int) -> Response:
        milestone = self.get_object()
        claimed = FlexibilityClaimFileSerializer(data=request.data)
        claimed.is_valid(raise_exception=True)
        made = flexibility.flexibility_claim_file(
            milestone=milestone,
            reason=claimed.validated_data["reason"],
            uploads=claimed.validated_data["documents"],
            actor=request.user,
        )
        row = selectors.flexibility_claims_for_api(request.user).get(pk=made.pk)
        return Response(FlexibilityClaimSerializer(row).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=REQUEST_TAGS,
    request=FlexibilityDecisionSerializer,
    responses={200: FlexibilityClaimSerializer},
)
class FlexibilityClaimDecide(_Claims, _Single):
    """Accept (milestone excused; its default and penalty withdrawn) or reject (a note is
    required); AQMD reviewers and administrators.  Decided the other way already: 409."""

    policy_action = policy.Action.FLEXIBILITY_DECIDE
    serializer_class = FlexibilityDecisionSerializer

    def post(self, request: Request, pk: int) -> Response:
        claim = self.get_object()
        decision = FlexibilityDecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        flexibility.flexibility_claim_decide(
            claim=claim,
            accept=decision.validated_data["decision"] == "accept",
            note=decision.validated_data["note"],
            actor=request.user,
        )
        return Response(FlexibilityClaimSerializer(self.get_queryset().get(pk=claim.pk)).data)


# --- Clean Air Mitigation Fund -------------------------------------------------------------


@extend_schema(tags=FUND_TAGS, responses=FundTotalsSerializer)
class FundTotals(_Single):
    """The fund's balance, and receipts and disbursements by year and by port (public)."""

    policy_action = policy.Action.FUND_VIEW
    serializer_class = FundTotalsSerializer

    def get(self, request: Request) -> Response:
        totals = FundTotalsSerializer.shape(selectors.fund_totals())
        return Response(FundTotalsSerializer(totals).data)


class _FundEntries(generics.GenericAPIView):
    policy_action = policy.Action.FUND_VIEW
    filterset_class = FundEntryFilter

    def get_queryset(self) -> Any:
        return selectors.fund_entries_visible_to(self.request.user)


@extend_schema(tags=FUND_TAGS)
class FundEntryList(_FundEntries, generics.ListAPIView):
    """The fund's ledger, oldest first: receipts (penalties paid) and disbursements
    (near-port community projects), each with the balance it left (public)."""

    serializer_class = FundEntrySerializer


@extend_schema(tags=FUND_TAGS)
class FundEntryDetail(_FundEntries, generics.RetrieveAPIView):
    serializer_class = FundEntrySerializer


class _FundExport(_FundEntries, _Export):
    columns = FUND_ENTRY_COLUMNS
    filename = "mitigation-fund-ledger"


@_download(ExportFormat.CSV, "fund ledger", FUND_TAGS)
class FundEntryExportCsv(_FundExport):
    export_format = ExportFormat.CSV


@_download(ExportFormat.XLSX, "fund ledger", FUND_TAGS)
class FundEntryExportXlsx(_FundExport):
    export_format = ExportFormat.XLSX


@extend_schema(tags=FUND_TAGS, request=DisbursementSerializer, responses={201: FundEntrySerializer})
class FundDisburse(_Single):
    """Pay a near-port community project out of the fund (AQMD administrators).

    More than the balance: 400 (``fields.amount``); the fund never goes below zero.
    """

    policy_action = policy.Action.FUND_DISBURSE
    serializer_class = DisbursementSerializer

    def get_queryset(self) -> Any:
        return selectors.fund_entries_visible_to(self.request.user)

    def post(self, request: Request) -> Response:
        asked = DisbursementSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        entry = services.fund_disburse(actor=request.user, **asked.validated_data)
        row = self.get_queryset().get(pk=entry.pk)
        return Response(FundEntrySerializer(row).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("penalty-schedules/", PenaltyScheduleList.as_view(), name="penalty-schedule-list"),
    path(
        "penalty-schedules/<int:pk>/",
        PenaltyScheduleDetail.as_view(),
        name="penalty-schedule-detail",
    ),
    path("defaults/", DefaultList.as_view(), name="default-list"),
    path("defaults/export.csv", DefaultExportCsv.as_view(), name="default-export-csv"),
    path("defaults/export.xlsx", DefaultExportXlsx.as_view(), name="default-export-xlsx"),
    path("defaults/<int:pk>/", DefaultDetail.as_view(), name="default-detail"),
    path("penalties/", PenaltyList.as_view(), name="penalty-list"),
    path("penalties/export.csv", PenaltyExportCsv.as_view(), name="penalty-export-csv"),
    path("penalties/export.xlsx", PenaltyExportXlsx.as_view(), name="penalty-export-xlsx"),
    path("penalties/<int:pk>/", PenaltyDetail.as_view(), name="penalty-detail"),
    path("penalties/<int:pk>/payment/", PenaltyPaymentRecord.as_view(), name="penalty-payment"),
    path("penalties/<int:pk>/waiver/", PenaltyWaive.as_view(), name="penalty-waiver"),
    path("extension-requests/", ExtensionRequestList.as_view(), name="extension-request-list"),
    path(
        "extension-requests/<int:pk>/",
        ExtensionRequestDetail.as_view(),
        name="extension-request-detail",
    ),
    path(
        "extension-requests/<int:pk>/documents/<int:document_pk>/download/",
        ExtensionRequestDocument.as_view(),
        name="extension-request-document",
    ),
    path(
        "extension-requests/<int:pk>/decision/",
        ExtensionRequestDecide.as_view(),
        name="extension-request-decision",
    ),
    path(
        "milestones/<int:pk>/extension-requests/",
        ExtensionRequestFile.as_view(),
        name="extension-request-file",
    ),
    path("flexibility-claims/", FlexibilityClaimList.as_view(), name="flexibility-claim-list"),
    path(
        "flexibility-claims/<int:pk>/",
        FlexibilityClaimDetail.as_view(),
        name="flexibility-claim-detail",
    ),
    path(
        "flexibility-claims/<int:pk>/documents/<int:document_pk>/download/",
        FlexibilityClaimDocument.as_view(),
        name="flexibility-claim-document",
    ),
    path(
        "flexibility-claims/<int:pk>/decision/",
        FlexibilityClaimDecide.as_view(),
        name="flexibility-claim-decision",
    ),
    path(
        "milestones/<int:pk>/flexibility-claims/",
        FlexibilityClaimFile.as_view(),
        name="flexibility-claim-file",
    ),
    path("fund/", FundTotals.as_view(), name="fund-totals"),
    path("fund/entries/", FundEntryList.as_view(), name="fund-entry-list"),
    path("fund/entries/export.csv", FundEntryExportCsv.as_view(), name="fund-entry-export-csv"),
    path("fund/entries/export.xlsx", FundEntryExportXlsx.as_view(), name="fund-entry-export-xlsx"),
    path("fund/entries/<int:pk>/", FundEntryDetail.as_view(), name="fund-entry-detail"),
    path("fund/disbursements/", FundDisburse.as_view(), name="fund-disbursement"),
]
