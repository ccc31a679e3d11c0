"""The report pages: who sees, generates, downloads and publishes which run."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from reports.models import ReportRun, ReportStatus
from tests.commits import work

PDF = b"%PDF-1.7 test file"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _ready_run(year, party, version=1, published=False):
    run = ReportRun(
        year=year,
        party=party,
        version=version,
        status=ReportStatus.READY,
        executive_summary="Written by AQMD staff for the test.",
        data_cutoff=timezone.now(),
        sha256=hashlib.sha256(PDF).hexdigest(),
        page_count=1,
    )
    run.pdf.save(
        f"run-{year}-{version}-{party.code if party else 'both'}.pdf", ContentFile(PDF), save=False
    )
    if published:
        run.is_published, run.published_at = True, timezone.now()
    run.save()
    return run


@pytest.fixture
def runs(pola, polb):
    return {
        "pola": _ready_run(2026, pola),
        "polb": _ready_run(2026, polb),
        "combined": _ready_run(2026, None),
    }


def _status(client, user, run):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("reports:run-download", args=[run.pk])).status_code


@pytest.mark.parametrize("who", ["board_member", "reviewer", "administrator"])
def test_board_reviewers_and_administrators_download_every_run(client, runs, who, request):
    user = request.getfixturevalue(who)
    assert {k: _status(client, user, r) for k, r in runs.items()} == {
        "pola": 200,
        "polb": 200,
        "combined": 200,
    }


def test_port_staff_download_only_their_own_ports_runs(client, runs, pola_staff):
    assert {k: _status(client, pola_staff, r) for k, r in runs.items()} == {
        "pola": 200,
        "polb": 404,
        "combined": 404,
    }


def test_the_public_downloads_only_published_runs(client, runs, administrator):
    assert _status(client, None, runs["combined"]) == 404
    client.force_login(administrator)
    response = client.post(reverse("reports:run-publish", args=[runs["combined"].pk]))
    assert response.status_code == 302
    client.logout()
    response = client.get(reverse("reports:run-download", args=[runs["combined"].pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["X-Content-SHA256"] == runs["combined"].sha256
    listing = client.get(reverse("reports:list"))
    assert [r.pk for _y, rs in listing.context["runs_by_year"] for r in rs] == [runs["combined"].pk]


def test_only_administrators_publish(client, runs, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("reports:run-publish", args=[runs["pola"].pk]))
    assert response.status_code == 403
    runs["pola"].refresh_from_db()
    assert not runs["pola"].is_published


def test_a_failed_or_unfinished_run_is_never_downloadable(client, pola, board_member):
    failed = ReportRun.objects.create(
        year=2026, party=pola, version=1, status=ReportStatus.FAILED, error="boom"
    )
    queued = ReportRun.objects.create(year=2026, party=pola, version=2)
    client.force_login(board_member)
    assert client.get(reverse("reports:run-download", args=[failed.pk])).status_code == 404
    assert client.get(reverse("reports:run-download", args=[queued.pk])).status_code == 404


def test_aqmd_generates_a_new_version_and_the_row_polls_while_queued(
    client, runs, reviewer, pola, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("reports:generate"), {"year": 2026, "party": pola.pk})
    assert response.status_code == 302
    assert len(work(callbacks)) == 1  # the render task, enqueued after commit
    run = ReportRun.objects.get(party=pola, version=2)
    assert run.status == ReportStatus.QUEUED
    row = client.get(reverse("reports:run-row", args=[run.pk]))
    assert 'hx-trigger="every 2s"' in row.text
    assert "Queued" in row.text
    ready_row = client.get(reverse("reports:run-row", args=[runs["pola"].pk]))
    assert "hx-get" not in ready_row.text
    page = client.get(reverse("reports:list"))
    assert "htmx.min.js" in page.text
    assert 'http-equiv="refresh"' in page.text  # without JavaScript the page refreshes


@pytest.mark.parametrize("who", ["pola_staff", "board_member"])
def test_port_staff_and_board_members_cannot_generate(client, agreement, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("reports:generate"), {"year": 2026})
    assert response.status_code == 403
    assert not ReportRun.objects.exists()


def test_a_bad_year_is_refused_with_a_message(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("reports:generate"), {"year": 1900}, follow=True)
    assert not ReportRun.objects.exists()
    assert "greater than or equal to 2005" in response.text


def test_the_list_page_query_count_does_not_grow_with_runs(
    client, pola, board_member, django_assert_max_num_queries
):
    for version in range(1, 9):
        _ready_run(2026, pola, version=version)
    client.force_login(board_member)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("reports:list"))
    assert response.text.count("Download PDF") == 8


def test_the_board_status_report_has_one_page_per_port(client, board_member, pola_staff):
    client.force_login(board_member)
    response = client.get(reverse("reports:board-status"))
    assert response["Content-Type"] == "application/pdf"
    from io import BytesIO

    reader = PdfReader(BytesIO(response.content))
    # The agreement's page (rulemaking pause, withdrawal), then one page per port.
    assert len(reader.pages) == 3
    assert "The agreement: status for the Governing Board" in reader.pages[0].extract_text()
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Port of Los Angeles" in text and "Port of Long Beach" in text
    assert "No penalty has been assessed this year." in text
    client.force_login(pola_staff)
    reader = PdfReader(BytesIO(client.get(reverse("reports:board-status")).content))
    assert len(reader.pages) == 2
    assert "Port of Long Beach" not in " ".join(p.extract_text() for p in reader.pages)


def test_the_public_cannot_get_the_board_status_report(client, agreement):
    assert client.get(reverse("reports:board-status")).status_code == 403
