"""Report runs in the API: list, detail, generate, retry, publish and download, as on the
report pages (board, AQMD: every run; port staff: their port's; the public: published)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from reports.models import ReportRun, ReportStatus
from reports.seed import seed_public_inventories
from reports.services import report_run_publish, report_run_render, report_run_request
from tests.commits import work

from .conftest import error_of

PDF = b"%PDF-1.7 test file"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def ready_run(year, party, *, version=1, published=False) -> ReportRun:
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
    code = party.code if party else "both"
    run.pdf.save(f"run-{year}-{version}-{code}.pdf", ContentFile(PDF), save=False)
    if published:
        run.is_published, run.published_at = True, timezone.now()
    run.save()
    return run


@pytest.fixture
def runs(pola, polb):
    return {
        "pola": ready_run(2026, pola),
        "polb": ready_run(2026, polb),
        "combined": ready_run(2026, None, published=True),
        "pola_failed": ReportRun.objects.create(
            year=2025, party=pola, version=1, status=ReportStatus.FAILED, error="boom"
        ),
    }


def listed(client, query="") -> set[int]:
    response = client.get(f"/api/v1/report-runs/{query}")
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["results"]}


def test_each_role_lists_the_runs_it_may_see(client_as, runs):
    ids = {k: r.pk for k, r in runs.items()}
    every = set(ids.values())
    assert listed(client_as("board_member")) == every
    assert listed(client_as("reviewer")) == every
    assert listed(client_as("pola_staff")) == {ids["pola"], ids["pola_failed"], ids["combined"]}
    assert listed(client_as("anonymous")) == {ids["combined"]}


def test_the_list_filters_by_year_port_status_and_published_and_orders(client_as, runs):
    client = client_as("reviewer")
    assert listed(client, "?year=2025") == {runs["pola_failed"].pk}
    assert listed(client, "?port=polb") == {runs["polb"].pk}
    assert listed(client, "?combined=true") == {runs["combined"].pk}
    assert listed(client, "?status=failed") == {runs["pola_failed"].pk}
    assert listed(client, "?published=true") == {runs["combined"].pk}
    ordered = client.get("/api/v1/report-runs/?ordering=year,-port").json()["results"]
    assert [(r["year"], r["port"]) for r in ordered] == [
        (2025, "POLA"),
        (2026, None),  # PostgreSQL: the combined report (no port) first when descending
        (2026, "POLB"),
        (2026, "POLA"),
    ]
    paged = client.get("/api/v1/report-runs/?ordering=year&page_size=3&page=2").json()
    assert paged["count"] == 4 and len(paged["results"]) == 1


def test_the_detail_shows_status_version_hash_cutoff_and_publication(client_as, runs):
    body = client_as("pola_staff").get(f"/api/v1/report-runs/{runs['pola'].pk}/").json()
    assert body["status"] == "ready"
    assert body["version"] == 1
    assert body["port"] == "POLA"
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["data_cutoff"] is not None
    assert body["is_published"] is False
    assert body["download_url"] == f"/api/v1/report-runs/{runs['pola'].pk}/download/"
    failed = client_as("reviewer").get(f"/api/v1/report-runs/{runs['pola_failed'].pk}/").json()
    assert failed["error"] == "boom"
    assert failed["download_url"] is None


@pytest.mark.parametrize(
    ("role", "run"),
    [
        ("pola_staff", "polb"),
        ("pola_staff", "missing"),
        ("anonymous", "pola"),
        ("anonymous", "pola_failed"),
    ],
)
def test_a_run_the_user_may_not_see_is_not_found(client_as, runs, role, run):
    pk = runs[run].pk if run in runs else 999999
    client = client_as(role)
    for suffix in ("", "download/"):
        response = client.get(f"/api/v1/report-runs/{pk}/{suffix}")
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"


def test_generating_queues_a_new_version_rendered_after_commit(
    client_as, runs, pola, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_as("reviewer").post(
            "/api/v1/report-runs/generate/", {"year": 2026, "port": "POLA"}
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["version"], body["port"]) == ("queued", 2, "POLA")
    assert body["download_url"] is None
    assert len(work(callbacks)) == 1  # the render task, enqueued after commit
    assert ReportRun.objects.get(pk=body["id"]).status == ReportStatus.QUEUED


def test_generating_without_a_port_queues_the_combined_report(client_as, agreement):
    response = client_as("administrator").post("/api/v1/report-runs/generate/", {"year": 2026})
    assert response.status_code == 201
    assert response.json()["port"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [({"year": 1900}, "year"), ({"year": 2026, "port": "AQMD"}, "port"), ({}, "year")],
)
def test_generating_with_a_bad_year_or_port_names_the_field(client_as, agreement, body, field):
    response = client_as("reviewer").post("/api/v1/report-runs/generate/", body)
    assert response.status_code == 400
    assert field in error_of(response)["fields"]
    assert not ReportRun.objects.exists()


def test_retrying_a_failed_run_queues_it_again(client_as, runs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_as("reviewer").post(
            f"/api/v1/report-runs/{runs['pola_failed'].pk}/retry/"
        )
    assert response.status_code == 200
    assert response.json()["status"] == "queued"
    assert len(work(callbacks)) == 1


def test_retrying_a_ready_run_is_refused(client_as, runs):
    response = client_as("reviewer").post(f"/api/v1/report-runs/{runs['pola'].pk}/retry/")
    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"
    assert "generate a new version instead" in error_of(response)["message"]


def test_an_administrator_publishes_and_the_public_then_downloads(client_as, runs):
    run = runs["pola"]
    assert client_as("anonymous").get(f"/api/v1/report-runs/{run.pk}/").status_code == 404
    response = client_as("administrator").post(f"/api/v1/report-runs/{run.pk}/publish/")
    assert response.status_code == 200
    assert response.json()["is_published"] is True
    again = client_as("administrator").post(f"/api/v1/report-runs/{run.pk}/publish/")
    assert again.status_code == 200  # publishing twice changes nothing
    download = client_as("anonymous").get(f"/api/v1/report-runs/{run.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_publishing_a_run_that_is_not_ready_is_refused(client_as, runs):
    response = client_as("administrator").post(
        f"/api/v1/report-runs/{runs['pola_failed'].pk}/publish/"
    )
    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"


def test_only_ready_runs_download(client_as, pola):
    queued = ReportRun.objects.create(year=2026, party=pola, version=1)
    response = client_as("board_member").get(f"/api/v1/report-runs/{queued.pk}/download/")
    assert response.status_code == 404


def test_the_download_is_the_rendered_pdf_with_its_sha256(client_as, administrator, pola):
    seed_public_inventories()
    run = report_run_request(
        year=2012,
        party=pola,
        actor=administrator,
        executive_summary="POLA met its milestones.",
        enqueue=False,
    )
    run = report_run_render(run_id=run.pk)
    assert run.status == ReportStatus.READY, run.error
    report_run_publish(run=run, actor=administrator)
    for role in ("pola_staff", "board_member", "anonymous"):
        response = client_as(role).get(f"/api/v1/report-runs/{run.pk}/download/")
        assert response.status_code == 200, role
        data = b"".join(response.streaming_content)
        assert data.startswith(b"%PDF-")
        assert hashlib.sha256(data).hexdigest() == run.sha256 == response["X-Content-SHA256"]
        assert response["Content-Type"] == "application/pdf"
        assert f"annual-report-2012-POLA-v{run.version}.pdf" in response["Content-Disposition"]
