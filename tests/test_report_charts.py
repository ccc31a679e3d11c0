"""The emissions charts are drawn on one figure per kind, reused from chart to chart: a chart
must come out exactly as it would on a new figure, whatever was drawn before it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from matplotlib.backends.backend_agg import RendererAgg

from reports import charts
from reports.derived import Point
from reports.models import POLLUTANTS, FigureBasis, Metric


def _series(first: int, last: int, scale: int, gaps: set[int]) -> dict[str, list[Point]]:
    def point(year: int, metric: str, i: int) -> Point:
        missing = year in gaps
        value = None if missing else Decimal(scale * (len(metric) + i))
        basis = FigureBasis.DERIVED if i % 4 == 1 else FigureBasis.ILLUSTRATIVE
        change = None if missing or year == first else Decimal(-3 * i)
        return Point(
            year, metric, value, None if missing else basis, change, None, None, change, None
        )

    return {
        m: [point(y, m, i) for i, y in enumerate(range(first, last + 1))]
        for m in (*POLLUTANTS, Metric.TEU)
    }


BIG = _series(2005, 2024, 10_000, gaps={2007, 2013})
SMALL = _series(2005, 2009, 3, gaps=set())
EMPTY = _series(2005, 2005, 1, gaps={2005})  # no value at all: empty panels


def _on_a_new_figure(chart: str, port: str, series: dict[str, list[Point]]) -> str:
    saved = dict(charts._charts)
    charts._charts.clear()
    try:
        return str(getattr(charts, chart)(port, series))
    finally:
        charts._charts.clear()
        charts._charts.update(saved)


@pytest.mark.parametrize("chart", ["tons_chart", "intensity_chart"])
def test_a_chart_drawn_after_others_is_the_one_a_new_figure_draws(chart):
    draw = getattr(charts, chart)
    for before, series in [(BIG, SMALL), (SMALL, EMPTY), (EMPTY, BIG), (BIG, BIG)]:
        draw("POLA", before)
        reused = draw("POLB", series)
        assert reused == _on_a_new_figure(chart, "POLB", series)
        assert "POLB" in reused and "POLA" not in reused


def test_text_measured_for_one_chart_is_not_measured_again_for_the_next(monkeypatch):
    measured: list[str] = []
    measure = RendererAgg.get_text_width_height_descent

    def counting(self: RendererAgg, text: str, *args: object, **kwargs: object) -> object:
        measured.append(text)
        return measure(self, text, *args, **kwargs)

    monkeypatch.setattr(RendererAgg, "get_text_width_height_descent", counting)
    monkeypatch.setattr(charts, "_charts", {})  # a new process
    charts.tons_chart("POLA", BIG)
    assert "POLA DPM (short tons/yr)" in measured  # the layout measures with Agg
    measured.clear()
    charts.tons_chart("POLA", BIG)
    assert measured == []
