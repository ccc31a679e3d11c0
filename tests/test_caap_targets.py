"""The CAAP 2017 targets are data loaded with the agreement; progress toward them and the
emissions by source category come from accepted inventories only, and nothing missing is
estimated."""

from __future__ import annotations

from decimal import Decimal

from django.core.management import call_command
from django.utils import timezone

from agreement.models import Party
from reports import caap
from reports.models import (
    CaapTarget,
    CategoryFigure,
    EmissionsInventory,
    FigureBasis,
    InventoryFigure,
    InventoryStatus,
)
from reports.seed import seed_caap_targets, seed_public_inventories

DEMO = "Illustrative test figure, not real data"


def accepted_inventory(party: Party, year: int, **figures: Decimal) -> EmissionsInventory:
    now = timezone.now()
    inventory = EmissionsInventory.objects.create(
        party=party, year=year, status=InventoryStatus.ACCEPTED, reviewed_at=now
    )
    for metric, value in figures.items():
        InventoryFigure.objects.create(
            inventory=inventory,
            metric=metric,
            value=value,
            basis=FigureBasis.ILLUSTRATIVE,
            source=DEMO,
        )
    return inventory


def progress_of(code: str, party: Party) -> caap.CaapProgress:
    for target, rows in caap.caap_progress(parties=[party]):
        if target.code == code:
            return rows[0]
    raise AssertionError(code)


def test_loading_the_agreement_seeds_the_four_caap_2017_targets_and_keeps_edits(db):
    call_command("load_agreement")
    targets = {t.code: t for t in CaapTarget.objects.all()}
    assert {c: (t.target_year, t.target_value) for c, t in targets.items()} == {
        "che_zero_emission_2030": (2030, Decimal("100.00")),
        "drayage_zero_emission_2035": (2035, Decimal("100.00")),
        "ghg_2030": (2030, Decimal("-40.00")),
        "ghg_2050": (2050, Decimal("-80.00")),
    }
    assert targets["ghg_2030"].baseline_year == 1990
    CaapTarget.objects.filter(code="ghg_2030").update(title="Edited by an administrator")
    assert seed_caap_targets() == 0
    assert CaapTarget.objects.get(code="ghg_2030").title == "Edited by an administrator"


def test_without_a_1990_inventory_ghg_progress_is_missing_and_the_2005_change_is_context(
    agreement, pola
):
    seed_public_inventories()
    row = progress_of("ghg_2030", pola)
    assert row.achieved is None and row.share_of_target is None
    assert "1990" in row.missing
    assert row.context == "GHG -18 % vs 2005 in 2024 (published)"


def test_ghg_progress_is_the_change_vs_1990_as_a_share_of_the_target(agreement, pola):
    accepted_inventory(pola, 1990, GHG=Decimal("1000"))
    accepted_inventory(pola, 2026, GHG=Decimal("790"))
    row = progress_of("ghg_2030", pola)
    assert (row.year, row.achieved, row.share_of_target) == (2026, Decimal("-21"), 53)


def test_zero_emission_share_comes_from_the_category_figure(agreement, pola, polb):
    inventory = accepted_inventory(pola, 2026, DPM=Decimal("80"))
    CategoryFigure.objects.create(
        inventory=inventory,
        category="che",
        metric="ZE_SHARE",
        value=Decimal("24.6"),
        basis=FigureBasis.ILLUSTRATIVE,
        source=DEMO,
    )
    row = progress_of("che_zero_emission_2030", pola)
    assert (row.year, row.achieved, row.share_of_target, row.context) == (
        2026,
        Decimal("25"),
        25,
        DEMO,
    )
    assert progress_of("drayage_zero_emission_2035", pola).achieved is None
    assert progress_of("che_zero_emission_2030", polb).missing.startswith("No zero-emission")


def test_the_public_emissions_page_shows_categories_beside_the_total_and_caap_progress(
    client, agreement, pola
):
    seed_public_inventories()
    inventory = EmissionsInventory.objects.get(party=pola, year=2024)
    CategoryFigure.objects.create(
        inventory=inventory,
        category="ogv",
        metric="DPM",
        value=Decimal("61.5"),
        basis=FigureBasis.ILLUSTRATIVE,
        source=DEMO,
    )
    page = client.get("/reports/emissions/").content.decode()
    assert "Progress toward the Clean Air Action Plan 2017 targets" in page
    assert "Greenhouse gases 40 % below 1990 by 2030" in page
    assert "Port of Los Angeles, 2024 inventory: emissions by source category" in page
    assert "Ocean-going vessels" in page and "61.5" in page
    assert "Port total" in page
    assert "-90% vs 2005" in page  # the published total, whole percent
