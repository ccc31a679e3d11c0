"""Emissions charts as SVG text (matplotlib, object API: no global pyplot state).

Missing years are gaps in the line (and no marker); values derived from a published
percentage are drawn with hollow markers, published and computed ones with filled markers.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Mapping, Sequence

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .derived import Point
from .models import BASELINE_YEAR, POLLUTANTS, FigureBasis

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


class _Chart:
    """One figure and its axes, made once per process and redrawn for each chart.

    Making a figure and its axes (ticks, spines, fonts) is a good part of a chart's cost;
    each chart only replaces the lines and titles, and the layout and SVG are made anew.
    The lock keeps two threads of one process from drawing on the same figure at once.
    """

    def __init__(self, figsize: tuple[float, float], panels: int) -> None:
        self.figure = Figure(figsize=figsize)
        self.axes: list[Axes] = list(self.figure.subplots(1, panels, squeeze=False)[0])
        self.dpi = self.figure.dpi
        params = self.figure.subplotpars
        # tight_layout starts from the current layout: each chart starts from the first's.
        self.layout = {
            k: getattr(params, k) for k in ("left", "right", "bottom", "top", "wspace", "hspace")
        }
        self.lock = threading.Lock()
        # The canvas tight_layout measures text with: a new figure's would be an Agg canvas
        # made for the occasion (same renderer, same resolution); keeping this one keeps its
        # renderer, and so the text sizes measured for earlier charts (tick labels repeat).
        self.measure = FigureCanvasAgg(self.figure)

    def clear(self) -> None:
        """Remove the previous chart's lines and legend; the limits follow the new data and
        the layout starts from where a new figure's would."""
        # The layout is measured as on a new figure: an Agg canvas, its resolution and no
        # layout engine (the last SVG left its own and 72 dpi; tight_layout a placeholder).
        self.figure.set_canvas(self.measure)
        self.figure.set_dpi(self.dpi)
        self.figure.set_layout_engine(None)
        self.figure.subplots_adjust(**self.layout)
        for ax in self.axes:
            for line in list(ax.lines):
                line.remove()
            if ax.legend_ is not None:
                ax.legend_.remove()
            # As a new axes: no data limits, the unit view, autoscaling on (a panel with
            # no value at all then looks as it would on a new figure).
            ax.relim()
            ax.set_xlim(0.0, 1.0)
            ax.set_ylim(0.0, 1.0)
            ax.set_autoscale_on(True)


_charts: dict[str, _Chart] = {}


def _chart(kind: str, figsize: tuple[float, float], panels: int) -> _Chart:
    chart = _charts.get(kind)
    if chart is None:
        chart = _charts.setdefault(kind, _Chart(figsize, panels))
    return chart


def tons_chart(port: str, series: Mapping[str, Sequence[Point]]) -> str:
    """DPM, NOx and SOx in short tons per year, one panel each."""
    chart = _chart("tons", (7.0, 2.6), 3)
    with chart.lock:
        chart.clear()
        for ax, metric in zip(chart.axes, POLLUTANTS, strict=True):
            points = series[metric]
            _plot(ax, points, _values(points), COLORS[metric])
            ax.set_title(f"{port} {metric} (short tons/yr)", fontsize=8)
            ax.tick_params(labelsize=7)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
            ax.set_ylim(bottom=0)
            ax.grid(alpha=0.3)
        chart.figure.tight_layout()
        return _svg(chart.figure)


def intensity_chart(port: str, series: Mapping[str, Sequence[Point]]) -> str:
    """Emissions per 10,000 TEU as an index, 2005 = 100 (published changes where given)."""
    chart = _chart("intensity", (7.0, 2.8), 1)
    with chart.lock:
        chart.clear()
        ax = chart.axes[0]
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
        chart.figure.tight_layout()
        return _svg(chart.figure)


def warm_up() -> None:
    """Draw a throwaway chart of each kind: the figures and fonts are then ready."""
    points = [Point(BASELINE_YEAR, m, None, None, None, None, None, None, None) for m in POLLUTANTS]
    series = {p.metric: [p] for p in points}
    tons_chart("", series)
    intensity_chart("", series)
