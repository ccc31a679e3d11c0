"""Emissions charts as SVG text (matplotlib, object API: no global pyplot state).

Missing years are gaps in the line (and no marker); values derived from a published
percentage are drawn with hollow markers, published and computed ones with filled markers.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .derived import Point
from .models import POLLUTANTS, FigureBasis

matplotlib.rcParams["svg.hashsalt"] = "caap-report"  # stable ids: same data, same SVG
matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text (searchable, smaller)
COLORS = {"DPM": "#0b3d91", "NOx": "#b50909", "SOx": "#00612e"}


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    FigureCanvasSVG(fig).print_svg(buffer, metadata={"Date": None})
    return buffer.getvalue()


def _values(points: Sequence[Point]) -> list[float]:
    return [float(p.value) if p.value is not None else math.nan for p in points]


def _plot(ax: Axes, points: Sequence[Point], values: list[float], color: str) -> None:
    years = [p.year for p in points]
    ax.plot(years, values, color=color, linewidth=1.5)
    derived = [p.value_basis == FigureBasis.DERIVED for p in points]
    ax.plot(
        [y for y, d in zip(years, derived, strict=True) if not d],
        [v for v, d in zip(values, derived, strict=True) if not d],
        "o",
        color=color,
        markersize=4,
    )
    ax.plot(
        [y for y, d in zip(years, derived, strict=True) if d],
        [v for v, d in zip(values, derived, strict=True) if d],
        "o",
        markerfacecolor="white",
        color=color,
        markersize=5,
    )


def tons_chart(port: str, series: Mapping[str, Sequence[Point]]) -> str:
    """DPM, NOx and SOx in short tons per year, one panel each."""
    fig = Figure(figsize=(7.0, 2.6))
    axes = fig.subplots(1, 3)
    for ax, metric in zip(axes, POLLUTANTS, strict=True):
        points = series[metric]
        _plot(ax, points, _values(points), COLORS[metric])
        ax.set_title(f"{port} {metric} (short tons/yr)", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return _svg(fig)


def intensity_chart(port: str, series: Mapping[str, Sequence[Point]]) -> str:
    """Emissions per 10,000 TEU as an index, 2005 = 100 (published changes where given)."""
    fig = Figure(figsize=(7.0, 2.8))
    ax = fig.subplots()
    for metric in POLLUTANTS:
        points = series[metric]
        values = [
            100.0 + float(p.intensity_change_pct)
            if p.intensity_change_pct is not None
            else (100.0 if i == 0 and p.intensity is not None else math.nan)
            for i, p in enumerate(points)
        ]
        _plot(ax, points, values, COLORS[metric])
        ax.plot([], [], color=COLORS[metric], label=metric)
    ax.set_title(f"{port}: emissions per 10,000 TEU, index 2005 = 100", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return _svg(fig)
