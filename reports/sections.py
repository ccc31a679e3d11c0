"""Reads behind each section of the reports, one small function per section.

Plan status, defaults and penalties and the Clean Air Mitigation Fund are composed here from
the selectors of the plans and penalties apps, for all ports at once (no query per row or
per port).  Only rows recorded by the run's data cut-off count.  A section with nothing
recorded returns None; the templates then say plainly "No data recorded yet".  They must
never return made-up numbers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from agreement import deadlines
from agreement.models import (
    DateChangeKind,
    Milestone,
    MilestoneDateChange,
    MilestoneStatus,
    Party,
)
from agreement.selectors import DueItem, milestones_as_at
from penalties import selectors as penalty_selectors
from penalties.models import Penalty, PenaltyStatus
from plans import selectors as plan_selectors

from . import charts, derived
from .models import (
    BASELINE_YEAR,
    METRIC_UNITS,
    POLLUTANTS,
    EmissionsInventory,
    FigureBasis,
    Metric,
)

ZERO = Decimal("0.00")

# --- Plans, defaults and penalties, the fund ----------------------------------------------


def plan_status(
    *, parties: list[Party], cutoff: dt.datetime
) -> dict[int, list[plan_selectors.PlanStatusRow] | None]:
    """Per port (by id): plan status by phase and category at the cut-off, or None when no
    version of any of the port's plans was submitted by then."""
    rows = plan_selectors.plan_status_at(parties=parties, cutoff=cutoff)
    return {
        p.pk: rows[p.pk] if any(r.latest is not None for r in rows[p.pk]) else None for p in parties
    }


@dataclass(frozen=True, kw_only=True)
class DefaultTotals(penalty_selectors.PenaltyAmounts):
    """Counts and money of a list of defaults; withdrawn defaults and penalties excluded."""

    defaults: int


def default_totals(rows: list[penalty_selectors.DefaultAt]) -> DefaultTotals:
    counted = [r for r in rows if not r.withdrawn]
    by_status: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in counted:
        if r.penalty_status is not None:
            by_status[r.penalty_status] += r.amount or ZERO
    return DefaultTotals.from_totals(by_status, defaults=len(counted))


@dataclass(frozen=True)
class DefaultsSection:
    """A port's defaults with a deadline in the reporting year, and all its defaults up to
    the end of that year (cumulative), as recorded by the cut-off."""

    reporting_year: int
    year: list[penalty_selectors.DefaultAt]
    cumulative: list[penalty_selectors.DefaultAt]
    year_totals: DefaultTotals
    cumulative_totals: DefaultTotals

    @property
    def any_provisional(self) -> bool:
        """Some amount shown comes from a provisional schedule: the report says so."""
        return any(r.is_provisional for r in self.cumulative)

    @property
    def tables(self) -> list[tuple[list[penalty_selectors.DefaultAt], DefaultTotals, str]]:
        """(rows, totals, caption) of the year's table and the cumulative one."""
        y = self.reporting_year
        return [
            (self.year, self.year_totals, _("Defaults with a deadline in %(y)s") % {"y": y}),
            (
                self.cumulative,
                self.cumulative_totals,
                _("All defaults up to the end of %(y)s (cumulative)") % {"y": y},
            ),
        ]


def defaults_and_penalties(
    *, parties: list[Party], year: int, cutoff: dt.datetime
) -> dict[int, DefaultsSection | None]:
    """Per port (by id): its defaults and penalties, or None when none was recorded."""
    rows = penalty_selectors.defaults_at(
        parties=parties, cutoff=cutoff, through=dt.date(year, 12, 31)
    )
    result: dict[int, DefaultsSection | None] = {}
    for party in parties:
        cumulative = [r for r in rows if r.default.party_id == party.pk]
        of_year = [r for r in cumulative if r.default.due_date.year == year]
        result[party.pk] = (
            DefaultsSection(
                reporting_year=year,
                year=of_year,
                cumulative=cumulative,
                year_totals=default_totals(of_year),
                cumulative_totals=default_totals(cumulative),
            )
            if cumulative
            else None
        )
    return result


