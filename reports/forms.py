"""Forms of the report and emissions pages: parsing only; the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from agreement.models import Party
from core.forms import text_field

from .inventory_services import FigureInput
from .models import BASELINE_YEAR, LAST_YEAR, FigureBasis, Metric


class GenerateReportForm(forms.Form):
    year = forms.IntegerField(
        label=_("Reporting year"), min_value=BASELINE_YEAR, max_value=LAST_YEAR
    )
    party = forms.ModelChoiceField(
        label=_("Port"),
        queryset=Party.objects.ports(),
        required=False,
        empty_label=_("Both ports (combined report)"),
    )
    executive_summary = text_field(
        _("Executive summary"),
        rows=6,
        required=False,
        max_length=10000,
        help_text=_(
            "Printed after the cover. Required to publish the report; a draft may be rendered "
            "without it."
        ),
    )


METRIC_FIELDS = [
    ("dpm", Metric.DPM, _("DPM (short tons/yr)")),
    ("nox", Metric.NOX, _("NOx (short tons/yr)")),
    ("sox", Metric.SOX, _("SOx (short tons/yr)")),
    ("ghg", Metric.GHG, _("GHG (metric tons CO2e/yr)")),
    ("teu", Metric.TEU, _("Cargo throughput (TEU)")),
]


class InventoryForm(forms.Form):
    """One port's inventory for one year.  Leave a figure empty if it is not known."""

    party = forms.ModelChoiceField(label=_("Port"), queryset=Party.objects.ports())
    year = forms.IntegerField(label=_("Year"), min_value=BASELINE_YEAR, max_value=LAST_YEAR)
    dpm = forms.DecimalField(
        label=METRIC_FIELDS[0][2], required=False, min_value=0, max_digits=14, decimal_places=3
    )
    nox = forms.DecimalField(
        label=METRIC_FIELDS[1][2], required=False, min_value=0, max_digits=14, decimal_places=3
    )
    sox = forms.DecimalField(
        label=METRIC_FIELDS[2][2], required=False, min_value=0, max_digits=14, decimal_places=3
    )
    ghg = forms.DecimalField(
        label=METRIC_FIELDS[3][2], required=False, min_value=0, max_digits=14, decimal_places=3
    )
    teu = forms.DecimalField(
        label=METRIC_FIELDS[4][2], required=False, min_value=0, max_digits=14, decimal_places=0
    )
    basis = forms.ChoiceField(
        label=_("What these figures are"),
        choices=[
            (FigureBasis.PUBLISHED, FigureBasis.PUBLISHED.label),
            (FigureBasis.ILLUSTRATIVE, FigureBasis.ILLUSTRATIVE.label),
        ],
    )
    source = forms.CharField(
        label=_("Source"), max_length=400, help_text=_("Where the figures come from.")
    )
    precision = forms.CharField(
        label=_("Precision"), max_length=200, required=False, help_text=_("E.g. exact, rounded.")
    )

    def __init__(self, *args: Any, fixed_party: Party | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_party is not None:
            party_field = cast(forms.ModelChoiceField, self.fields["party"])
            party_field.queryset = Party.objects.filter(pk=fixed_party.pk)
            self.fields["party"].initial = fixed_party.pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(name) is not None for name, _m, _l in METRIC_FIELDS):
            raise forms.ValidationError(_("Enter at least one figure."))
        return data

    def figure_inputs(self) -> list[FigureInput]:
        data = self.cleaned_data
        return [
            FigureInput(
                metric=metric,
                value=Decimal(data[name]),
                basis=data["basis"],
                source=data["source"],
                precision=data.get("precision") or "",
            )
            for name, metric, _label in METRIC_FIELDS
            if data.get(name) is not None
        ]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept")), ("reject", _("Reject"))]
    )
    note = text_field(
        _("Note to the port"),
        rows=3,
        required=False,
        help_text=_("Required when rejecting: say what to correct."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: port, year, metric, value, unit, precision, source; optional: basis, "
            "change_vs_2005_pct, intensity_change_vs_2005_pct. Nothing is saved if any row is bad."
        ),
    )
