"""Port staff enter their own port's inventory; AQMD accepts or rejects it."""

from decimal import Decimal

import pytest

from audit.models import AuditEvent
from core.errors import Forbidden, ServiceError
from reports.inventory_services import FigureInput, inventory_review, inventory_save
from reports.models import InventoryStatus, Metric


def _figures(dpm="150"):
    return [
        FigureInput(Metric.DPM, Decimal(dpm), source="port inventory"),
        FigureInput(Metric.TEU, Decimal(9_000_000), source="port statistics"),
    ]


def test_port_staff_entry_goes_to_aqmd_review_and_is_audited(pola_staff, pola):
    inventory, _ = inventory_save(party=pola, year=2014, figures=_figures(), actor=pola_staff)
    assert inventory.status == InventoryStatus.SUBMITTED
    assert inventory.submitted_by == pola_staff
    event = AuditEvent.objects.get(action="emissions_inventory.entered")
    assert event.after is not None
    assert event.after["figures"]["DPM"]["value"] == "150.000"


def test_port_staff_cannot_enter_the_other_ports_inventory(pola_staff, polb):
    with pytest.raises(Forbidden):
        inventory_save(party=polb, year=2014, figures=_figures(), actor=pola_staff)


def test_an_administrators_entry_is_accepted_at_once(administrator, polb):
    inventory, _ = inventory_save(party=polb, year=2014, figures=_figures(), actor=administrator)
    assert inventory.status == InventoryStatus.ACCEPTED
    assert inventory.reviewed_by == administrator


def test_reviewer_accepts_and_accepting_again_changes_nothing(pola_staff, reviewer, pola):
    inventory, _ = inventory_save(party=pola, year=2014, figures=_figures(), actor=pola_staff)
    inventory_review(inventory=inventory, accept=True, note="", actor=reviewer)
    inventory.refresh_from_db()
    assert inventory.status == InventoryStatus.ACCEPTED
    events = AuditEvent.objects.count()
    inventory_review(inventory=inventory, accept=True, note="", actor=reviewer)
    assert AuditEvent.objects.count() == events


def test_rejection_needs_a_reason_and_correction_resubmits(pola_staff, reviewer, pola):
    inventory, _ = inventory_save(party=pola, year=2014, figures=_figures(), actor=pola_staff)
    with pytest.raises(ServiceError) as caught:
        inventory_review(inventory=inventory, accept=False, note=" ", actor=reviewer)
    assert "note" in caught.value.fields
    inventory_review(inventory=inventory, accept=False, note="DPM looks high", actor=reviewer)
    inventory.refresh_from_db()
    assert (inventory.status, inventory.review_note) == (InventoryStatus.REJECTED, "DPM looks high")
    with pytest.raises(ServiceError):
        inventory_review(inventory=inventory, accept=True, note="", actor=reviewer)
    inventory, _ = inventory_save(party=pola, year=2014, figures=_figures("140"), actor=pola_staff)
    assert inventory.status == InventoryStatus.SUBMITTED
    assert inventory.figures.get(metric="DPM").value == Decimal(140)


def test_port_staff_cannot_review_their_own_figures(pola_staff, pola):
    inventory, _ = inventory_save(party=pola, year=2014, figures=_figures(), actor=pola_staff)
    with pytest.raises(Forbidden):
        inventory_review(inventory=inventory, accept=True, note="", actor=pola_staff)


def test_bad_figures_are_refused_with_field_errors(pola_staff, pola):
    with pytest.raises(ServiceError) as caught:
        inventory_save(
            party=pola,
            year=2014,
            figures=[FigureInput(Metric.NOX, Decimal(-1), source="")],
            actor=pola_staff,
        )
    assert set(caught.value.fields) == {"NOx.value", "NOx.source"}


def test_correcting_a_figure_keeps_the_others_sources_and_the_published_percentages(
    administrator, pola
):
    from reports.models import EmissionsInventory
    from reports.seed import seed_public_inventories

    seed_public_inventories()
    inventory = EmissionsInventory.objects.get(party=pola, year=2024)
    before = {f.metric: (f.value, f.source) for f in inventory.figures.all()}
    inventory_save(
        party=pola,
        year=2024,
        figures=[
            FigureInput(Metric.TEU, Decimal(10_300_000), source="typed in the form"),
            FigureInput(Metric.DPM, Decimal(90), basis="illustrative", source="demo"),
        ],
        actor=administrator,
    )
    after = {f.metric: (f.value, f.source, f.basis) for f in inventory.figures.all()}
    assert after["TEU"] == (*before["TEU"], "published")  # unchanged value keeps its source
    assert after["DPM"] == (Decimal(90), "demo", "illustrative")
    assert after["NOx"][2] == "published_reduction"  # % records are not form fields: kept
    assert set(after) == {"TEU", "DPM", "NOx", "SOx", "GHG"}


def test_saving_unchanged_figures_records_nothing(pola_staff, pola):
    inventory_save(party=pola, year=2014, figures=_figures(), actor=pola_staff)
    events = AuditEvent.objects.count()
    inventory_save(party=pola, year=2014, figures=_figures(), actor=pola_staff)
    assert AuditEvent.objects.count() == events
