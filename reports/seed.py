"""The ports' public emissions and cargo figures, loaded idempotently.

Absolute figures come from ``reports/data/caap_inventory_public.csv`` (a copy of
``shared/data/caap_inventory_public.csv``; each row names its source and precision).  The
later years are public only as percentage change from 2005 (../shared/AGREEMENT.md): they
are stored as percentage-only records (basis ``published_reduction``), never as invented
tonnages.  Figures are created only when missing: an edited figure is never overwritten.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from agreement.models import Party
from audit.services import audit_record

from .models import (
    CaapMeasure,
    CaapTarget,
    EmissionsInventory,
    FigureBasis,
    InventoryFigure,
    InventoryStatus,
    Metric,
    SourceCategory,
)

PUBLIC_CSV = Path(__file__).resolve().parent / "data" / "caap_inventory_public.csv"


@dataclass(frozen=True)
class PublishedChange:
    port: str
    year: int
    metric: str
    change_pct: Decimal
    intensity_change_pct: Decimal | None
    precision: str
    source: str


_POLA_2024 = "Port of Los Angeles 2024 inventory release (percent change vs 2005)"
_POLB_APPROVAL = "Port of Long Beach figures cited at the agreement's approval (2025)"
_POLB_PRECISION = (
    "rounded to whole percent; the inventory year is not stated, taken as the latest (2024)"
)

# The 2023 inventories as the ports published them (percent change vs 2005, whole percent).
# These percentages are not in shared/data/caap_inventory_public.csv; they are the figures
# issue #14 quotes from the ports' 2023 inventory releases.
_POLB_2023 = (
    "Port of Long Beach 2023 air emissions inventory (percent change vs 2005), as quoted in "
    "issue #14"
)
_POLA_2023 = (
    "Port of Los Angeles 2023 air emissions inventory (percent change vs 2005), as quoted in "
    "issue #14"
)

PUBLISHED_CHANGES = [
    PublishedChange("POLB", 2023, Metric.DPM, Decimal(-92), None, "whole percent", _POLB_2023),
    PublishedChange("POLB", 2023, Metric.NOX, Decimal(-71), None, "whole percent", _POLB_2023),
    PublishedChange("POLB", 2023, Metric.SOX, Decimal(-98), None, "whole percent", _POLB_2023),
    PublishedChange("POLB", 2023, Metric.GHG, Decimal(-17), None, "whole percent", _POLB_2023),
    PublishedChange("POLA", 2023, Metric.DPM, Decimal(-91), None, "whole percent", _POLA_2023),
    PublishedChange("POLA", 2023, Metric.SOX, Decimal(-98), None, "whole percent", _POLA_2023),
    PublishedChange(
        "POLA", 2024, Metric.DPM, Decimal(-90), Decimal(-93), "whole percent", _POLA_2024
    ),
    PublishedChange(
        "POLA", 2024, Metric.SOX, Decimal(-98), Decimal(-99), "whole percent", _POLA_2024
    ),
    PublishedChange(
        "POLA", 2024, Metric.NOX, Decimal(-73), Decimal(-81), "whole percent", _POLA_2024
    ),
    PublishedChange(
        "POLA", 2024, Metric.GHG, Decimal(-18), Decimal(-40), "whole percent", _POLA_2024
    ),
    PublishedChange("POLB", 2024, Metric.DPM, Decimal(-90), None, _POLB_PRECISION, _POLB_APPROVAL),
    PublishedChange("POLB", 2024, Metric.NOX, Decimal(-68), None, _POLB_PRECISION, _POLB_APPROVAL),
    PublishedChange("POLB", 2024, Metric.SOX, Decimal(-98), None, _POLB_PRECISION, _POLB_APPROVAL),
]


def _inventory(party: Party, year: int) -> EmissionsInventory:
    now = timezone.now()
    inventory, created = EmissionsInventory.objects.get_or_create(
        party=party,
        year=year,
        defaults={
            "status": InventoryStatus.ACCEPTED,
            "submitted_at": now,
            "reviewed_at": now,
            "review_note": "Public figures loaded from the public record.",
        },
    )
    if created:
        audit_record(
            actor=None,
            action="emissions_inventory.seeded",
            obj=inventory,
            after={"party": party.pk, "year": year, "status": inventory.status},
        )
    return inventory


@transaction.atomic
def seed_public_inventories() -> int:
    """Create the public figures that are missing; return how many figures were created."""
    ports = {p.code: p for p in Party.objects.ports()}
    created = 0
    with PUBLIC_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            inventory = _inventory(ports[row["port"]], int(row["year"]))
            _, made = InventoryFigure.objects.get_or_create(
                inventory=inventory,
                metric=row["metric"],
                defaults={
                    "value": Decimal(row["value"]),
                    "basis": FigureBasis.PUBLISHED,
                    "precision": row["precision"],
                    "source": row["source"],
                },
            )
            created += made
    for change in PUBLISHED_CHANGES:
        inventory = _inventory(ports[change.port], change.year)
        _, made = InventoryFigure.objects.get_or_create(
            inventory=inventory,
            metric=change.metric,
            defaults={
                "value": None,
                "basis": FigureBasis.PUBLISHED_REDUCTION,
                "change_vs_2005_pct": change.change_pct,
                "intensity_change_vs_2005_pct": change.intensity_change_pct,
                "precision": change.precision,
                "source": change.source,
            },
        )
        created += made
    return created


# The CAAP 2017 update's targets (../shared/AGREEMENT.md, "CAAP context").
_CAAP_2017 = "Clean Air Action Plan 2017 update"
CAAP_TARGETS = [
    {
        "code": "che_zero_emission_2030",
        "title": "Zero-emission cargo handling equipment by 2030",
        "measure": CaapMeasure.ZERO_EMISSION_SHARE,
        "category": SourceCategory.CHE,
        "target_year": 2030,
        "target_value": Decimal(100),
    },
    {
        "code": "drayage_zero_emission_2035",
        "title": "Zero-emission drayage trucks by 2035",
        "measure": CaapMeasure.ZERO_EMISSION_SHARE,
        "category": SourceCategory.TRUCKS,
        "target_year": 2035,
        "target_value": Decimal(100),
    },
    {
        "code": "ghg_2030",
        "title": "Greenhouse gases 40 % below 1990 by 2030",
        "measure": CaapMeasure.CHANGE_VS_BASELINE,
        "metric": Metric.GHG,
        "baseline_year": 1990,
        "target_year": 2030,
        "target_value": Decimal(-40),
    },
    {
        "code": "ghg_2050",
        "title": "Greenhouse gases 80 % below 1990 by 2050",
        "measure": CaapMeasure.CHANGE_VS_BASELINE,
        "metric": Metric.GHG,
        "baseline_year": 1990,
        "target_year": 2050,
        "target_value": Decimal(-80),
    },
]


def seed_caap_targets() -> int:
    """Create the CAAP 2017 targets that are missing (an edited one is kept); how many."""
    created = 0
    for order, target in enumerate(CAAP_TARGETS):
        fields = {k: v for k, v in target.items() if k != "code"}
        _, made = CaapTarget.objects.get_or_create(
            code=target["code"], defaults={**fields, "adopted": _CAAP_2017, "order": order}
        )
        created += made
    return created
