"""API operations on report runs and emissions inventories: one view per operation.

Reads are scoped by the selectors (a run or inventory the user may not see is a 404); every
write calls a service of :mod:`reports.services` or :mod:`reports.inventory_services`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import policy
from core.exports import Column
from core.filters import StableOrderingFilter, port_filter, status_filter
from core.resources import (
    PDF_DOWNLOAD,
    DownloadView,
    Resource,
    ResourceView,
    RowAction,
    SingleView,
    created_or_ok,
    created_or_ok_responses,
    read_body,
)

from . import inventory_services, selectors, services
from .downloads import report_run_file_response
from .models import (
    EmissionsInventory,
    InventoryStatus,
    ReportRun,
    ReportStatus,
)
from .serializers import (
    EmissionsInventorySerializer,
    FiguresSerializer,
    InventoryEntrySerializer,
    InventoryImportResultSerializer,
    InventoryImportSerializer,
    InventoryReviewSerializer,
    ReportRunRequestSerializer,
    ReportRunSerializer,
)

RUN_TAGS = ["reports"]
EMISSIONS_TAGS = ["emissions"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Report runs --------------------------------------------------------------------------


class ReportRunFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Reporting year"))
    port = port_filter()
    combined = django_filters.BooleanFilter(
        field_name="party", lookup_expr="isnull", label=_("Combined report of both ports")
    )
    status = status_filter(ReportStatus.choices)
    published = django_filters.BooleanFilter(field_name="is_published", label=_("Published"))
    ordering = StableOrderingFilter(
        fields=[
            "year",
            ("party__code", "port"),
            "version",
            "status",
            "requested_at",
            "published_at",
        ],
    )


class _ReadableRun(generics.GenericAPIView):
    """Reading a run: REPORT_VIEW or, once published, REPORT_VIEW_PUBLISHED (the policy's
    per-object check, which the view's one ``policy_action`` cannot say alone)."""

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        if not selectors.report_run_readable(request.user, obj):
            raise Http404


# Runs the user may see: every run for the board and AQMD, their own port's and the
# published ones for port staff, the published ones for the public.  The list asks the
# broadest read rule (the public may read published runs); the selector narrows.
RUNS = Resource(
    name="report-run",
    path="report-runs",
    tags=RUN_TAGS,
    action=policy.Action.REPORT_VIEW_PUBLISHED,
    serializer=ReportRunSerializer,
    rows=selectors.report_runs_visible_to,
    filterset=ReportRunFilter,
    mixins=(_ReadableRun,),
    about="Annual progress report runs (every version) with their status.",
    actions=[
        RowAction(
            suffix="retry",
            action=policy.Action.REPORT_GENERATE,
            service=services.report_run_retry,
            row="run",
            about="Queue a failed run again (AQMD); a queued or rendering run is left as it is.",
        ),
        RowAction(
            suffix="publish",
            action=policy.Action.REPORT_PUBLISH,
            service=services.report_run_publish,
            row="run",
            about="Publish a ready run (AQMD administrators): its PDF becomes public.  Idempotent.",
        ),
    ],
)


@extend_schema(tags=RUN_TAGS, responses=PDF_DOWNLOAD)
class ReportRunDownload(_ReadableRun, DownloadView, ResourceView, SingleView):
    """The run's PDF (ready runs only); its SHA-256 is in the ``X-Content-SHA256`` header."""

    resource = RUNS
    policy_action = policy.Action.REPORT_VIEW_PUBLISHED

    def get(self, request: Request, pk: int) -> Any:
        run: ReportRun = self.get_object()
        if not selectors.report_run_downloadable(request.user, run):
            raise Http404
        return report_run_file_response(run)


@extend_schema(
    tags=RUN_TAGS,
    request=ReportRunRequestSerializer,
    responses={201: OpenApiResponse(ReportRunSerializer, description="Queued.")},
)
class ReportRunGenerate(ResourceView, SingleView):
    """Queue a new version of the report for a year (one port, or both): AQMD.

    The run renders in the background; poll it until its status is ready or failed.
    """

    resource = RUNS
    policy_action = policy.Action.REPORT_GENERATE
    serializer_class = ReportRunRequestSerializer

    def post(self, request: Request) -> Response:
        parsed = read_body(ReportRunRequestSerializer, request)
        run = services.report_run_request(
            year=parsed.validated_data["year"],
            party=parsed.validated_data.get("port"),
            actor=request.user,
            executive_summary=parsed.validated_data.get("executive_summary", ""),
        )
        run = self.get_queryset().get(pk=run.pk)
        return Response(ReportRunSerializer(run).data, status=status.HTTP_201_CREATED)


# --- Emissions inventories ----------------------------------------------------------------


class EmissionsInventoryFilter(django_filters.FilterSet):
    port = port_filter()
    year = django_filters.RangeFilter(label=_("Years between (inclusive)"))
    status = status_filter(InventoryStatus.choices)
    ordering = StableOrderingFilter(
        fields=["year", ("party__code", "port"), "status", "submitted_at"],
    )


class _WithBaselines(generics.GenericAPIView):
    """Serializers get the ports' accepted 2005 figures to derive from."""

    def get_serializer_context(self) -> Mapping[str, Any]:
        return {
            **super().get_serializer_context(),
            "baselines": selectors.accepted_baseline_figures(),
        }


# --- Emissions figures as downloads ---------------------------------------------------------

FIGURE_COLUMNS = [
    Column(_("Port"), lambda row: row[0].party.code),
    Column(_("Year"), lambda row: row[0].year),
    Column(_("Review status"), lambda row: row[0].get_status_display()),
    Column(_("Metric"), lambda row: row[1].metric),
    Column(_("Value"), lambda row: row[1].value),
    Column(_("Unit"), lambda row: row[1].unit),
    Column(_("Basis"), lambda row: row[1].basis),
    Column(_("Published change vs 2005 (%)"), lambda row: row[1].change_vs_2005_pct),
    Column(
        _("Published change per 10,000 TEU vs 2005 (%)"),
        lambda row: row[1].intensity_change_vs_2005_pct,
    ),
    Column(_("Precision"), lambda row: row[1].precision),
    Column(_("Source"), lambda row: row[1].source),
]


def _figure_rows(inventories: Any) -> Any:
    return ((inventory, figure) for inventory in inventories for figure in inventory.figures.all())


# Inventories the user may see: AQMD every one, port staff their own port's and the
# accepted ones, everyone else the accepted ones.  The downloads are their figures.
INVENTORIES = Resource(
    name="inventory",
    path="emissions-inventories",
    tags=EMISSIONS_TAGS,
    action=policy.Action.EMISSIONS_VIEW,
    serializer=EmissionsInventorySerializer,
    rows=selectors.inventories_visible_to,
    filterset=EmissionsInventoryFilter,
    mixins=(_WithBaselines,),
    export=FIGURE_COLUMNS,
    export_rows=_figure_rows,
    filename="emissions-figures",
    about="Emissions inventories with their figures and the figures derived from them.",
)


class _InventoryWrite(_WithBaselines, ResourceView, SingleView):
    resource = INVENTORIES

    def respond(self, inventory: EmissionsInventory, code: int = status.HTTP_200_OK) -> Response:
        refreshed = self.get_queryset().get(pk=inventory.pk)
        context = self.get_serializer_context()
        return Response(EmissionsInventorySerializer(refreshed, context=context).data, status=code)


@extend_schema(
    tags=EMISSIONS_TAGS,
    request=InventoryEntrySerializer,
    responses=created_or_ok_responses(
        EmissionsInventorySerializer,
        created="Entered.",
        ok="That port and year existed: corrected.",
    ),
)
class EmissionsInventoryEnter(_InventoryWrite):
    """Enter one port's figures for a year (port staff for their port, administrators).

    Port staff's figures go to AQMD for review; an administrator's are accepted at once.
    Entered (published or illustrative) figures left out are removed; percentage-only and
    derived records are kept.
    """

    policy_action = policy.Action.EMISSIONS_EDIT
    serializer_class = InventoryEntrySerializer

    def post(self, request: Request) -> Response:
        parsed = read_body(InventoryEntrySerializer, request)
        party, year = parsed.validated_data["port"], parsed.validated_data["year"]
        inventory, created = inventory_services.inventory_save(
            party=party, year=year, figures=parsed.figure_inputs(), actor=request.user
        )
        return self.respond(inventory, created_or_ok(created))


@extend_schema(
    tags=EMISSIONS_TAGS, request=FiguresSerializer, responses={200: EmissionsInventorySerializer}
)
class EmissionsInventoryFigures(_InventoryWrite):
    """Correct an inventory's figures (as entering them again for its port and year)."""

    policy_action = policy.Action.EMISSIONS_EDIT
    serializer_class = FiguresSerializer

    def put(self, request: Request, pk: int) -> Response:
        inventory: EmissionsInventory = self.get_object()
        parsed = read_body(FiguresSerializer, request)
        saved, _created = inventory_services.inventory_save(
            party=inventory.party,
            year=inventory.year,
            figures=parsed.figure_inputs(),
            actor=request.user,
        )
        return self.respond(saved)


@extend_schema(
    tags=EMISSIONS_TAGS,
    request=InventoryReviewSerializer,
    responses={200: EmissionsInventorySerializer},
)
class EmissionsInventoryReview(_InventoryWrite):
    """Accept or reject a submitted inventory (AQMD); rejecting needs a note."""

    policy_action = policy.Action.EMISSIONS_REVIEW
    serializer_class = InventoryReviewSerializer

    def post(self, request: Request, pk: int) -> Response:
        inventory: EmissionsInventory = self.get_object()
        parsed = read_body(InventoryReviewSerializer, request)
        reviewed = inventory_services.inventory_review(
            inventory=inventory,
            accept=parsed.validated_data["decision"] == "accept",
            note=parsed.validated_data["note"],
            actor=request.user,
        )
        return self.respond(reviewed)


@extend_schema(
    tags=EMISSIONS_TAGS,
    request={"multipart/form-data": InventoryImportSerializer},
    responses={200: InventoryImportResultSerializer},
)
class EmissionsInventoryImport(_InventoryWrite):
    """Import figures from a CSV file (multipart upload, field ``file``).

    Every row is checked first; if any is bad nothing is saved and the 400 answer names
    each error as ``rows.<line>.<column>`` in ``fields``.
    """

    policy_action = policy.Action.EMISSIONS_EDIT
    serializer_class = InventoryImportSerializer
    parser_classes = [MultiPartParser]

    def post(self, request: Request) -> Response:
        parsed = read_body(InventoryImportSerializer, request)
        result = inventory_services.inventory_import_upload(
            upload=parsed.validated_data["file"], actor=request.user
        )
        body = {"inventories": [i.pk for i in result.inventories], "figures": result.figures}
        return Response(InventoryImportResultSerializer(body).data)


urlpatterns = [
    *RUNS.urls(),
    path("report-runs/generate/", ReportRunGenerate.as_view(), name="report-run-generate"),
    path("report-runs/<int:pk>/download/", ReportRunDownload.as_view(), name="report-run-download"),
    *INVENTORIES.urls(),
    path(
        "emissions-inventories/entries/",
        EmissionsInventoryEnter.as_view(),
        name="inventory-enter",
    ),
    path(
        "emissions-inventories/import/",
        EmissionsInventoryImport.as_view(),
        name="inventory-import",
    ),
    path(
        "emissions-inventories/<int:pk>/figures/",
        EmissionsInventoryFigures.as_view(),
        name="inventory-figures",
    ),
    path(
        "emissions-inventories/<int:pk>/review/",
        EmissionsInventoryReview.as_view(),
        name="inventory-review",
    ),
]
