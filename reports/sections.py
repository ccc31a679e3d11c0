"""Reads behind each section of the reports, one small function per section.

Sections whose data source is another app that does not exist on this branch yet (plans,
defaults and penalties, the Clean Air Mitigation Fund) return None; the templates then say
plainly "No data recorded yet".  They must never return made-up numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Prefetch, Q

from agreement import deadlines
from agreement.models import (
    DateChangeKind,
    Milestone,
    MilestoneDateChange,
    MilestoneStatus,
    Party,
)

from . import charts, derived
from .models import (
    BASELINE_YEAR,
    METRIC_UNITS,
    POLLUTANTS,
    EmissionsInventory,
    FigureBasis,
    Metric,
)

# --- Sections waiting for other apps ------------------------------------------------------


def _model_or_none(app_label: str, model_name: str) -> Any:
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


def plan_status(*, party: Party, year: int) -> list[Any] | None:
    """Plan status by phase and category for the port, or None while the plans app has no
    Plan model (the lead wires this to ``plans.selectors`` when it lands)."""
    if _model_or_none("plans", "Plan") is None:
        return None
    return None  # Not wired yet: report "No data recorded yet" rather than guess.


def defaults_and_penalties(*, party: Party, year: int) -> list[Any] | None:
    """The port's defaults and penalties of the year, or None while the penalties app has no
    Default/Penalty models (to be wired to ``penalties.selectors``)."""
    if _model_or_none("penalties", "Default") is None:
        return None
    return None  # Not wired yet.


def mitigation_fund(*, year: int) -> dict[str, Any] | None:
    """The Clean Air Mitigation Fund's receipts and disbursements of the year, or None while
    the fund ledger does not exist (to be wired to ``penalties.selectors``)."""
    if _model_or_none("penalties", "FundEntry") is None:
        return None
    return None  # Not wired yet.


def penalties_this_year(*, party: Party, year: int) -> list[Any] | None:
    """For the Governing Board status report: the port's penalties assessed this year, or
    None while the penalties app has no Penalty model."""
    if _model_or_none("penalties", "Penalty") is None:
        return None
    return None  # Not wired yet.


# --- Milestones ---------------------------------------------------------------------------


@dataclass
class MilestoneSummary:
    """A port's milestones due in the reporting year, by outcome at the data cut-off.

    ``extended`` overlaps the others: an extended milestone is also met, missed or open.
    """

    met: list[Milestone] = field(default_factory=list)
    missed: list[Milestone] = field(default_factory=list)
    excused: list[Milestone] = field(default_factory=list)
    extended: list[Milestone] = field(default_factory=list)
    open: list[Milestone] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.met) + len(self.missed) + len(self.excused) + len(self.open)


def milestone_summary(*, party: Party, year: int, cutoff: dt.datetime) -> MilestoneSummary:
    """Milestones due in ``year`` (or moved out of it) and what became of them by ``cutoff``.

    Met late counts as missed (the deadline was missed).  A milestone is extended when an
    approved extension moved its due date.
    """
    changes = MilestoneDateChange.objects.filter(changed_at__lte=cutoff).order_by("changed_at")
    moved_out = MilestoneDateChange.objects.filter(
        changed_at__lte=cutoff, old_due_date__year=year
    ).values("milestone_id")
    milestones = (
        Milestone.objects.filter(party=party)
        .filter(Q(due_date__year=year) | Q(pk__in=moved_out))
        .select_related("party", "phase")
        .prefetch_related(Prefetch("date_changes", queryset=changes))
        .order_by("due_date", "id")
    )
    summary = MilestoneSummary()
    for m in milestones:
        if any(c.kind == DateChangeKind.EXTENSION for c in m.date_changes.all()):
            summary.extended.append(m)
        if m.status == MilestoneStatus.EXCUSED:
            summary.excused.append(m)
        elif m.status == MilestoneStatus.MET and not m.met_late:
            summary.met.append(m)
        elif m.status == MilestoneStatus.MET or deadlines.has_passed(m.due_date, cutoff):
            summary.missed.append(m)
        else:
            summary.open.append(m)
    return summary


def date_change_audit(
    *, parties: Iterable[Party], cutoff: dt.datetime
) -> list[MilestoneDateChange]:
    """Every recorded change of a due date of these ports up to the cut-off, oldest first."""
    return list(
        MilestoneDateChange.objects.filter(
            milestone__party__in=list(parties), changed_at__lte=cutoff
        )
        .select_related("milestone__party", "actor")
        .order_by("changed_at", "id")
    )


@dataclass(frozen=True)
class DueSoon:
    milestone: Milestone
    days_left: int

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


def board_status(*, party: Party, now: dt.datetime, horizon_days: int = 90) -> dict[str, Any]:
    """The Governing Board status page of one port: due within the horizon, and late."""
    today = deadlines.pacific_today(now)
    open_ms = list(
        Milestone.objects.open()
        .filter(party=party, due_date__lte=today + dt.timedelta(days=horizon_days))
        .select_related("phase")
        .order_by("due_date", "id")
    )
    items = [DueSoon(m, deadlines.days_left(m.due_date, now)) for m in open_ms]
    return {
        "party": party,
        "due_soon": [i for i in items if i.days_left >= 0],
        "late": [i for i in items if i.days_left < 0],
        "penalties": penalties_this_year(party=party, year=today.year),
        "horizon_days": horizon_days,
    }


# --- Emissions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EmissionsRow:
    metric: str
    label: str
    unit: str
    baseline: derived.Point
    current: derived.Point
    basis_label: str


@dataclass
class EmissionsSection:
    year: int
    rows: list[EmissionsRow]
    history: list[tuple[int, list[derived.Point]]]
    chart_tons_svg: str
    chart_intensity_svg: str
    has_data: bool
    sources: list[tuple[int, str, str, str]]


def inventory_figures(
    party: Party, up_to_year: int, cutoff: dt.datetime | None = None
) -> dict[int, dict[str, Any]]:
    """Accepted figures of the port, year -> metric -> figure (reviewed by the cut-off)."""
    qs = EmissionsInventory.objects.accepted().filter(party=party, year__lte=up_to_year)
    if cutoff is not None:
        qs = qs.filter(reviewed_at__lte=cutoff)
    inventories = qs.prefetch_related("figures")
    return {inv.year: {f.metric: f for f in inv.figures.all()} for inv in inventories}


def emissions_section(
    *, party: Party, year: int, cutoff: dt.datetime | None = None
) -> EmissionsSection:
    """Emissions progress vs 2005 up to ``year``: the table, the history and two charts."""
    figures = inventory_figures(party, year, cutoff)
    years = range(BASELINE_YEAR, max(year, BASELINE_YEAR) + 1)
    labels = dict(Metric.choices)
    rows = []
    for metric in (*POLLUTANTS, Metric.GHG, Metric.TEU):
        current = derived.metric_point(figures, year, metric)
        rows.append(
            EmissionsRow(
                metric=metric,
                label=str(labels[metric]),
                unit=derived_unit(metric),
                baseline=derived.metric_point(figures, BASELINE_YEAR, metric),
                current=current,
                basis_label=basis_label(current.value_basis),
            )
        )
    series: dict[str, list[derived.Point]] = {
        m: derived.series(figures, m, years) for m in (*POLLUTANTS, Metric.TEU)
    }
    history = [
        (y, [series[m][i] for m in (*POLLUTANTS, Metric.TEU)])
        for i, y in enumerate(years)
        if y in figures
    ]
    sources = sorted(
        {(y, f.metric, f.source, f.precision) for y, row in figures.items() for f in row.values()}
    )
    return EmissionsSection(
        year=year,
        rows=rows,
        history=history,
        chart_tons_svg=charts.tons_chart(party.code, series),
        chart_intensity_svg=charts.intensity_chart(party.code, series),
        has_data=bool(figures),
        sources=sources,
    )


def derived_unit(metric: str) -> str:
    return METRIC_UNITS[metric]


def basis_label(basis: str | None) -> str:
    if basis is None:
        return ""
    return str(dict(FigureBasis.choices)[basis])


def format_decimal(value: Decimal | None, places: int = 0) -> str:
    """Thousands separators, fixed places; an em dash for a missing value."""
    if value is None:
        return "—"
    return f"{value:,.{places}f}"
