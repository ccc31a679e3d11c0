"""The public emissions figures are seeded once, as published, and never overwritten."""

from decimal import Decimal

from django.core.management import call_command

from audit.models import AuditEvent
from reports.models import EmissionsInventory, FigureBasis, InventoryFigure, InventoryStatus
from reports.seed import seed_public_inventories


def test_seeding_loads_every_public_row_and_the_published_percentages(agreement):
    created = seed_public_inventories()
    assert created == 40 + 13  # 40 CSV rows, 13 published percentages (6 of them for 2023)
    pola_2005 = InventoryFigure.objects.get(
        inventory__party__code="POLA", inventory__year=2005, metric="DPM"
    )
    assert pola_2005.value == Decimal(891)
    assert pola_2005.basis == FigureBasis.PUBLISHED
    assert "2t3h-my34" in pola_2005.source
    nox_2024 = InventoryFigure.objects.get(
        inventory__party__code="POLA", inventory__year=2024, metric="NOx"
    )
    assert nox_2024.value is None
    assert nox_2024.basis == FigureBasis.PUBLISHED_REDUCTION
    assert (nox_2024.change_vs_2005_pct, nox_2024.intensity_change_vs_2005_pct) == (-73, -81)
    assert not InventoryFigure.objects.filter(basis=FigureBasis.ILLUSTRATIVE).exists()
    assert set(EmissionsInventory.objects.values_list("status", flat=True)) == {
        InventoryStatus.ACCEPTED
    }


def test_seeding_twice_creates_nothing_and_keeps_edits(agreement):
    seed_public_inventories()
    InventoryFigure.objects.filter(
        inventory__year=2005, metric="DPM", inventory__party__code="POLA"
    ).update(value=900)
    events = AuditEvent.objects.count()
    assert seed_public_inventories() == 0
    assert AuditEvent.objects.count() == events
    assert (
        InventoryFigure.objects.get(
            inventory__year=2005, metric="DPM", inventory__party__code="POLA"
        ).value
        == 900
    )


def test_seed_demo_command_loads_the_public_figures(db):
    call_command("seed_demo")
    assert InventoryFigure.objects.count() == 53


def test_the_2023_figures_are_stored_as_published_percentages_with_their_source(agreement):
    seed_public_inventories()
    stored = {
        (f.inventory.party.code, f.metric): f
        for f in InventoryFigure.objects.filter(inventory__year=2023).select_related(
            "inventory__party"
        )
        if f.metric != "TEU"
    }
    assert {key: f.change_vs_2005_pct for key, f in stored.items()} == {
        ("POLB", "DPM"): -92,
        ("POLB", "NOx"): -71,
        ("POLB", "SOx"): -98,
        ("POLB", "GHG"): -17,
        ("POLA", "DPM"): -91,
        ("POLA", "SOx"): -98,
    }
    for figure in stored.values():
        assert figure.value is None  # no tonnage is public: none is invented
        assert figure.basis == FigureBasis.PUBLISHED_REDUCTION
        assert figure.precision == "whole percent"
        assert "2023" in figure.source and "vs 2005" in figure.source
