"""Annual report runs render real PDFs, read back with pypdf."""

import datetime as dt
import hashlib
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any, cast

import pytest
import weasyprint
from django.core.management import call_command
from pypdf import PdfReader

from agreement.models import DateChangeKind, Milestone, MilestoneStatus
from agreement.services import milestone_change_due_date
from audit.models import AuditEvent
from reports import sections
from reports.models import InventoryFigure, ReportRun, ReportStatus
from reports.seed import seed_public_inventories
from reports.services import report_run_request, report_run_retry
from reports.tasks import render_report_run
from reports.templatetags.reports_pdf import num
from tests.commits import work

from .factories import MilestoneFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def seeded(agreement):
    seed_public_inventories()


def _text(run: ReportRun) -> tuple[PdfReader, str]:
    """The PDF and its text, with line breaks of table cells folded into spaces."""
    reader = PdfReader(run.pdf.path)
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_shows_the_databases_figures_for_a_seeded_year(seeded, administrator, pola):
    run = report_run_request(year=2012, party=pola, actor=administrator)
    assert render_report_run.run(run.pk) == ReportStatus.READY
    run.refresh_from_db()
    _, text = _text(run)
    figures = InventoryFigure.objects.filter(inventory__party=pola, inventory__year=2012)
    assert figures.count() == 4
    for figure in figures:
        assert num(figure.value) in text, figure.metric
    # Change vs 2005, computed in reports/derived.py: 185 / 891, 7177 / 16331, 631 / 5306.
    for change in ("-79%", "-56%", "-88%"):
        assert change in text
    assert "891" in text and "16,331" in text and "7,480,000" in text
    assert "No data recorded yet." in text  # no plans, defaults or fund entries in 2012


def test_the_pdf_has_title_language_bookmarks_page_numbers_and_a_hash(seeded, administrator):
    run = report_run_request(year=2024, party=None, actor=administrator)
    render_report_run.run(run.pk)
    run.refresh_from_db()
    reader, text = _text(run)
    assert reader.metadata is not None
    assert (
        reader.metadata.title
        == "Annual progress report 2024: Port of Los Angeles and Port of Long Beach"
    )
    catalog: Any = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en"
    assert catalog["/MarkInfo"]["/Marked"]
    bookmarks = [o.title for o in reader.outline if not isinstance(o, list)]
    assert {
        "Contents",
        "Executive summary",
        "Summary",
        "Port of Los Angeles",
        "Port of Long Beach",
    } <= set(bookmarks)
    # No due date was changed: no appendix page, a mention in the folded line instead.
    assert "Appendix: changes to deadlines" not in bookmarks
    assert "changes to deadlines." in text
    pages = len(reader.pages)
    assert pages == run.page_count
    assert pages >= 6
    assert f"Page 2 of {pages}" in reader.pages[1].extract_text()
    assert "Data cut-off" in text
    data = Path(run.pdf.path).read_bytes()
    assert hashlib.sha256(data).hexdigest() == run.sha256
    assert str(run.pdf.name).endswith(f"-v1-{run.sha256[:12]}.pdf")
    # Published percentages are shown as such; tonnages derived from them are marked.
    assert "-73% (published)" in text
    assert "89.1*" in text


def test_regenerating_makes_a_new_version_and_keeps_the_old_file(seeded, administrator, polb):
    first = report_run_request(year=2024, party=polb, actor=administrator)
    render_report_run.run(first.pk)
    second = report_run_request(year=2024, party=polb, actor=administrator)
    render_report_run.run(second.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert first.pdf.name != second.pdf.name
    assert Path(first.pdf.path).exists() and Path(second.pdf.path).exists()


def test_a_rendering_error_marks_the_run_failed_and_a_retry_succeeds(
    seeded, administrator, pola, monkeypatch, media
):
    def broken(*args, **kwargs):
        raise RuntimeError("font cache unavailable")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)
    run = report_run_request(year=2012, party=pola, actor=administrator)
    assert render_report_run.run(run.pk) == ReportStatus.FAILED
    run.refresh_from_db()
    assert run.status == ReportStatus.FAILED
    assert run.error == "RuntimeError: font cache unavailable"
    assert not run.pdf and not run.is_downloadable
    assert not list(Path(media).rglob("*.pdf*"))
    assert AuditEvent.objects.filter(action="report_run.failed", object_id=str(run.pk)).exists()

    monkeypatch.undo()
    report_run_retry(run=run, actor=administrator)
    assert render_report_run.run(run.pk) == ReportStatus.READY
    run.refresh_from_db()
    assert (run.status, run.error, run.attempts, run.version) == (ReportStatus.READY, "", 2, 1)
    assert run.is_downloadable


