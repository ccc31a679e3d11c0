"""API operations on penalties: one view per operation.

* Reads: the penalty schedule (public), defaults (confirmed ones public; flagged and
  dismissed ones AQMD and the port concerned) and penalties (public; port staff see their
  own port's), the ports' requests on milestones (extension requests, flexibility claims,
  completion reports: the port's own staff, AQMD and the board), the Clean Air Mitigation
  Fund's totals and ledger (public).  A row the user may not see is a 404.
* Downloads: defaults, penalties and the fund ledger as CSV or XLSX, with the list's filters.
* Writes call the services only: :mod:`penalties.services` (payment, waiver, disbursement),
  :mod:`penalties.determinations` (AQMD's determination of a flagged default) and
  :mod:`penalties.milestone_requests` (filing and deciding requests, one flow for every
  kind); their ``ServiceError`` is the API's error shape (400, 403, 409, 413).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import policy
from api.parsers import LimitedJSONParser
from core.errors import ServiceError
from core.resources import (
    PDF_DOWNLOAD,
    DownloadView,
    Resource,
    ResourceView,
    RowAction,
    SingleView,
    read_body,
)
from core.uploads import document_response

from . import determinations, milestone_requests, selectors, services
from .exports import DEFAULT_COLUMNS, FUND_ENTRY_COLUMNS, PENALTY_COLUMNS
from .filters import (
    REQUEST_FILTERS,
    DefaultFilter,
    FundEntryFilter,
    PenaltyFilter,
    PenaltyScheduleFilter,
)
from .serializers import (
    CompletionDecisionSerializer,
    CompletionReportFileSerializer,
    CompletionReportSerializer,
    DefaultSerializer,
    DeterminationSerializer,
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
    TargetActualFileSerializer,
    TargetActualSerializer,
    WaiverSerializer,
)

TAGS = ["penalties"]
FUND_TAGS = ["mitigation fund"]
REQUEST_TAGS = ["requests on milestones"]


PENALTY_SCHEDULES = Resource(
    name="penalty-schedule",
    path="penalty-schedules",
    tags=TAGS,
    action=policy.Action.AGREEMENT_VIEW,
    serializer=PenaltyScheduleSerializer,
    rows=selectors.schedules_visible_to,
    filterset=PenaltyScheduleFilter,
    about="Penalty schedules: what a port's n-th default costs ($50,000..$200,000).",
)
DEFAULTS = Resource(
    name="default",
    path="defaults",
    tags=TAGS,
    action=policy.Action.DEFAULT_VIEW,
    serializer=DefaultSerializer,
    rows=lambda user: selectors.defaults_visible_to(user).select_related(
        "proposed_schedule", "determined_by"
    ),
    filterset=DefaultFilter,
    export=DEFAULT_COLUMNS,
    actions=[
        RowAction(
            suffix="determination",
            action=policy.Action.DEFAULT_DETERMINE,
            service=determinations.default_determine,
            row="default",
            request=DeterminationSerializer,
            about="AQMD's determination of a flagged default (AQMD reviewers and "
            "administrators).\n\n``confirmed``: the penalty is assessed from the schedule in "
            "force at the miss by the port's count of confirmed defaults, the notice of default "
            "is sent, it becomes public. ``dismissed`` (a reason is required): no penalty, never "
            "public.  A default already determined, a miss of a provisional date not yet "
            "confirmed, or of a date since moved: 409.",
        ),
    ],
    about="""Missed deadlines that may be defaults, newest first, with their penalties.

    The deadline sweep *flags* each miss (status ``flagged``, with ``proposed_amount``); AQMD
    determines it: ``confirmed`` (the penalty is assessed; public) or ``dismissed`` (no
    penalty).  ``withdrawn``: a flexibility claim was accepted.  The public and the board see
    confirmed defaults; AQMD every one; port staff their own port's.  ``cured`` defaults
    were met late (they stay defaults).""",
)
PENALTIES = Resource(
    name="penalty",
    path="penalties",
    tags=TAGS,
    action=policy.Action.DEFAULT_VIEW,
    serializer=PenaltySerializer,
    rows=selectors.penalties_visible_to,
    filterset=PenaltyFilter,
    export=PENALTY_COLUMNS,
    actions=[
        RowAction(
            suffix="payment",
            action=policy.Action.PENALTY_RECORD_PAYMENT,
            service=services.penalty_record_payment,
            row="penalty",
            request=PaymentSerializer,
            about="Record the port's payment (AQMD administrators); the fund receives it.\n\n"
            "Only after the notice of default went out: otherwise 409.",
            answered="Paid (or already so).",
        ),
        RowAction(
            suffix="waiver",
            action=policy.Action.PENALTY_WAIVE,
            service=services.penalty_waive,
            row="penalty",
            request=WaiverSerializer,
            about="Waive a penalty, with the reason (AQMD administrators).  A paid penalty: 409.",
            answered="Waived (or already so).",
        ),
    ],
    about="Penalties, newest first: amount, schedule tier, and where each stands (assessed, "
    "notice sent, paid, waived or withdrawn).  Public; port staff see their own port's.",
)
FUND_ENTRIES = Resource(
    name="fund-entry",
    path="fund/entries",
    tags=FUND_TAGS,
    action=policy.Action.FUND_VIEW,
    serializer=FundEntrySerializer,
    rows=selectors.fund_entries_visible_to,
    filterset=FundEntryFilter,
    export=FUND_ENTRY_COLUMNS,
    filename="mitigation-fund-ledger",
    about="The fund's ledger, oldest first: receipts (penalties paid) and disbursements "
    "(near-port community projects), each with the balance it left (public).",
)


# --- Requests on a milestone: extension requests, flexibility claims, completion reports ----


@dataclass(frozen=True)
class RequestApi:
    """How one kind of request reads and is written in the API (the same flow for all)."""

    kind: str
    path: str  # the collection, e.g. "extension-requests"
    name: str  # the URL names' stem, e.g. "extension-request"
    serializer: type[serializers.Serializer]
    file_serializer: type[serializers.Serializer]
    decision_serializer: type[serializers.Serializer]
    about: str  # what the kind is, for the schema
    subject_path: str = "milestones"  # the collection of what it is filed on


REQUEST_APIS = [
    RequestApi(
        kind="extension",
        path="extension-requests",
        name="extension-request",
        serializer=ExtensionRequestSerializer,
        file_serializer=ExtensionRequestFileSerializer,
        decision_serializer=ExtensionDecisionSerializer,
        about="Ask to move the due date of one of your port's milestones, before it passes. "
        "Grant (the due date moves, recorded) or refuse (a note is required).",
    ),
    RequestApi(
        kind="flexibility",
        path="flexibility-claims",
        name="flexibility-claim",
        serializer=FlexibilityClaimSerializer,
        file_serializer=FlexibilityClaimFileSerializer,
        decision_serializer=FlexibilityDecisionSerializer,
        about="Claim a missed deadline (flagged or confirmed, plan deadlines included) was "
        "outside the port's control. Accept (the default and its penalty are withdrawn; the "
        "milestone excused, or given new_due_date) or reject (a note is required).",
    ),
    RequestApi(
        kind="completion",
        path="completion-reports",
        name="completion-report",
        serializer=CompletionReportSerializer,
        file_serializer=CompletionReportFileSerializer,
        decision_serializer=CompletionDecisionSerializer,
        about="Report a project milestone (or the port's annual report, with the report PDF) "
        "complete: completed_on (not in the future) and a note. Accepted: the milestone is met, "
        "on time if the report was filed by its deadline. Rejected (a reason is required): it "
        "stays open and the port may report again.",
    ),
    RequestApi(
        kind="target_actual",
        path="target-actuals",
        name="target-actual",
        serializer=TargetActualSerializer,
        file_serializer=TargetActualFileSerializer,
        decision_serializer=CompletionDecisionSerializer,
        about="Report the actual value reached in a year (not a future one) for a planning "
        "target of your port's current approved plan: year, actual_value (in the target's "
        "unit) and a note. Accepted, it counts in /api/v1/target-progress/ (a later accepted "
        "report for the same year replaces it); rejected (a reason is required), it does not.",
        subject_path="plan-targets",
    ),
]


class _RequestDocumentDownload(DownloadView, ResourceView, SingleView):
    """A PDF attached to a request the caller may see (else 404, as for the request)."""

    def get(self, request: Request, pk: int, document_pk: int) -> Any:
        holder = self.get_object()
        document = holder.documents.filter(pk=document_pk).first()
        if document is None:
            raise Http404
        return document_response(document)


@contextmanager
def _fields_named_as_in(asked: Any) -> Iterator[None]:
    """A service's field errors under the names the API's request uses (``api_names`` of the
    request serializer maps the service's name to the API's, e.g. ``note`` → ``reason``)."""
    try:
        yield
    except ServiceError as error:
        names = getattr(asked, "api_names", {})
        error.fields = {names.get(name, name): message for name, message in error.fields.items()}
        raise


class _RequestFile(SingleView):
    """File a request on one of your port's milestones (or, for a target actual, planning
    targets) as port staff: JSON, or multipart with PDF ``documents``.  Not a PDF: 400;
    larger than the limit: 413; one already pending, or the state does not allow it: 409."""

    kind: str = ""
    resource: Resource
    parser_classes = [LimitedJSONParser, MultiPartParser]

    def get_queryset(self) -> Any:
        return milestone_requests.KINDS[self.kind].subject.visible(self.request.user)

    def post(self, request: Request, pk: int) -> Response:
        subject = self.get_object()
        asked: Any = self.get_serializer(data=request.data)
        asked.is_valid(raise_exception=True)
        with _fields_named_as_in(asked):
            made = milestone_requests.request_file(
                kind=self.kind, subject=subject, actor=request.user, **asked.service_fields()
            )
        row = self.resource.rows(request.user).get(pk=made.pk)
        return Response(self.row_serializer(row).data, status=status.HTTP_201_CREATED)

    row_serializer: Any = None


class _RequestDecide(ResourceView, SingleView):
    """AQMD reviewers and administrators decide a pending request.  The same decision again:
    200, nothing changes; decided the other way already: 409."""

    row_serializer: Any = None

    def post(self, request: Request, pk: int) -> Response:
        item = self.get_object()
        decision: Any = self.get_serializer(data=request.data)
        decision.is_valid(raise_exception=True)
        with _fields_named_as_in(decision):
            milestone_requests.request_decide(
                request=item, actor=request.user, **decision.service_fields()
            )
        return Response(self.row_serializer(self.get_queryset().get(pk=item.pk)).data)


def _request_views(api: RequestApi) -> list[Any]:
    """The six operations of one kind of request, as views and their URL patterns."""
    spec = milestone_requests.KINDS[api.kind]
    noun = str(spec.model._meta.verbose_name_plural)
    resource = Resource(
        name=api.name,
        path=api.path,
        tags=REQUEST_TAGS,
        action=spec.view_action,
        serializer=api.serializer,
        rows=lambda user: selectors.requests_visible_to(user, api.kind),
        filterset=REQUEST_FILTERS[api.kind],
        about=f"{noun.capitalize()}, newest first: the port's own staff, AQMD and the board. "
        f"{api.about}",
    )

    def view(base: type, suffix: str, schema: dict[str, Any], **attrs: Any) -> Any:
        klass = type(f"{spec.model.__name__}{suffix}", (base,), {"resource": resource, **attrs})
        return extend_schema(tags=REQUEST_TAGS, **schema)(klass)

    document = view(
        _RequestDocumentDownload,
        "Document",
        {"responses": PDF_DOWNLOAD},
        policy_action=spec.view_action,
    )
    filing = view(
        _RequestFile,
        "File",
        {
            "request": {
                "application/json": api.file_serializer,
                "multipart/form-data": api.file_serializer,
            },
            "responses": {201: api.serializer},
            "description": api.about,
        },
        kind=api.kind,
        policy_action=spec.file_action,
        serializer_class=api.file_serializer,
        row_serializer=api.serializer,
    )
    decide = view(
        _RequestDecide,
        "Decide",
        {"request": api.decision_serializer, "responses": {200: api.serializer}},
        policy_action=spec.decide_action,
        serializer_class=api.decision_serializer,
        row_serializer=api.serializer,
    )
    return [
        *resource.urls(),
        path(
            f"{api.path}/<int:pk>/documents/<int:document_pk>/download/",
            document.as_view(),
            name=f"{api.name}-document",
        ),
        path(f"{api.path}/<int:pk>/decision/", decide.as_view(), name=f"{api.name}-decision"),
        path(f"{api.subject_path}/<int:pk>/{api.path}/", filing.as_view(), name=f"{api.name}-file"),
    ]


# --- Clean Air Mitigation Fund -------------------------------------------------------------


@extend_schema(tags=FUND_TAGS, responses=FundTotalsSerializer)
class FundTotals(SingleView):
    """The fund's balance, and receipts and disbursements by year and by port (public)."""

    policy_action = policy.Action.FUND_VIEW
    serializer_class = FundTotalsSerializer

    def get(self, request: Request) -> Response:
        totals = FundTotalsSerializer.shape(selectors.fund_totals())
        return Response(FundTotalsSerializer(totals).data)


@extend_schema(tags=FUND_TAGS, request=DisbursementSerializer, responses={201: FundEntrySerializer})
class FundDisburse(ResourceView, SingleView):
    """Pay a near-port community project out of the fund (AQMD administrators).

    More than the balance: 400 (``fields.amount``); the fund never goes below zero.
    """

    resource = FUND_ENTRIES
    policy_action = policy.Action.FUND_DISBURSE
    serializer_class = DisbursementSerializer

    def post(self, request: Request) -> Response:
        asked = read_body(DisbursementSerializer, request)
        entry = services.fund_disburse(actor=request.user, **asked.validated_data)
        row = self.get_queryset().get(pk=entry.pk)
        return Response(FundEntrySerializer(row).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    *PENALTY_SCHEDULES.urls(),
    *DEFAULTS.urls(),
    *PENALTIES.urls(),
    path("fund/", FundTotals.as_view(), name="fund-totals"),
    *FUND_ENTRIES.urls(),
    path("fund/disbursements/", FundDisburse.as_view(), name="fund-disbursement"),
]
for _api in REQUEST_APIS:
    urlpatterns += _request_views(_api)
