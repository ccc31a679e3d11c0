"""Reads of emissions by source category and of progress against the CAAP 2017 targets.

Both read accepted inventories only (by ``cutoff`` when a report asks), and never estimate:
a category, a baseline or a share that no accepted inventory records is shown as missing.
Percentages are whole percent (:mod:`reports.derived`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from agreement.models import Party

from . import derived
from .models import (
    BASELINE_YEAR,
    CaapMeasure,
    CaapTarget,
    CategoryFigure,
    CategoryMetric,
    EmissionsInventory,
    SourceCategory,
)

# The pollutants and GHG shown per category (the zero-emission share is a CAAP measure).
CATEGORY_METRICS = (CategoryMetric.DPM, CategoryMetric.NOX, CategoryMetric.SOX, CategoryMetric.GHG)


def accepted_inventories(
    *, parties: list[Party], cutoff: dt.datetime | None = None, up_to_year: int | None = None
) -> list[EmissionsInventory]:
    """Accepted inventories of the ports (accepted by ``cutoff``, of years up to
    ``up_to_year``, when given) with figures and category figures (3 queries)."""
    qs = EmissionsInventory.objects.accepted().filter(party__in=parties)
    if cutoff is not None:
        qs = qs.filter(reviewed_at__lte=cutoff)
    if up_to_year is not None:
        qs = qs.filter(year__lte=up_to_year)
    return list(
        qs.select_related("party")
        .prefetch_related(
            "figures",
            Prefetch("category_figures", queryset=CategoryFigure.objects.order_by("pk")),
        )
        .order_by("party__code", "year")
    )


@dataclass(frozen=True)
class CategoryCell:
    """One metric of one row: an absolute value, or a published % change, or nothing."""

    value: Decimal | None
    change_pct: Decimal | None
    basis: str | None
    source: str


@dataclass(frozen=True)
class CategoryRow:
    label: str
    is_total: bool
    cells: list[CategoryCell | None]  # in the order of CATEGORY_METRICS


@dataclass(frozen=True)
class PortCategories:
    """A port's latest accepted inventory broken down by source category, with its total."""

    party: Party
    year: int
    rows: list[CategoryRow]

    @property
    def has_categories(self) -> bool:
        return any(any(c is not None for c in r.cells) for r in self.rows if not r.is_total)


def _cell(figure: Any) -> CategoryCell | None:
    if figure is None:
        return None
    change = figure.change_vs_2005_pct
    return CategoryCell(
        value=figure.value,
        change_pct=change.quantize(derived.PCT, rounding=ROUND_HALF_UP)
        if change is not None
        else None,
        basis=figure.basis,
        source=figure.source,
    )


def emissions_by_category(
    *,
    parties: list[Party],
    cutoff: dt.datetime | None = None,
    inventories: list[EmissionsInventory] | None = None,
) -> list[PortCategories]:
    """Per port, its latest accepted inventory: one row per source category (missing ones
    empty) and the port total last.  ``inventories``: :func:`accepted_inventories`, when
    the caller has them already."""
    if inventories is None:
        inventories = accepted_inventories(parties=parties, cutoff=cutoff)
    latest: dict[int, EmissionsInventory] = {}
    for inventory in inventories:  # oldest first: the last one with emissions stays
        has_emissions = any(f.metric != "TEU" for f in inventory.figures.all()) or bool(
            inventory.category_figures.all()
        )
        if (inventory.year > BASELINE_YEAR and has_emissions) or inventory.party_id not in latest:
            latest[inventory.party_id] = inventory
    result = []
    for party in parties:
        shown = latest.get(party.pk)
        if shown is None:
            continue
        by_key = {(f.category, f.metric): f for f in shown.category_figures.all()}
        totals = {f.metric: f for f in shown.figures.all()}
        rows = [
            CategoryRow(
                label=str(label),
                is_total=False,
                cells=[_cell(by_key.get((code, m))) for m in CATEGORY_METRICS],
            )
            for code, label in SourceCategory.choices
        ]
        rows.append(
            CategoryRow(
                label=_("Port total"),
                is_total=True,
                cells=[_cell(totals.get(str(m))) for m in CATEGORY_METRICS],
            )
        )
        result.append(PortCategories(party=party, year=shown.year, rows=rows))
    return result