def test_running_the_task_twice_renders_once(seeded, administrator, pola):
    run = report_run_request(year=2012, party=pola, actor=administrator)
    render_report_run.run(run.pk)
    run.refresh_from_db()
    sha = run.sha256
    assert render_report_run.run(run.pk) == ReportStatus.READY
    run.refresh_from_db()
    assert (run.sha256, run.attempts) == (sha, 1)


def test_the_task_is_enqueued_only_after_commit(
    agreement, administrator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = report_run_request(year=2024, party=None, actor=administrator)
    assert len(work(callbacks)) == 1
    assert ReportRun.objects.get(pk=run.pk).status == ReportStatus.QUEUED


def test_milestones_of_the_year_by_outcome_and_the_deadline_appendix(
    agreement, administrator, pola
):
    cutoff = dt.datetime(2028, 1, 15, tzinfo=dt.UTC)
    MilestoneFactory(
        party=pola,
        title="Chargers met",
        due_date=dt.date(2027, 6, 30),
        status=MilestoneStatus.MET,
        completed_at=dt.datetime(2027, 6, 1, tzinfo=dt.UTC),
    )
    MilestoneFactory(party=pola, title="Cranes missed", due_date=dt.date(2027, 7, 31))
    MilestoneFactory(
        party=pola,
        title="Berth excused",
        due_date=dt.date(2027, 8, 31),
        status=MilestoneStatus.EXCUSED,
        completed_at=dt.datetime(2027, 8, 1, tzinfo=dt.UTC),
    )
    moved = MilestoneFactory(party=pola, title="Substation extended", due_date=dt.date(2027, 9, 30))
    milestone_change_due_date(
        milestone=cast(Milestone, moved),
        new_due_date=dt.date(2028, 3, 31),
        kind=DateChangeKind.EXTENSION,
        reason="Utility interconnection delayed",
        actor=administrator,
    )
    summary = sections.milestone_summary(party=pola, year=2027, cutoff=cutoff)
    assert [m.title for m in summary.met] == ["Chargers met"]
    # Also seeded and past due by the cut-off: the 2026 annual report (due 2027-03-31) and
    # the phase 1 draft (2027-05-31) and approved plan (2027-12-31).
    assert [m.title for m in summary.missed] == [
        "Annual report 2026",
        "Phase 1 draft plan",
        "Cranes missed",
        "Phase 1 approved plan",
    ]
    assert [m.title for m in summary.excused] == ["Berth excused"]
    assert [m.title for m in summary.extended] == ["Substation extended"]
    assert "Substation extended" in [m.title for m in summary.open]

    run = report_run_request(year=2027, party=pola, actor=administrator)
    render_report_run.run(run.pk)
    run.refresh_from_db()
    _, text = _text(run)
    assert "Utility interconnection delayed" in text
    assert "Phase 1 draft plan Phase 1 Draft plan 2027-05-31 (provisional)" in text
    assert "2027-09-30" in text and "2028-03-31" in text


def test_render_annual_report_command_prints_the_pdf_path(seeded):
    out = StringIO()
    call_command("render_annual_report", "2012", "--port", "POLA", stdout=out)
    path = Path(out.getvalue().strip())
    assert path.exists() and path.read_bytes().startswith(b"%PDF")
    run = ReportRun.objects.get()
    assert run.requested_by is None and run.status == ReportStatus.READY
    assert Decimal(run.size_bytes or 0) == path.stat().st_size


def test_a_run_left_rendering_by_a_dead_worker_is_taken_over_only_once_stale(seeded, pola):
    from django.utils import timezone

    fresh = ReportRun.objects.create(
        year=2012, party=pola, version=1, status=ReportStatus.RENDERING, started_at=timezone.now()
    )
    assert render_report_run.run(fresh.pk) == ReportStatus.RENDERING  # another worker has it
    stale = ReportRun.objects.create(
        year=2012,
        party=pola,
        version=2,
        status=ReportStatus.RENDERING,
        started_at=timezone.now() - dt.timedelta(minutes=30),
        attempts=1,
    )
    assert render_report_run.run(stale.pk) == ReportStatus.READY
    stale.refresh_from_db()
    assert stale.attempts == 2
