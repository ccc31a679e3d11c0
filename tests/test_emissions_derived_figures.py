"""Derived figures (reports/derived.py) against the public record."""

from decimal import Decimal

import pytest

from reports import derived
from reports.models import EmissionsInventory, FigureBasis, Metric
from reports.seed import seed_public_inventories


@pytest.fixture
def pola_figures(pola):
    seed_public_inventories()
    inventories = EmissionsInventory.objects.filter(party=pola).prefetch_related("figures")
    return {inv.year: {f.metric: f for f in inv.figures.all()} for inv in inventories}


def test_pola_2012_change_vs_2005_is_computed_from_the_published_tonnages(pola_figures):
    dpm = derived.metric_point(pola_figures, 2012, Metric.DPM)
    nox = derived.metric_point(pola_figures, 2012, Metric.NOX)
    sox = derived.metric_point(pola_figures, 2012, Metric.SOX)
    # 185 / 891, 7177 / 16331, 631 / 5306 (data.lacity.org 2t3h-my34).
    assert (dpm.change_pct, nox.change_pct, sox.change_pct) == (
        Decimal("-79"),
        Decimal("-56"),
        Decimal("-88"),
    )
    assert dpm.change_source == "computed"
    assert dpm.value_basis == FigureBasis.PUBLISHED


def test_pola_2012_intensity_per_10000_teu_uses_the_published_cargo(pola_figures):
    dpm = derived.metric_point(pola_figures, 2012, Metric.DPM)
    # 185 t / 807.7714 (10,000 TEU) vs 891 t / 748 (10,000 TEU).
    assert dpm.intensity is not None
    assert dpm.intensity.quantize(Decimal("0.0001")) == Decimal("0.2290")
    assert dpm.intensity_change_pct == Decimal("-81")


def test_pola_2024_keeps_the_published_percentages_and_derives_marked_tonnages(pola_figures):
    point = derived.metric_point(pola_figures, 2024, Metric.DPM)
    assert point.change_pct == Decimal("-90")
    assert point.change_source == "published"
    assert point.value == Decimal("89.100")  # 891 t x (1 - 90%)
    assert point.value_basis == FigureBasis.DERIVED


@pytest.mark.parametrize(
    ("metric", "published_change", "published_intensity_change"),
    [(Metric.DPM, -90, -93), (Metric.SOX, -98, -99), (Metric.NOX, -73, -81)],
)
def test_tonnages_derived_from_published_percentages_reproduce_them(
    pola_figures, metric, published_change, published_intensity_change
):
    base = pola_figures[2005][metric].value
    derived_value = derived.absolute_from_change(base, Decimal(published_change))
    assert derived.change_pct(base, derived_value) == Decimal(published_change)
    # Per 10,000 TEU, with the published 2005 (7.48 M) and 2024 (10.3 M) cargo: the
    # published intensity change is reproduced within the rounding of the inputs.
    computed = derived.intensity_change_pct(
        base, Decimal(7_480_000), derived_value, Decimal(10_300_000)
    )
    assert abs(computed - published_intensity_change) <= 1


def test_missing_inputs_give_missing_figures_not_zeros(pola_figures):
    point = derived.metric_point(pola_figures, 2015, Metric.DPM)
    assert point.is_missing
    assert point.value is None and point.change_pct is None and point.intensity is None
    assert derived.change_pct(None, Decimal(1)) is None
    assert derived.change_pct(Decimal(0), Decimal(1)) is None
    assert derived.per_10k_teu(Decimal(1), None) is None


def test_a_percentage_without_a_2005_tonnage_stays_a_percentage(polb):
    seed_public_inventories()
    inventories = EmissionsInventory.objects.filter(party=polb).prefetch_related("figures")
    figures = {inv.year: {f.metric: f for f in inv.figures.all()} for inv in inventories}
    nox = derived.metric_point(figures, 2024, Metric.NOX)  # no POLB 2005 NOx is public
    assert nox.change_pct == Decimal("-68")
    assert nox.value is None
    assert nox.value_basis == FigureBasis.PUBLISHED_REDUCTION
    dpm = derived.metric_point(figures, 2024, Metric.DPM)  # POLB 2005 DPM 1,040 t is public
    assert dpm.value == Decimal("104.000")
    assert dpm.value_basis == FigureBasis.DERIVED


def test_reports_use_accepted_figures_only(pola, pola_staff):
    from reports import sections
    from reports.inventory_services import FigureInput, inventory_save

    seed_public_inventories()
    inventory_save(
        party=pola,
        year=2013,
        figures=[FigureInput(Metric.DPM, Decimal(170), source="not yet reviewed")],
        actor=pola_staff,
    )
    section = sections.emissions_section(party=pola, year=2013)
    dpm = next(row for row in section.rows if row.metric == Metric.DPM)
    # The 2013 figure awaits AQMD's review: the report shows the latest accepted inventory
    # available (2012's), never the unreviewed 170.
    assert dpm.current.year == 2012 and dpm.current.value != Decimal(170)
    assert 2013 not in [year for year, _points in section.history]