@dataclass(frozen=True)
class CaapProgress:
    """One port's progress toward one CAAP target, as far as accepted inventories say.

    ``achieved`` is the zero-emission share (%) or the change vs the baseline year (%),
    whole percent, in ``year``; None when not recorded (``missing`` says what is missing).
    ``context`` is what is known meanwhile (e.g. the published GHG change vs 2005).
    """

    target: CaapTarget
    party: Party
    year: int | None
    achieved: Decimal | None
    missing: str
    context: str

    @property
    def share_of_target(self) -> int | None:
        """How far along, in whole percent of the target (100 = reached)."""
        if self.achieved is None or not self.target.target_value:
            return None
        share = self.achieved / self.target.target_value * 100
        return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def bar_percent(self) -> int:
        return max(0, min(100, self.share_of_target or 0))


def _share_progress(
    target: CaapTarget, party: Party, inventories: list[EmissionsInventory]
) -> CaapProgress:
    for inventory in reversed(inventories):
        figure = next(
            (
                f
                for f in inventory.category_figures.all()
                if f.category == target.category
                and f.metric == CategoryMetric.ZE_SHARE
                and f.value is not None
            ),
            None,
        )
        if figure is not None and figure.value is not None:
            achieved = figure.value.quantize(derived.PCT, rounding=ROUND_HALF_UP)
            return CaapProgress(target, party, inventory.year, achieved, "", figure.source)
    missing = _("No zero-emission share of %(category)s recorded yet.") % {
        "category": dict(SourceCategory.choices)[target.category].lower()
    }
    return CaapProgress(target, party, None, None, missing, "")


def _change_progress(
    target: CaapTarget, party: Party, inventories: list[EmissionsInventory]
) -> CaapProgress:
    figures = {inv.year: {f.metric: f for f in inv.figures.all()} for inv in inventories}
    baseline_year = target.baseline_year or BASELINE_YEAR
    # The latest year with the metric (a published % vs 2005 gives its absolute via 2005).
    latest = None
    for year in sorted(figures, reverse=True):
        if year <= baseline_year or target.metric not in figures[year]:
            continue
        latest = derived.metric_point(figures, year, target.metric)
        break
    context = ""
    if latest is not None and latest.change_pct is not None:
        context = _("%(metric)s %(change)s %% vs 2005 in %(year)s (%(source)s)") % {
            "metric": target.metric,
            "change": f"{latest.change_pct:+.0f}",
            "year": latest.year,
            "source": _("published") if latest.change_source == "published" else _("computed"),
        }
    base = figures.get(baseline_year, {}).get(target.metric)
    base_value = base.value if base is not None else None
    if base_value is None:
        missing = _(
            "No accepted %(year)s %(metric)s inventory: progress vs %(year)s cannot be computed."
        ) % {
            "year": baseline_year,
            "metric": target.metric,
        }
        return CaapProgress(target, party, None, None, missing, context)
    if latest is None or latest.value is None:
        missing = _("No %(metric)s figure after %(year)s recorded yet.") % {
            "metric": target.metric,
            "year": baseline_year,
        }
        return CaapProgress(target, party, None, None, missing, context)
    achieved = derived.change_pct(base_value, latest.value)
    return CaapProgress(target, party, latest.year, achieved, "", context)


def caap_progress(
    *,
    parties: list[Party],
    cutoff: dt.datetime | None = None,
    inventories: list[EmissionsInventory] | None = None,
) -> list[tuple[CaapTarget, list[CaapProgress]]]:
    """Each CAAP target (in its order) with each port's progress toward it (``inventories``
    as for :func:`emissions_by_category`)."""
    if inventories is None:
        inventories = accepted_inventories(parties=parties, cutoff=cutoff)
    by_port: dict[int, list[EmissionsInventory]] = {p.pk: [] for p in parties}
    for inventory in inventories:
        by_port[inventory.party_id].append(inventory)
    result = []
    for target in CaapTarget.objects.all():
        compute = (
            _share_progress
            if target.measure == CaapMeasure.ZERO_EMISSION_SHARE
            else _change_progress
        )
        result.append((target, [compute(target, p, by_port[p.pk]) for p in parties]))
    return result
