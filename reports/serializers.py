"""How report runs and emissions inventories read in the API, and what its writes accept.

Response serializers only render; request serializers only parse.  The services decide.
Derived figures come from :mod:`reports.derived` (through
:func:`reports.selectors.inventory_points`), never computed here.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreement.serializers import port_input
from core.serializers import port_code

from . import selectors
from .inventory_services import FigureInput
from .models import (
    BASELINE_YEAR,
    FIRST_YEAR,
    LAST_YEAR,
    EmissionsInventory,
    FigureBasis,
    InventoryFigure,
    Metric,
    ReportRun,
)

# --- Report runs --------------------------------------------------------------------------


class ReportRunSerializer(serializers.ModelSerializer):
    port = port_code(
        allow_null=True,
        help_text=_("The port's code; null for the combined report of both ports."),
    )
    download_url = serializers.SerializerMethodField(
        help_text=_("Where the PDF downloads; null until the run is ready.")
    )
    report_number = serializers.CharField(
        read_only=True, help_text=_("As on the cover: CA-<year>-<port or ALL>-<version>.")
    )

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "year",
            "port",
            "version",
            "status",
            "error",
            "attempts",
            "requested_at",
            "started_at",
            "finished_at",
            "data_cutoff",
            "sha256",
            "size_bytes",
            "page_count",
            "is_published",
            "published_at",
            "download_url",
            "report_number",
            "executive_summary",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download_url(self, run: ReportRun) -> str | None:
        if not run.is_downloadable:
            return None
        return reverse("api:report-run-download", args=[run.pk])


class ReportRunRequestSerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=BASELINE_YEAR, max_value=LAST_YEAR, help_text=_("The reporting year.")
    )
    port = port_input(
        required=False,
        allow_null=True,
        help_text=_("A port's code (POLA, POLB); leave out for the combined report."),
    )
    executive_summary = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=10000,
        help_text=_("Written by AQMD staff, printed after the cover; required to publish."),
    )


# --- Emissions inventories ----------------------------------------------------------------


class InventoryFigureSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(read_only=True)

    class Meta:
        model = InventoryFigure
        fields = [
            "metric",
            "value",
            "unit",
            "basis",
            "change_vs_2005_pct",
            "intensity_change_vs_2005_pct",
            "precision",
            "source",
        ]


def _derived(places: int, **options: Any) -> serializers.DecimalField:
    """A derived number, with ``places`` decimals (0: a whole percent); null when missing."""
    return serializers.DecimalField(
        max_digits=None, decimal_places=places, allow_null=True, **options
    )


class DerivedFigureSerializer(serializers.Serializer):
    """One metric of the inventory's year as :mod:`reports.derived` computes it."""

    metric = serializers.ChoiceField(choices=Metric.choices)
    value = _derived(
        3, help_text=_("The figure, or the absolute figure a published percentage implies.")
    )
    value_basis = serializers.ChoiceField(choices=FigureBasis.choices, allow_null=True)
    change_vs_2005_pct = _derived(
        0,
        source="change_pct",
        help_text=_("Whole percent (the sources' precision); negative = reduction."),
    )
    change_source = serializers.CharField(
        allow_null=True, help_text=_("published or computed; null when missing.")
    )
    intensity_per_10k_teu = _derived(
        3, source="intensity", help_text=_("Short tons per 10,000 TEU (pollutants only).")
    )
    intensity_change_vs_2005_pct = _derived(0)
    intensity_source = serializers.CharField(allow_null=True)


class EmissionsInventorySerializer(serializers.ModelSerializer):
    """Needs ``baselines`` (:func:`selectors.accepted_baseline_figures`) in its context."""

    port = port_code()
    figures = InventoryFigureSerializer(many=True, read_only=True)
    derived = serializers.SerializerMethodField(
        help_text=_("Each recorded metric vs the port's accepted 2005 inventory.")
    )

    class Meta:
        model = EmissionsInventory
        fields = [
            "id",
            "port",
            "year",
            "status",
            "submitted_at",
            "reviewed_at",
            "review_note",
            "figures",
            "derived",
        ]

    @extend_schema_field(DerivedFigureSerializer(many=True))
    def get_derived(self, inventory: EmissionsInventory) -> Any:
        points = selectors.inventory_points(inventory, self.context["baselines"])
        return DerivedFigureSerializer(points, many=True).data


class FigureInputSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=Metric.choices)
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=3,
        allow_null=True,
        required=False,
        help_text=_("Empty only for a published percentage change (basis published_reduction)."),
    )
    basis = serializers.ChoiceField(choices=FigureBasis.choices, default=FigureBasis.PUBLISHED)
    # DRF's metaclass takes declared fields out of the class, so ``Field.source`` stays.
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=400, help_text=_("Where the figure comes from.")
    )
    precision = serializers.CharField(max_length=200, required=False, allow_blank=True)
    change_vs_2005_pct = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, required=False
    )
    intensity_change_vs_2005_pct = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, required=False
    )


class FiguresSerializer(serializers.Serializer):
    figures = FigureInputSerializer(many=True, help_text=_("One entry per metric."))

    def figure_inputs(self) -> list[FigureInput]:
        return [
            FigureInput(
                metric=f["metric"],
                value=f.get("value"),
                basis=f["basis"],
                source=f["source"],
                precision=f.get("precision", ""),
                change_vs_2005_pct=f.get("change_vs_2005_pct"),
                intensity_change_vs_2005_pct=f.get("intensity_change_vs_2005_pct"),
            )
            for f in self.validated_data["figures"]
        ]


class InventoryEntrySerializer(FiguresSerializer):
    port = port_input()
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)


class InventoryReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))])
    note = serializers.CharField(
        allow_blank=True,
        default="",
        help_text=_("Required when rejecting: say what to correct."),
    )


class InventoryImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_(
            "CSV, UTF-8. Columns: port, year, metric, value, unit, precision, source; optional: "
            "basis, change_vs_2005_pct, intensity_change_vs_2005_pct."
        )
    )


class InventoryImportResultSerializer(serializers.Serializer):
    inventories = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("The ids of the inventories written.")
    )
    figures = serializers.IntegerField(help_text=_("How many figures were written."))
