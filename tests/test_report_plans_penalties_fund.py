"""The annual report and the board status report show the plans, defaults, penalties and
the Clean Air Mitigation Fund as recorded in the database: real PDFs, read back with pypdf.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from penalties.models import Default, FundEntry, FundEntryKind, MitigationFund, Penalty
from penalties.sweep import sweep_deadlines
from plans.models import InfrastructureProject
from reports import rendering
from reports.models import ReportRun, ReportStatus
from reports.services import report_run_request
from reports.tasks import render_report_run
from reports.templatetags.reports_pdf import money, pacific_date

from .factories import MilestoneFactory
from .report_data import CUTOFF, build_2027, pacific, record_after_cutoff


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def year_2027(pola, polb, pola_staff, reviewer, administrator):
    return build_2027(
        pola=pola, polb=polb, pola_staff=pola_staff, reviewer=reviewer, administrator=administrator
    )


def _fold(reader: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _run_text(run: ReportRun) -> str:
    return _fold(PdfReader(run.pdf.path))


def _pdf_text(**kwargs) -> str:
    html = rendering.annual_report_html(version=None, **kwargs)
    return _fold(PdfReader(BytesIO(rendering.html_to_pdf(html))))


def _render_at_cutoff(administrator, party=None) -> str:
    with time_machine.travel(CUTOFF, tick=False):
        run = report_run_request(year=2027, party=party, actor=administrator)
        assert render_report_run.run(run.pk) == ReportStatus.READY
    run.refresh_from_db()
    assert run.data_cutoff == CUTOFF
    return _run_text(run)


def test_the_pdf_shows_the_plan_status_and_projects_recorded_in_the_database(
    year_2027, administrator, pola
):
    text = _render_at_cutoff(administrator, party=pola)
    latest, approved = year_2027.latest, year_2027.approved
    assert f"Version {latest.number} (Final plan (for approval)) Submitted 2027-05-05" in text
    assert f"2027-04-20 (version {approved.number})" in text
    assert "Met on time (due 2027-05-31)" in text
    assert "Not yet due (due 2027-12-31)" in text
    assert "Phase 2 Not submitted" in text
    projects = InfrastructureProject.objects.filter(version=approved)
    che = projects.filter(category__code="che_container")
    drayage = projects.filter(category__code="drayage")
    che_cost = che.aggregate(s=Sum("estimated_cost"))["s"]
    drayage_cost = drayage.aggregate(s=Sum("estimated_cost"))["s"]
    total = projects.aggregate(s=Sum("estimated_cost"))["s"]
    assert (che.count(), che_cost) == (2, Decimal("90000000.00"))
    assert (
        f"Cargo handling equipment at container terminals {che.count()} {money(che_cost)}" in text
    )
    assert f"Drayage trucks {drayage.count()} {money(drayage_cost)}" in text
    assert f"Total {projects.count()} {money(total)}" in text
    assert "$102,345,678.90" in text
    assert "Phase 1: infrastructure projects by category (version 1)" in text


def test_the_pdf_shows_each_default_and_penalty_and_the_totals_of_the_database(
    year_2027, administrator, pola, polb
):
    text = _render_at_cutoff(administrator)
    for d in Default.objects.select_related("penalty", "milestone"):
        penalty: Penalty = d.penalty
        cured = f"Yes, {pacific_date(d.cured_at)}" if d.is_cured else "No"
        row = (
            f"{d.ordinal} {d.milestone.title} {d.due_date:%Y-%m-%d} {money(penalty.amount)} "
            f"{'† ' if penalty.is_provisional else ''}{penalty.get_status_display()} {cured}"
        )
        assert row in text, row
    assert "1 Berth 100 chargers energised 2027-01-05 $50,000.00 † Paid Yes, 2027-02-15" in text
    assert "2 Pier 300 crane conversion 2027-02-09 $100,000.00 † Waived No" in text
    assert "1 Pier J substation 2027-03-01 $50,000.00 † Assessed No" in text
    # The seeded schedule is provisional: the report says so under the table.
    assert "† Amount from the penalty schedule stored as provisional" in text
    pola_penalties = Penalty.objects.filter(party=pola)
    assessed = pola_penalties.aggregate(s=Sum("amount"))["s"]
    paid = pola_penalties.filter(status="paid").aggregate(s=Sum("amount"))["s"]
    waived = pola_penalties.filter(status="waived").aggregate(s=Sum("amount"))["s"]
    # The summary: defaults, assessed, paid, outstanding per port.
    assert f"Port of Los Angeles 2 {money(assessed)} {money(paid)} $0.00" in text
    assert "Port of Long Beach 1 $50,000.00 $0.00 $50,000.00" in text
    assert f"Penalties assessed (not withdrawn) {money(assessed)}" in text
    assert f"Paid {money(paid)}" in text and f"Waived {money(waived)}" in text
    assert "Defaults with a deadline in 2027 (2)" in text
    assert "All defaults up to the end of 2027 (cumulative) (2)" in text


def test_the_pdf_shows_the_funds_receipts_disbursements_and_balance_of_the_database(
    year_2027, administrator
):
    text = _render_at_cutoff(administrator)
    received = FundEntry.objects.filter(kind=FundEntryKind.RECEIPT).aggregate(s=Sum("amount"))["s"]
    disbursed = FundEntry.objects.filter(kind=FundEntryKind.DISBURSEMENT).aggregate(
        s=Sum("amount")
    )["s"]
    balance = MitigationFund.objects.get().balance
    assert (received, disbursed, balance) == (
        Decimal("50000.00"),
        Decimal("20000.00"),
        Decimal("30000.00"),
    )
    assert f"Receipts (penalties paid) {money(received)} {money(received)}" in text
    assert f"Disbursements (community projects) {money(disbursed)} {money(disbursed)}" in text
    assert f"Balance at the end of 2027 — {money(balance)}" in text
    assert "Port of Los Angeles $50,000.00 $50,000.00" in text
    assert "Port of Long Beach $0.00 $0.00" in text
    assert "2027-03-15 Wilmington school air filters Wilmington $20,000.00" in text
    assert "Community projects funded in 2027 (1)" in text
    assert (
        f"received {money(received)} and disbursed {money(disbursed)} in 2027; "
        f"balance at the end of 2027: {money(balance)}."
    ) in text
    assert "Clean Air Mitigation Fund No data recorded yet." not in text


def test_sections_with_nothing_recorded_are_folded_into_one_line(agreement, administrator, pola):
    text = _render_at_cutoff(administrator, party=pola)
    assert (
        "No data recorded yet for: Port of Los Angeles: plan status, progress against plan "
        "targets, defaults and penalties, emissions; Clean Air Mitigation Fund; changes to "
        "deadlines."
    ) in text
    for heading in (
        "Plan status by phase and category No data recorded yet.",
        "Defaults and penalties No data recorded yet.",
        "Clean Air Mitigation Fund No data recorded yet.",
    ):
        assert heading not in text
    assert "$" not in text


def test_rows_recorded_after_the_cutoff_are_left_out(
    year_2027, administrator, reviewer, pola, polb
):
    late = record_after_cutoff(
        data=year_2027, pola=pola, polb=polb, reviewer=reviewer, administrator=administrator
    )
    before = _pdf_text(year=2027, party=None, cutoff=CUTOFF)
    # Recorded after the cut-off: a default, a payment dated before it, a disbursement dated
    # before it, the approval of version 2 and the POLB draft plan default.
    assert f"{late.ordinal} {late.milestone.title} 2027-06-08" not in before
    assert "Pier 500 cranes — Project milestone 2027-06-08 Open" in before  # due, not met
    assert "Phase 1 draft plan" not in before.split("Defaults and penalties")[-1]
    assert "San Pedro bus electrification" not in before
    assert "1 Pier J substation 2027-03-01 $50,000.00 † Assessed No" in before
    assert "Port of Long Beach $0.00 $0.00" in before
    assert "Balance at the end of 2027 — $30,000.00" in before
    assert "Version 2 (Final plan (for approval)) Submitted 2027-05-05" in before
    # Met by the approval after the cut-off: open at the cut-off, in every table.
    assert "Not yet due (due 2027-12-31)" in before
    assert "Phase 1 approved plan Phase 1 Approved plan 2027-12-31 Open" in before

    after = _pdf_text(year=2027, party=None, cutoff=pacific(2027, 6, 30))
    assert f"{late.ordinal} {late.milestone.title} 2027-06-08 $200,000.00 † Assessed No" in after
    assert "San Pedro bus electrification" in after
    assert "1 Pier J substation 2027-03-01 $50,000.00 † Paid No" in after
    assert "Port of Long Beach $50,000.00 $50,000.00" in after
    assert "Balance at the end of 2027 — $75,000.00" in after
    assert (
        "Version 2 (Final plan (for approval)) Approved 2027-05-05 2027-06-10 (version 2)" in after
    )
    assert "Met on time (due 2027-05-31) Met on time (due 2027-12-31)" in after
    assert "Phase 1 approved plan Phase 1 Approved plan 2027-12-31 Met" in after


def test_building_the_report_takes_the_same_queries_for_2_and_20_defaults(year_2027, pola):
    with CaptureQueriesContext(connection) as two:
        rendering.annual_report_html(year=2027, party=None, cutoff=CUTOFF, version=1)
    for n in range(18):
        MilestoneFactory.create(party=pola, title=f"Charger {n}", due_date=dt.date(2027, 3, 10))
    with time_machine.travel(pacific(2027, 3, 11, 9), tick=False):
        sweep_deadlines(pacific(2027, 3, 11, 9))
    assert Default.objects.filter(party=pola).count() == 20
    with CaptureQueriesContext(connection) as twenty:
        html = rendering.annual_report_html(year=2027, party=None, cutoff=CUTOFF, version=1)
    assert "Charger 17" in html
    # The ports, plan status (5), defaults, cost recovery, the inventories and the target
    # progress of both ports (one each), milestones (2 a port), the fund, the date changes,
    # the regulator for the cover and the CAAP targets.
    assert len(twenty.captured_queries) == len(two.captured_queries) == 18


def test_the_board_status_report_lists_the_penalties_assessed_this_year(year_2027, pola, polb):
    now = CUTOFF
    with time_machine.travel(now, tick=False):
        html = rendering.board_status_html(parties=[pola, polb], now=now)
    reader = PdfReader(BytesIO(rendering.html_to_pdf(html)))
    # The agreement's page (rulemaking pause, withdrawal) comes first, then one per port.
    assert len(reader.pages) == 3
    pola_text = " ".join(reader.pages[1].extract_text().split())
    polb_text = " ".join(reader.pages[2].extract_text().split())
    paid, waived = year_2027.pola_paid.penalty, year_2027.pola_waived.penalty
    # The seeded schedule is provisional: each amount is marked and the note says why.
    assert (
        f"Berth 100 chargers energised 2027-01-06 1 {money(paid.amount)} † "
        f"{paid.get_status_display()}" in pola_text
    )
    assert f"Pier 300 crane conversion 2027-02-10 2 {money(waived.amount)} † Waived" in pola_text
    assert "Penalties assessed in 2027 (2)" in pola_text
    assert "Total (not withdrawn) $150,000.00" in pola_text
    assert "† Amount from the penalty schedule stored as provisional" in pola_text
    assert "Pier J substation 2027-03-02 1 $50,000.00 † Assessed" in polb_text
    assert "No data recorded yet." not in pola_text + polb_text

    with time_machine.travel(pacific(2028, 1, 2), tick=False):
        html = rendering.board_status_html(parties=[pola], now=pacific(2028, 1, 2))
    text = _fold(PdfReader(BytesIO(rendering.html_to_pdf(html))))
    assert "Penalties assessed in 2028 (0) " in text
    assert "No penalty has been assessed this year." in text
