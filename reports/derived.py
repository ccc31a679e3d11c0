"""Every figure computed from the inventories, in one place.

- change vs 2005 (%): ``(value - baseline) / baseline * 100`` (negative = reduction);
- intensity: short tons per 10,000 TEU, ``tons / (TEU / 10,000)``, and its change vs 2005;
- absolute figures derived from a published percentage: ``baseline * (1 + pct / 100)``.

Functions return None when an input is missing: a missing year stays missing, it is never
filled in.  Percentages are rounded to whole percent, half up: the public sources state
whole percents (and round their tonnages), so a decimal place would overstate them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from .models import BASELINE_YEAR, POLLUTANTS, FigureBasis, Metric

TEU_DIVISOR = Decimal(10_000)
PCT = Decimal("1")  # whole percent
HUNDRED = Decimal(100)


def change_pct(baseline: Decimal | None, value: Decimal | None) -> Decimal | None:
    """Change of ``value`` vs ``baseline`` in percent (negative = reduction)."""
    if baseline is None or value is None or baseline == 0:
        return None
    return ((value - baseline) / baseline * HUNDRED).quantize(PCT, rounding=ROUND_HALF_UP)


def per_10k_teu(tons: Decimal | None, teu: Decimal | None) -> Decimal | None:
    """Emissions per 10,000 TEU of cargo (unrounded)."""
    if tons is None or teu is None or teu == 0:
        return None
    return tons / (teu / TEU_DIVISOR)


def intensity_change_pct(
    baseline_tons: Decimal | None,
    baseline_teu: Decimal | None,
    tons: Decimal | None,
    teu: Decimal | None,
) -> Decimal | None:
    """Change of emissions per 10,000 TEU vs the baseline year, in percent."""
    return change_pct(per_10k_teu(baseline_tons, baseline_teu), per_10k_teu(tons, teu))


def absolute_from_change(baseline: Decimal | None, pct: Decimal | None) -> Decimal | None:
    """The absolute figure a published percentage change implies (to 0.001)."""
    if baseline is None or pct is None:
        return None
    return (baseline * (HUNDRED + pct) / HUNDRED).quantize(Decimal("0.001"))


class FigureLike(Protocol):
    """What the computations read from a figure (an ``InventoryFigure``)."""

    @property
    def value(self) -> Decimal | None: ...
    @property
    def basis(self) -> str: ...
    @property
    def change_vs_2005_pct(self) -> Decimal | None: ...
    @property
    def intensity_change_vs_2005_pct(self) -> Decimal | None: ...


@dataclass(frozen=True)
class Point:
    """One metric in one year, with where each number comes from.

    ``value_basis`` is the stored figure's basis, or ``derived`` when the absolute value was
    computed here from a published percentage.  ``change_source`` and ``intensity_source``
    are ``published`` or ``computed`` (None when the number is missing).
    """

    year: int
    metric: str
    value: Decimal | None
    value_basis: str | None
    change_pct: Decimal | None
    change_source: str | None
    intensity: Decimal | None
    intensity_change_pct: Decimal | None
    intensity_source: str | None

    @property
    def is_missing(self) -> bool:
        return self.value is None and self.change_pct is None


Figures = Mapping[int, Mapping[str, FigureLike]]


def metric_point(figures: Figures, year: int, metric: str) -> Point:
    """One metric of one year, derived from the figures of all years (year -> metric)."""
    base = figures.get(BASELINE_YEAR, {})
    row = figures.get(year, {})
    fig = row.get(metric)
    base_fig = base.get(metric)
    base_value = base_fig.value if base_fig else None
    value = fig.value if fig else None
    value_basis: str | None = fig.basis if fig else None

    published_change = fig.change_vs_2005_pct if fig else None
    if value is None and published_change is not None:
        value = absolute_from_change(base_value, published_change)
        value_basis = FigureBasis.DERIVED if value is not None else FigureBasis.PUBLISHED_REDUCTION
    change: Decimal | None
    change_source: str | None
    if published_change is not None:
        change, change_source = published_change.quantize(PCT), "published"
    else:
        change = change_pct(base_value, value)
        change_source = "computed" if change is not None else None

    intensity = None
    intensity_change = None
    intensity_source: str | None = None
    if metric in POLLUTANTS:
        teu_fig = row.get(Metric.TEU)
        base_teu_fig = base.get(Metric.TEU)
        teu = teu_fig.value if teu_fig else None
        base_teu = base_teu_fig.value if base_teu_fig else None
        intensity = per_10k_teu(value, teu)
        published_intensity = fig.intensity_change_vs_2005_pct if fig else None
        if published_intensity is not None:
            intensity_change, intensity_source = published_intensity.quantize(PCT), "published"
        else:
            intensity_change = intensity_change_pct(base_value, base_teu, value, teu)
            intensity_source = "computed" if intensity_change is not None else None
    elif metric == Metric.GHG and fig and fig.intensity_change_vs_2005_pct is not None:
        intensity_change, intensity_source = fig.intensity_change_vs_2005_pct, "published"

    return Point(
        year=year,
        metric=metric,
        value=value,
        value_basis=value_basis,
        change_pct=change if year != BASELINE_YEAR else None,
        change_source=change_source if year != BASELINE_YEAR else None,
        intensity=intensity,
        intensity_change_pct=intensity_change if year != BASELINE_YEAR else None,
        intensity_source=intensity_source if year != BASELINE_YEAR else None,
    )


def series(figures: Figures, metric: str, years: range) -> list[Point]:
    """One point per year of ``years``; years without figures are missing points."""
    return [metric_point(figures, year, metric) for year in years]