def mitigation_fund(
    *, year: int, cutoff: dt.datetime, parties: list[Party]
) -> penalty_selectors.FundAt | None:
    """The Clean Air Mitigation Fund's receipts and disbursements of the year and totals by
    port, or None when no ledger entry was recorded by the cut-off."""
    fund = penalty_selectors.fund_at(year=year, cutoff=cutoff, ports=parties)
    return fund if fund.has_entries else None


@dataclass(frozen=True)
class FundShare:
    """One port's part of the Clean Air Mitigation Fund: the penalties it paid in, in the
    year and up to its end, and that as a whole percent of all receipts up to then."""

    party: Party
    year: int
    received_in_year: Decimal
    received_total: Decimal
    share_pct: int | None


def fund_share(
    *, year: int, cutoff: dt.datetime, party: Party, parties: list[Party]
) -> FundShare | None:
    """A single-port report's fund section: the port's share, or None when the port paid
    nothing in by the cut-off (the fund's other entries are not this port's)."""
    fund = penalty_selectors.fund_at(year=year, cutoff=cutoff, ports=parties)
    line = next((line for line in fund.by_port if line.party.pk == party.pk), None)
    if line is None or not line.received_total:
        return None
    share = None
    if fund.received_total:
        share = int(
            (line.received_total * 100 / fund.received_total).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            )
        )
    return FundShare(
        party=party,
        year=year,
        received_in_year=line.received_in_year,
        received_total=line.received_total,
        share_pct=share,
    )


def penalties_this_year(*, parties: list[Party], now: dt.datetime) -> dict[int, list[Penalty]]:
    """For the Governing Board status report: per port (by id), the penalties assessed in
    the current Pacific year up to ``now``, each with its status at ``now``."""
    rows = penalty_selectors.penalties_assessed_in(
        parties=parties, year=deadlines.pacific_today(now).year, now=now
    )
    return {p.pk: [r for r in rows if r.party_id == p.pk] for p in parties}


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
    """Milestones due in ``year`` (or moved out of it) and what became of them by ``cutoff``
    (met or excused only if the record said so at or before it: ``closed_at``).

    Due dates are those that stood at the cut-off (``due_date_at_cutoff``, from
    :func:`agreement.selectors.milestones_as_at`): a date moved after the cut-off is shown,
    and counted, as it was.  Met late counts as missed (the deadline was missed).  A
    milestone is extended when an approved extension moved its due date by the cut-off.
    """
    changes = MilestoneDateChange.objects.filter(changed_at__lte=cutoff).order_by("changed_at")
    moved_out = MilestoneDateChange.objects.filter(
        changed_at__lte=cutoff, old_due_date__year=year
    ).values("milestone_id")
    # Due in the year at the cut-off means due in it now, or moved out of it since: only
    # these few are then checked against the due date at the cut-off (a subquery per row).
    moved_since = MilestoneDateChange.objects.filter(
        changed_at__gt=cutoff, old_due_date__year=year
    ).values("milestone_id")
    milestones = (
        milestones_as_at(cutoff)
        .filter(party=party)
        .filter(Q(due_date__year=year) | Q(pk__in=moved_since) | Q(pk__in=moved_out))
        .filter(Q(due_date_at_cutoff__year=year) | Q(pk__in=moved_out))  # type: ignore[misc]
        .select_related("party", "phase")
        .prefetch_related(Prefetch("date_changes", queryset=changes))
        .order_by("due_date_at_cutoff", "id")
    )
    summary = MilestoneSummary()
    for m in milestones:
        if any(c.kind == DateChangeKind.EXTENSION for c in m.date_changes.all()):
            summary.extended.append(m)
        # Met or excused after the cut-off: not known at the cut-off.
        done = m.closed_by(cutoff)
        # The status shown in the report's tables: the one the milestone had at the cut-off.
        m.status_label_at_cutoff = (  # type: ignore[attr-defined]
            m.get_status_display() if done else MilestoneStatus.OPEN.label
        )
        if done and m.status == MilestoneStatus.EXCUSED:
            summary.excused.append(m)
        elif done and m.status == MilestoneStatus.MET and not m.met_late:
            summary.met.append(m)
        elif (done and m.status == MilestoneStatus.MET) or deadlines.has_passed(
            m.due_date_at_cutoff,  # type: ignore[attr-defined]
            cutoff,
        ):
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


