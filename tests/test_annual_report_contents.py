"""What the annual progress report tells the Governing Board, read back from the real PDF:
the cover and its transmittal line, the executive summary AQMD writes (required to
publish), the latest inventory available at the cut-off, due dates as they stood at the
cut-off, a single port's share of the fund, progress against the plans' targets, and empty
sections folded into one line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from agreement.models import DateChangeKind, Phase
from agreement.selectors import milestones_as_at
from agreement.services import milestone_change_due_date
from core.errors import ServiceError
from penalties.milestone_requests import request_decide, request_file
from plans import services as plan_services
from plans.models import VersionKind
from reports import rendering
from reports.models import ReportRun, ReportStatus
from reports.seed import seed_public_inventories
from reports.services import report_run_publish, report_run_render, report_run_request
from tests.clients import api_as

from .factories import MilestoneFactory
from .plans.conftest import make_draft
from .report_data import CUTOFF, build_2027, pacific


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _fold(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def pdf_text(**kwargs) -> str:
    kwargs.setdefault("version", None)
    return _fold(rendering.html_to_pdf(rendering.annual_report_html(**kwargs)))


def rendered(run: ReportRun) -> tuple[ReportRun, str]:
    run = report_run_render(run_id=run.pk)
    assert run.status == ReportStatus.READY, run.error
    with open(run.pdf.path, "rb") as handle:
        return run, _fold(handle.read())


# --- Cover and executive summary ---------------------------------------------------------


def test_the_cover_names_aqmd_the_report_number_the_date_and_the_addressees(
    agreement, administrator, pola
):
    with time_machine.travel(pacific(2028, 3, 20), tick=False):
        run = report_run_request(
            year=2027,
            party=pola,
            actor=administrator,
            executive_summary="The Port of Los Angeles met every milestone due in 2027.",
            enqueue=False,
        )
        run, text = rendered(run)
    assert run.report_number == "CA-2027-POLA-1"
    cover = text.split("Contents")[0]
    assert cover.startswith("South Coast Air Quality Management District Annual progress report")
    assert "Report number: CA-2027-POLA-1" in cover
    assert "Date: 2028-03-20" in cover
    assert (
        "Transmitted by the South Coast Air Quality Management District to: Governing Board, "
        "South Coast Air Quality Management District; Board of Harbor Commissioners, Port of "
        "Los Angeles."
    ) in cover
    assert "Executive summary The Port of Los Angeles met every milestone due in 2027." in text


def test_a_run_without_an_executive_summary_renders_as_a_draft_and_cannot_be_published(
    agreement, administrator, pola
):
    run, text = rendered(
        report_run_request(year=2026, party=pola, actor=administrator, enqueue=False)
    )
    assert "DRAFT: no executive summary has been written for this version" in text
    with pytest.raises(ServiceError) as refused:
        report_run_publish(run=run, actor=administrator)
    assert "executive_summary" in refused.value.fields
    response = api_as(administrator).post(f"/api/v1/report-runs/{run.pk}/publish/")
    assert response.status_code == 400
    assert "executive_summary" in response.json()["error"]["fields"]
    run.refresh_from_db()
    assert run.is_published is False

    response = api_as(administrator).post(
        "/api/v1/report-runs/generate/",
        {"year": 2026, "port": "POLA", "executive_summary": "Written by AQMD staff."},
        format="json",
    )
    assert response.status_code == 201, response.content
    second = ReportRun.objects.get(pk=response.json()["id"])
    assert second.executive_summary == "Written by AQMD staff."
    second, _text = rendered(second)
    assert report_run_publish(run=second, actor=administrator).is_published


# --- The latest inventory available at the cut-off ---------------------------------------


def test_a_march_report_shows_the_latest_inventory_available_not_dashes(agreement, pola):
    seed_public_inventories()
    text = pdf_text(year=2027, party=pola, cutoff=pacific(2028, 3, 15))
    assert (
        "The 2027 inventory was not available at the data cut-off; this is the latest "
        "available: 2024."
    ) in text
    assert "Port of Los Angeles 2024 -90% -73% -98% -18%" in text  # the summary's row
    assert "-73% (published)" in text


def test_an_inventory_accepted_after_the_cutoff_is_not_shown(agreement, pola):
    with time_machine.travel(pacific(2028, 4, 1), tick=False):
        seed_public_inventories()  # accepted after the cut-off below
    text = pdf_text(year=2027, party=pola, cutoff=pacific(2028, 3, 15))
    assert "-73% (published)" not in text
    assert "Port of Los Angeles: plan status" in text and "emissions;" in text


# --- Due dates as they stood at the cut-off ----------------------------------------------


@pytest.fixture
def moved(pola, administrator):
    """Three milestones of POLA and the changes of their due dates around the cut-off."""
    stays = MilestoneFactory.create(
        party=pola, title="Pier 400 substation", due_date=dt.date(2027, 6, 30)
    )
    into_2027 = MilestoneFactory.create(
        party=pola, title="Berth 200 shore power", due_date=dt.date(2028, 2, 28)
    )
    extended = MilestoneFactory.create(
        party=pola, title="Terminal Island chargers", due_date=dt.date(2027, 3, 1)
    )

    def change(milestone, new, when, kind=DateChangeKind.AMENDMENT):
        with time_machine.travel(when, tick=False):
            milestone_change_due_date(
                milestone=milestone,
                new_due_date=new,
                kind=kind,
                reason="Recorded for the test",
                actor=administrator,
                check_permission=False,
            )

    change(extended, dt.date(2027, 9, 30), pacific(2027, 2, 20), DateChangeKind.EXTENSION)
    change(stays, dt.date(2028, 1, 31), pacific(2027, 6, 10))  # after the cut-off
    change(into_2027, dt.date(2027, 11, 30), pacific(2027, 6, 12))  # after the cut-off
    return stays, into_2027, extended


def test_the_selector_gives_each_due_date_as_it_stood_at_the_cutoff(moved):
    stays, into_2027, extended = moved
    at = {m.pk: m.due_date_at_cutoff for m in milestones_as_at(CUTOFF)}  # type: ignore[attr-defined]
    assert at[stays.pk] == dt.date(2027, 6, 30)
    assert at[into_2027.pk] == dt.date(2028, 2, 28)
    assert at[extended.pk] == dt.date(2027, 9, 30)
    later = milestones_as_at(pacific(2027, 7, 1))
    now = {m.pk: m.due_date_at_cutoff for m in later}  # type: ignore[attr-defined]
    assert now[stays.pk] == dt.date(2028, 1, 31)


def test_the_report_lists_milestones_with_their_due_dates_at_the_cutoff(moved, pola):
    text = pdf_text(year=2027, party=pola, cutoff=CUTOFF)
    assert "Pier 400 substation — Project milestone 2027-06-30 Open" in text
    assert "Terminal Island chargers — Project milestone 2027-09-30 Open" in text
    assert "Berth 200 shore power" not in text  # moved into 2027 only after the cut-off
    assert "2028-01-31" not in text

    later = pdf_text(year=2027, party=pola, cutoff=pacific(2027, 7, 1))
    assert "Berth 200 shore power — Project milestone 2027-11-30 Open" in later


# --- The fund: a single port's share -----------------------------------------------------


def test_a_single_port_report_shows_that_ports_share_of_the_fund(
    pola, polb, pola_staff, reviewer, administrator
):
    build_2027(
        pola=pola, polb=polb, pola_staff=pola_staff, reviewer=reviewer, administrator=administrator
    )
    text = pdf_text(year=2027, party=pola, cutoff=CUTOFF)
    assert "Port of Los Angeles's share of the fund: penalties it paid in" in text
    assert "Receipts (penalties paid) $50,000.00 $50,000.00" in text
    assert "Share of all receipts — 100 %" in text
    assert "Wilmington school air filters" not in text  # the whole fund's disbursements
    assert "Balance at the end of 2027" not in text
    assert "Port of Los Angeles paid in $50,000.00 in 2027 and $50,000.00 up to the end" in text

    polb_text = pdf_text(year=2027, party=polb, cutoff=CUTOFF)  # POLB paid after the cut-off
    assert "Clean Air Mitigation Fund; changes to deadlines." in polb_text

    combined = pdf_text(year=2027, party=None, cutoff=CUTOFF)
    assert "Wilmington school air filters" in combined
    assert "Balance at the end of 2027 — $30,000.00" in combined


# --- Progress against the plans' targets -------------------------------------------------


def test_the_report_charts_targets_against_actuals_accepted_by_the_cutoff(
    agreement, pola, pola_staff, reviewer
):
    with time_machine.travel(pacific(2027, 4, 1), tick=False):
        version = make_draft(pola_staff, Phase.objects.get(number=1), kind=VersionKind.FINAL)
        plan_services.version_submit(version=version, actor=pola_staff)
        plan_services.version_decide(
            version=version, decision="approved", reasons="", actor=reviewer
        )
    target = version.targets.get()

    def accepted(value: str, year: int, when: dt.datetime) -> None:
        with time_machine.travel(when, tick=False):
            actual = request_file(
                kind="target_actual",
                subject=target,
                reason="Counted at the terminals",
                year=year,
                actual_value=Decimal(value),
                actor=pola_staff,
            )
            request_decide(request=actual, accept=True, note="", actor=reviewer)

    accepted("40", 2026, pacific(2027, 5, 2))
    accepted("55", 2027, pacific(2027, 6, 20))  # after the cut-off
    text = pdf_text(year=2027, party=pola, cutoff=CUTOFF)
    assert "Progress against the plans' targets" in text
    assert "Port of Los Angeles: target and verified actual per phase and category" in text
    assert "Share of zero-emission cargo handling equipment: 100 % by 2030" in text
    assert "40 % in 2026 40 %" in text
    assert "55 % in 2027" not in text

    later = pdf_text(year=2027, party=pola, cutoff=pacific(2027, 7, 1))
    assert "55 % in 2027 55 %" in later


# --- CAAP targets and emissions by source category ---------------------------------------


def test_the_report_shows_caap_progress_and_categories_up_to_its_year(agreement, pola):
    seed_public_inventories()
    text = pdf_text(year=2012, party=pola, cutoff=pacific(2028, 3, 15))
    assert "Clean Air Action Plan targets and emissions by source category" in text
    assert "Zero-emission cargo handling equipment by 2030" in text
    assert "No zero-emission share of cargo handling equipment recorded yet." in text
    assert "No accepted 1990 GHG inventory: progress vs 1990 cannot be computed." in text
    assert "Port of Los Angeles, 2012 inventory: emissions by source category" in text
    assert "2024 inventory" not in text  # later than the reporting year
    assert "Port total 185 7,177 631 —" in text


def test_aqmd_writes_the_summary_on_the_reports_page_and_a_draft_offers_no_publish(
    client, agreement, administrator, pola, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("reports:generate"),
            {"year": "2026", "party": str(pola.pk), "executive_summary": ""},
        )
        client.post(
            reverse("reports:generate"),
            {"year": "2026", "party": str(pola.pk), "executive_summary": "Both on track."},
        )
    draft, final = ReportRun.objects.order_by("version")
    assert (draft.executive_summary, final.executive_summary) == ("", "Both on track.")
    rendered(draft)
    rendered(final)
    page = client.get(reverse("reports:list")).content.decode()
    draft_row = page.split(f'id="run-{draft.pk}"')[1].split("</tr>")[0]
    final_row = page.split(f'id="run-{final.pk}"')[1].split("</tr>")[0]
    assert "no executive summary (needed to publish)" in draft_row
    assert "Publish" not in draft_row
    assert "Publish" in final_row
