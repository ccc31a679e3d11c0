"""Emissions inventories of the ports and the annual progress report runs.

An :class:`EmissionsInventory` is one port's inventory for one calendar year; it holds one
:class:`InventoryFigure` per metric (DPM, NOx, SOx, GHG, TEU).  Each figure says where it
comes from: a published absolute figure, a published percentage reduction vs 2005 only, an
absolute figure derived from such a percentage, or an illustrative demo figure.  Figures that
port staff enter are reviewed by AQMD; reports use accepted inventories only.

A :class:`ReportRun` is one rendering of a report.  Runs are never overwritten:
regenerating makes a new version.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import port_fk, status_field, user_fk
from core.workflow import workflow

# The CAAP baseline year.
BASELINE_YEAR = 2005
FIRST_YEAR = 1990
LAST_YEAR = 2100


class Metric(models.TextChoices):
    DPM = "DPM", _("Diesel particulate matter (DPM)")
    NOX = "NOx", _("Nitrogen oxides (NOx)")
    SOX = "SOx", _("Sulfur oxides (SOx)")
    GHG = "GHG", _("Greenhouse gases (CO2e)")
    TEU = "TEU", _("Cargo throughput (TEU)")


# The unit each metric is stored in.
METRIC_UNITS: dict[str, str] = {
    Metric.DPM: "short tons/yr",
    Metric.NOX: "short tons/yr",
    Metric.SOX: "short tons/yr",
    Metric.GHG: "metric tons CO2e/yr",
    Metric.TEU: "TEU",
}
POLLUTANTS = (Metric.DPM, Metric.NOX, Metric.SOX)


class FigureBasis(models.TextChoices):
    PUBLISHED = "published", _("Published absolute figure")
    # "%" is a literal percent sign in the next two labels, not a format directive.
    # xgettext:no-python-format
    PUBLISHED_REDUCTION = "published_reduction", _("Published % change vs 2005 only")
    # xgettext:no-python-format
    DERIVED = "derived", _("Derived from published % reduction")
    ILLUSTRATIVE = "illustrative", _("Illustrative (demo figure, not real data)")


class InventoryStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted for AQMD review")
    ACCEPTED = "accepted", _("Accepted by AQMD")
    REJECTED = "rejected", _("Rejected by AQMD")


class EmissionsInventoryQuerySet(models.QuerySet["EmissionsInventory"]):
    def accepted(self) -> EmissionsInventoryQuerySet:
        return self.filter(status=InventoryStatus.ACCEPTED)


class EmissionsInventory(models.Model):
    """One port's emissions inventory and cargo throughput for one calendar year."""

    party = port_fk("emissions_inventories")
    year = models.PositiveSmallIntegerField(_("year"))
    status = status_field(
        InventoryStatus, default=InventoryStatus.SUBMITTED, verbose_name=_("review status")
    )
    submitted_by = user_fk(
        _("submitted by"),
        optional=True,
        help_text=_("Empty for figures loaded by the system (public seed, import command)."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    reviewed_by = user_fk(_("reviewed by"), optional=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    objects = EmissionsInventoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("emissions inventory")
        verbose_name_plural = _("emissions inventories")
        ordering = ["party__code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["party", "year"], name="one_inventory_per_port_year"),
            models.CheckConstraint(
                name="inventory_year_in_range",
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR),
            ),
            models.CheckConstraint(
                name="reviewed_inventory_has_review_time",
                condition=Q(status="submitted") | Q(reviewed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="rejected_inventory_has_note",
                condition=~Q(status="rejected") | ~Q(review_note=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party.code} {self.year}"

    @property
    def is_baseline(self) -> bool:
        return self.year == BASELINE_YEAR


# AQMD's review of an inventory.  Entering new figures (``inventory_save``) starts a new
# round: submitted for review, or accepted at once when AQMD enters them.
INVENTORY_WORKFLOW = workflow(
    EmissionsInventory,
    states=InventoryStatus,
    action="emissions_inventory",
    moves={
        InventoryStatus.SUBMITTED: {InventoryStatus.ACCEPTED, InventoryStatus.REJECTED},
        InventoryStatus.ACCEPTED: {InventoryStatus.SUBMITTED},
        InventoryStatus.REJECTED: {InventoryStatus.SUBMITTED},
    },
    hint=lambda current, target: (
        _("Only submitted inventories are reviewed; corrected figures come back for review.")
        if target in (InventoryStatus.ACCEPTED, InventoryStatus.REJECTED)
        else ""
    ),
    label=lambda inventory: _("This inventory"),
)


class InventoryFigure(models.Model):
    """One metric of one inventory, with where the number comes from.

    ``value`` is empty when only a percentage change vs 2005 is public
    (basis ``published_reduction``).  ``change_vs_2005_pct`` and
    ``intensity_change_vs_2005_pct`` hold *published* percentages (negative = reduction);
    computed percentages live in :mod:`reports.derived`, not here.
    """

    inventory = models.ForeignKey(
        EmissionsInventory, on_delete=models.PROTECT, related_name="figures"
    )
    metric = models.CharField(_("metric"), max_length=10, choices=Metric.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=3, null=True, blank=True)
    basis = models.CharField(_("basis"), max_length=30, choices=FigureBasis.choices)
    change_vs_2005_pct = models.DecimalField(
        _("published change vs 2005 (%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    intensity_change_vs_2005_pct = models.DecimalField(
        _("published change per 10,000 TEU vs 2005 (%)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
    )
    precision = models.CharField(_("precision"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=400)

    class Meta:
        verbose_name = _("inventory figure")
        verbose_name_plural = _("inventory figures")
        ordering = ["inventory", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["inventory", "metric"], name="one_figure_per_inventory_metric"
            ),
            models.CheckConstraint(
                name="figure_value_not_negative", condition=Q(value__isnull=True) | Q(value__gte=0)
            ),
            models.CheckConstraint(
                name="figure_change_pct_in_range",
                condition=Q(change_vs_2005_pct__isnull=True)
                | (Q(change_vs_2005_pct__gte=-100) & Q(change_vs_2005_pct__lte=1000)),
            ),
            models.CheckConstraint(
                name="figure_intensity_change_pct_in_range",
                condition=Q(intensity_change_vs_2005_pct__isnull=True)
                | (
                    Q(intensity_change_vs_2005_pct__gte=-100)
                    & Q(intensity_change_vs_2005_pct__lte=1000)
                ),
            ),
            # A percentage-only record has no absolute value; every other basis has one.
            models.CheckConstraint(
                name="figure_value_matches_basis",
                condition=(
                    Q(basis="published_reduction")
                    & Q(value__isnull=True)
                    & Q(change_vs_2005_pct__isnull=False)
                )
                | (~Q(basis="published_reduction") & Q(value__isnull=False)),
            ),
            # A derived figure keeps the published percentage it was derived from.
            models.CheckConstraint(
                name="derived_figure_keeps_its_percentage",
                condition=~Q(basis="derived") | Q(change_vs_2005_pct__isnull=False),
            ),
            models.CheckConstraint(name="figure_has_source", condition=~Q(source="")),
        ]

    def __str__(self) -> str:
        return f"{self.inventory} {self.metric}"

    @property
    def unit(self) -> str:
        return METRIC_UNITS[self.metric]


# --- Emissions by source category, and the CAAP 2017 targets ------------------------------


class SourceCategory(models.TextChoices):
    """The five source categories the ports' inventories break their totals into."""

    OGV = "ogv", _("Ocean-going vessels")
    HARBOR_CRAFT = "harbor_craft", _("Harbor craft")
    CHE = "che", _("Cargo handling equipment")
    RAIL = "rail", _("Rail (locomotives)")
    TRUCKS = "trucks", _("Heavy-duty trucks")


class CategoryMetric(models.TextChoices):
    DPM = "DPM", _("Diesel particulate matter (DPM)")
    NOX = "NOx", _("Nitrogen oxides (NOx)")
    SOX = "SOx", _("Sulfur oxides (SOx)")
    GHG = "GHG", _("Greenhouse gases (CO2e)")
    ZE_SHARE = "ZE_SHARE", _("Zero-emission share of the category's equipment (%)")


class CategoryFigure(models.Model):
    """One metric of one source category in a port's inventory year, alongside the port's
    total (the inventory's own :class:`InventoryFigure`).  Entered by AQMD administrators
    from the ports' published inventories, with basis and source like the totals; shown
    once the inventory is accepted.  No category figure is public in ``shared/data``: a
    category without one is shown as not recorded, never estimated."""

    inventory = models.ForeignKey(
        EmissionsInventory, on_delete=models.PROTECT, related_name="category_figures"
    )
    category = models.CharField(_("source category"), max_length=20, choices=SourceCategory.choices)
    metric = models.CharField(_("metric"), max_length=10, choices=CategoryMetric.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=3, null=True, blank=True)
    basis = models.CharField(_("basis"), max_length=30, choices=FigureBasis.choices)
    change_vs_2005_pct = models.DecimalField(
        _("published change vs 2005 (%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    precision = models.CharField(_("precision"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=400)

    class Meta:
        verbose_name = _("source category figure")
        verbose_name_plural = _("source category figures")
        ordering = ["inventory", "category", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["inventory", "category", "metric"], name="one_figure_per_category_metric"
            ),
            models.CheckConstraint(
                name="category_figure_value_not_negative",
                condition=Q(value__isnull=True) | Q(value__gte=0),
            ),
            models.CheckConstraint(
                name="category_figure_share_is_a_percentage",
                condition=~Q(metric="ZE_SHARE") | Q(value__lte=100),
            ),
            models.CheckConstraint(
                name="category_figure_value_or_percentage",
                condition=Q(value__isnull=False) | Q(change_vs_2005_pct__isnull=False),
            ),
            models.CheckConstraint(name="category_figure_has_source", condition=~Q(source="")),
        ]

    def __str__(self) -> str:
        return f"{self.inventory} {self.get_category_display()} {self.metric}"


class CaapMeasure(models.TextChoices):
    ZERO_EMISSION_SHARE = "zero_emission_share", _("Zero-emission share of a source category")
    CHANGE_VS_BASELINE = "change_vs_baseline", _("Change of port-wide emissions vs a baseline")


class CaapTarget(models.Model):
    """A Clean Air Action Plan target the reports measure progress against (data, seeded by
    ``load_agreement`` from the public record, editable by AQMD administrators)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    measure = models.CharField(_("measure"), max_length=30, choices=CaapMeasure.choices)
    category = models.CharField(
        _("source category"),
        max_length=20,
        choices=SourceCategory.choices,
        blank=True,
        help_text=_("For a zero-emission share: the category it is measured in."),
    )
    metric = models.CharField(
        _("metric"),
        max_length=10,
        choices=Metric.choices,
        blank=True,
        help_text=_("For a change vs a baseline: the metric, e.g. GHG."),
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"))
    target_value = models.DecimalField(
        _("target (%)"),
        max_digits=6,
        decimal_places=2,
        help_text=_("100 for all zero-emission; -40 for 40 % below the baseline."),
    )
    adopted = models.CharField(_("adopted in"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("CAAP target")
        verbose_name_plural = _("CAAP targets")
        ordering = ["order", "target_year", "code"]
        constraints = [
            models.CheckConstraint(
                name="caap_share_target_names_a_category",
                condition=~Q(measure="zero_emission_share")
                | (~Q(category="") & Q(target_value__gte=0) & Q(target_value__lte=100)),
            ),
            models.CheckConstraint(
                name="caap_change_target_names_metric_and_baseline",
                condition=~Q(measure="change_vs_baseline")
                | (~Q(metric="") & Q(baseline_year__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class ReportRunQuerySet(models.QuerySet["ReportRun"]):
    def published(self) -> ReportRunQuerySet:
        return self.filter(is_published=True, status=ReportStatus.READY)


def report_upload_to(instance: ReportRun, filename: str) -> str:
    return f"reports/{instance.year}/{filename}"


class ReportRun(models.Model):
    """One rendering of the annual progress report for a year (one port, or both ports).

    Never overwritten: a new rendering is a new run with the next version number.  Only
    ``ready`` runs have a file, and only they are served.
    """

    year = models.PositiveSmallIntegerField(_("reporting year"))
    party = port_fk(
        "report_runs", optional=True, help_text=_("Empty for the combined report of both ports.")
    )
    version = models.PositiveIntegerField(_("version"))
    status = status_field(ReportStatus, default=ReportStatus.QUEUED)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    requested_by = user_fk(
        _("requested by"),
        optional=True,
        help_text=_("Empty when the system requested it (command line)."),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("rendering started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    data_cutoff = models.DateTimeField(
        _("data cut-off"),
        null=True,
        blank=True,
        help_text=_("The report shows the data recorded up to this moment."),
    )
    executive_summary = models.TextField(
        _("executive summary"),
        blank=True,
        help_text=_(
            "Written by AQMD staff before rendering; printed after the cover. A run without "
            "one cannot be published."
        ),
    )
    pdf = models.FileField(_("PDF"), upload_to=report_upload_to, max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = user_fk(_("published by"), optional=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-year", "party__code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "party", "version"],
                condition=Q(party__isnull=False),
                name="one_report_version_per_port_year",
            ),
            models.UniqueConstraint(
                fields=["year", "version"],
                condition=Q(party__isnull=True),
                name="one_combined_report_version_per_year",
            ),
            models.CheckConstraint(name="report_version_positive", condition=Q(version__gte=1)),
            models.CheckConstraint(
                name="report_year_in_range",
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR),
            ),
            models.CheckConstraint(
                name="ready_report_has_file_and_hash",
                condition=~Q(status="ready")
                | (~Q(pdf="") & Q(sha256__regex=r"^[0-9a-f]{64}$") & Q(data_cutoff__isnull=False)),
            ),
            models.CheckConstraint(
                name="failed_report_has_error", condition=~Q(status="failed") | ~Q(error="")
            ),
            models.CheckConstraint(
                name="published_report_has_executive_summary",
                condition=Q(is_published=False) | ~Q(executive_summary=""),
            ),
            models.CheckConstraint(
                name="published_report_is_ready",
                condition=Q(is_published=False)
                | (Q(status="ready") & Q(published_at__isnull=False)),
            ),
        ]
        indexes = [
            # The render task claims queued (or stale rendering) runs by status.
            models.Index(fields=["status", "started_at"], name="report_run_status_idx"),
        ]

    def __str__(self) -> str:
        port = self.party.code if self.party is not None else _("both ports")
        return f"{self.year} {port} v{self.version}"

    @property
    def report_number(self) -> str:
        """The number printed on the cover, e.g. ``CA-2026-POLA-2`` (``ALL`` for both ports):
        reporting year, scope and version, unique like the run itself."""
        scope = self.party.code if self.party is not None else "ALL"
        return f"CA-{self.year}-{scope}-{self.version}"

    @property
    def scope_label(self) -> str:
        return self.party.name if self.party is not None else str(_("Both ports (combined)"))

    @property
    def is_downloadable(self) -> bool:
        """Only a finished rendering is ever served."""
        return self.status == ReportStatus.READY and bool(self.pdf)

    @property
    def is_in_progress(self) -> bool:
        return self.status in (ReportStatus.QUEUED, ReportStatus.RENDERING)


# A run is rendered once by the job (``reports/services.py`` claims queued runs, and
# renderings left stale by a dead worker, with conditional updates); a failed one may be
# queued again.  A ready run never changes: a new rendering is a new version.
REPORT_RUN_WORKFLOW = workflow(
    ReportRun,
    states=ReportStatus,
    action="report_run",
    moves={
        ReportStatus.QUEUED: {ReportStatus.RENDERING},
        ReportStatus.RENDERING: {ReportStatus.READY, ReportStatus.FAILED},
        ReportStatus.READY: set(),
        ReportStatus.FAILED: {ReportStatus.QUEUED},
    },
    hint=lambda current, target: (
        _("Only a failed run is retried; generate a new version instead.")
        if target == ReportStatus.QUEUED
        else ""
    ),
    label=lambda run: _("This report run"),
    audited_fields=("error", "attempts"),
)