def board_status(
    *, party: Party, now: dt.datetime, penalties: list[Penalty], horizon_days: int = 90
) -> dict[str, Any]:
    """The Governing Board status page of one port: due within the horizon, late, and the
    ``penalties`` of the year (from :func:`penalties_this_year`)."""
    today = deadlines.pacific_today(now)
    open_ms = list(
        Milestone.objects.open()
        .filter(party=party, due_date__lte=today + dt.timedelta(days=horizon_days))
        .select_related("phase")
        .order_by("due_date", "id")
    )
    items = [DueItem.at(m, now) for m in open_ms]
    return {
        "party": party,
        "due_soon": [i for i in items if i.days_left >= 0],
        "late": [i for i in items if i.days_left < 0],
        "penalties": penalties,
        "penalties_total": sum(
            (p.amount for p in penalties if p.status != PenaltyStatus.WITHDRAWN), ZERO
        ),
        "any_provisional": any(p.is_provisional for p in penalties),
        "year": today.year,
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
    year: int  # the inventory shown: the latest available at the cut-off, up to report_year
    rows: list[EmissionsRow]
    history: list[tuple[int, list[derived.Point]]]
    chart_tons_svg: str
    chart_intensity_svg: str
    has_data: bool
    sources: list[tuple[int, str, str, str]]
    report_year: int = 0

    @property
    def is_earlier_inventory(self) -> bool:
        """The report year's own inventory was not available at the cut-off."""
        return self.has_data and self.year < self.report_year


def inventory_figures(
    party: Party,
    up_to_year: int,
    cutoff: dt.datetime | None = None,
    inventories: Iterable[EmissionsInventory] | None = None,
) -> dict[int, dict[str, Any]]:
    """Accepted figures of the port, year -> metric -> figure (reviewed by the cut-off).

    ``inventories``: the accepted inventories of the ports up to that year and cut-off with
    their figures (:func:`reports.caap.accepted_inventories`), when the caller has them."""
    if inventories is None:
        qs = EmissionsInventory.objects.accepted().filter(party=party, year__lte=up_to_year)
        if cutoff is not None:
            qs = qs.filter(reviewed_at__lte=cutoff)
        inventories = qs.prefetch_related("figures")
    return {
        inv.year: {f.metric: f for f in inv.figures.all()}
        for inv in inventories
        if inv.party_id == party.pk
    }


def latest_inventory_year(figures: dict[int, dict[str, Any]]) -> int | None:
    """The latest year after 2005 with an emissions figure (cargo alone is not an inventory)."""
    years = [y for y, row in figures.items() if y > BASELINE_YEAR and set(row) - {Metric.TEU}]
    return max(years) if years else None


def emissions_section(
    *,
    party: Party,
    year: int,
    cutoff: dt.datetime | None = None,
    inventories: Iterable[EmissionsInventory] | None = None,
) -> EmissionsSection:
    """Emissions progress vs 2005 up to ``year``: the table, the history and two charts.

    The table shows the latest inventory accepted by the cut-off (inventories are published
    around October of the following year, so a report made in March shows the year before
    its own), never a later one than ``year``.  ``inventories``: as :func:`inventory_figures`.
    """
    figures = inventory_figures(party, year, cutoff, inventories)
    report_year = year
    year = latest_inventory_year(figures) or year
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
        report_year=report_year,
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
