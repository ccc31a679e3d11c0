"""Defaults, penalties, requests and the fund in the API: what each role reads, filters, and
the writes, which go through the services (errors in the one error shape)."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from agreement.models import Milestone, MilestoneStatus
from audit.models import AuditEvent
from penalties.models import (
    Default,
    DefaultStatus,
    ExtensionRequest,
    FlexibilityClaim,
    FundEntry,
    MitigationFund,
    PenaltyStatus,
)
from tests.pdfs import pdf_bytes, pdf_upload

from .conftest import error_of
from .penalty_records import NOW, port_records


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pola_records(pola, pola_staff, administrator):
    return port_records(pola, pola_staff, administrator)


@pytest.fixture
def polb_records(polb, polb_staff, administrator):
    return port_records(polb, polb_staff, administrator)


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"]


# --- Reads ---------------------------------------------------------------------------------


def test_the_public_reads_both_ports_defaults_with_their_penalties(
    client_as, pola_records, polb_records
):
    rows = results(client_as("anonymous").get("/api/v1/defaults/?ordering=port,due_date"))
    assert [(r["port"], r["ordinal"], r["penalty"]["amount"]) for r in rows] == [
        ("POLA", 1, "50000.00"),
        ("POLA", 2, "100000.00"),
        ("POLB", 1, "50000.00"),
        ("POLB", 2, "100000.00"),
    ]
    first = rows[0]
    assert first["milestone_title"] == "POLA berth chargers"
    assert first["due_date"] == "2027-01-05"
    assert first["status"] == "confirmed" and first["is_cured"] is False
    assert first["penalty"]["status"] == "notice_sent"


def test_port_staff_read_their_own_ports_defaults_and_penalties_only(
    client_as, pola_records, polb_records
):
    client = client_as("pola_staff")
    assert {r["port"] for r in results(client.get("/api/v1/defaults/"))} == {"POLA"}
    assert {r["port"] for r in results(client.get("/api/v1/penalties/"))} == {"POLA"}
    for url in (
        f"/api/v1/defaults/{polb_records.default.pk}/",
        f"/api/v1/penalties/{polb_records.penalty.pk}/",
        f"/api/v1/extension-requests/{polb_records.extension.pk}/",
        f"/api/v1/flexibility-claims/{polb_records.claim.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert error_of(response)["code"] == "not_found"


def test_defaults_filter_by_port_status_due_date_and_cured(client_as, pola_records, polb_records):
    Milestone.objects.filter(pk=polb_records.paid.default.milestone_id).update(
        status=MilestoneStatus.MET, completed_at=NOW, closed_at=NOW
    )
    client = client_as("reviewer")

    def found(query: str) -> list[tuple[str, int]]:
        rows = results(client.get(f"/api/v1/defaults/?ordering=port,ordinal&{query}"))
        return [(r["port"], r["ordinal"]) for r in rows]

    assert found("port=polb") == [("POLB", 1), ("POLB", 2)]
    assert found("cured=true") == [("POLB", 2)]
    assert found("cured=false&port=POLB") == [("POLB", 1)]
    assert found("due_date_after=2027-01-06&due_date_before=2027-01-06") == [
        ("POLA", 2),
        ("POLB", 2),
    ]
    assert found("status=withdrawn") == []
    assert client.get("/api/v1/defaults/?status=nope").status_code == 400


def test_penalties_read_with_their_payment_and_filter_by_port_status_and_year(
    client_as, pola_records, polb_records
):
    client = client_as("board_member")
    paid = client.get(f"/api/v1/penalties/{pola_records.paid.pk}/").json()
    assert paid["status"] == "paid" and paid["payment_reference"] == "CHK-POLA"
    assert paid["amount"] == "100000.00" and paid["tier_ordinal"] == 2
    assert paid["milestone"] == pola_records.paid.default.milestone_id

    def found(query: str) -> list[str]:
        return [r["port"] for r in results(client.get(f"/api/v1/penalties/?{query}"))]

    assert found("status=paid&ordering=port") == ["POLA", "POLB"]
    assert found("status=notice_sent&port=POLA") == ["POLA"]
    assert len(found("year=2027")) == 4
    assert found("year=2026") == []
    assert client.get("/api/v1/penalties/?year=0").status_code == 400


def test_requests_are_read_by_their_port_aqmd_and_the_board_only(
    client_as, pola_records, polb_records
):
    own = results(client_as("pola_staff").get("/api/v1/extension-requests/"))
    assert [(r["port"], r["status"], r["requested_by"]) for r in own] == [
        ("POLA", "pending", "pola.planner")
    ]
    assert own[0]["requested_due_date"] == "2027-09-30"
    for role in ("reviewer", "administrator", "board_member"):
        claims = results(client_as(role).get("/api/v1/flexibility-claims/?ordering=port"))
        assert [c["port"] for c in claims] == ["POLA", "POLB"], role
    response = client_as("anonymous").get("/api/v1/flexibility-claims/")
    assert response.status_code == 401
    pending = results(client_as("reviewer").get("/api/v1/extension-requests/?status=pending"))
    assert len(pending) == 2
    assert results(client_as("reviewer").get("/api/v1/extension-requests/?status=granted")) == []


def test_unknown_ids_are_404_in_the_error_shape(client_as, pola_records):
    for url in (
        "/api/v1/defaults/999999/",
        "/api/v1/penalties/999999/",
        "/api/v1/fund/entries/999999/",
        "/api/v1/extension-requests/999999/",
        "/api/v1/flexibility-claims/999999/",
    ):
        response = client_as("administrator").get(url)
        assert response.status_code == 404, url
        assert error_of(response)["code"] == "not_found"
    response = client_as("administrator").post(
        "/api/v1/penalties/999999/waiver/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 404


# --- Penalty payments and waivers ----------------------------------------------------------


def test_an_administrator_records_a_payment_and_the_fund_receives_it(
    client_as, pola_records, administrator
):
    response = client_as("administrator").post(
        f"/api/v1/penalties/{pola_records.penalty.pk}/payment/",
        {"paid_at": "2027-01-30T15:00:00-08:00", "reference": "CHK-1001"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "paid" and body["payment_reference"] == "CHK-1001"
    receipt = FundEntry.objects.get(penalty=pola_records.penalty)
    assert receipt.amount == Decimal("50000.00") and receipt.occurred_on == dt.date(2027, 1, 30)
    assert MitigationFund.objects.get().balance == Decimal("150000.00")
    assert AuditEvent.objects.filter(action="penalty.paid", actor=administrator).count() == 2


def test_payment_errors_name_the_field_and_a_payment_after_a_waiver_is_a_conflict(
    client_as, pola_records
):
    client = client_as("administrator")
    url = f"/api/v1/penalties/{pola_records.penalty.pk}/payment/"
    future = client.post(url, {"paid_at": "2027-03-01T00:00:00Z", "reference": "X"})
    assert future.status_code == 400
    assert "paid_at" in error_of(future)["fields"]
    blank = client.post(url, {"paid_at": "2027-01-30T00:00:00Z", "reference": "  "})
    assert blank.status_code == 400 and "reference" in error_of(blank)["fields"]

    waiver_url = f"/api/v1/penalties/{pola_records.penalty.pk}/waiver/"
    waived = client.post(waiver_url, {"reason": "Board resolution 27-4"})
    assert waived.status_code == 200
    assert waived.json()["status"] == "waived"
    assert waived.json()["waiver_reason"] == "Board resolution 27-4"
    again = client.post(waiver_url, {"reason": "Again"})
    assert again.status_code == 200  # already waived: nothing changes
    conflict = client.post(url, {"paid_at": "2027-01-30T00:00:00Z", "reference": "X"})
    assert conflict.status_code == 409
    error = error_of(conflict)
    assert error["code"] == "conflict" and "cannot become paid" in error["message"]
    assert not FundEntry.objects.filter(penalty=pola_records.penalty).exists()


def test_a_paid_penalty_cannot_be_waived(client_as, pola_records):
    response = client_as("administrator").post(
        f"/api/v1/penalties/{pola_records.paid.pk}/waiver/", {"reason": "Too late"}
    )
    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"


def test_a_waiver_needs_a_reason(client_as, pola_records):
    response = client_as("administrator").post(
        f"/api/v1/penalties/{pola_records.penalty.pk}/waiver/", {"reason": ""}
    )
    assert response.status_code == 400
    assert "reason" in error_of(response)["fields"]


# --- Extension requests --------------------------------------------------------------------


def test_port_staff_file_an_extension_with_pdfs_and_a_reviewer_grants_it(
    client_as, pola_records, pola_staff
):
    milestone = pola_records.may_extend
    response = client_as("pola_staff").post(
        f"/api/v1/milestones/{milestone.pk}/extension-requests/",
        {
            "requested_due_date": "2027-10-31",
            "reason": "Switchgear backorder",
            "documents": [pdf_upload("vendor-letter.pdf"), pdf_upload("schedule.pdf", pages=2)],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["current_due_date"] == "2027-07-31"
    assert sorted(d["name"] for d in body["documents"]) == ["schedule.pdf", "vendor-letter.pdf"]
    assert all(len(d["sha256"]) == 64 for d in body["documents"])

    decided = client_as("reviewer").post(
        f"/api/v1/extension-requests/{body['id']}/decision/", {"decision": "grant"}
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "granted" and decided.json()["decided_by"] == "reviewer"
    milestone.refresh_from_db()
    assert milestone.due_date == dt.date(2027, 10, 31)
    refused = client_as("reviewer").post(
        f"/api/v1/extension-requests/{body['id']}/decision/",
        {"decision": "refuse", "note": "Changed my mind"},
    )
    assert refused.status_code == 409
    assert "already decided" in error_of(refused)["message"]


def test_a_refusal_needs_a_note(client_as, pola_records):
    url = f"/api/v1/extension-requests/{pola_records.extension.pk}/decision/"
    response = client_as("administrator").post(url, {"decision": "refuse"})
    assert response.status_code == 400 and "note" in error_of(response)["fields"]
    assert client_as("administrator").post(url, {"decision": "maybe"}).status_code == 400
    ok = client_as("administrator").post(url, {"decision": "refuse", "note": "No"})
    assert ok.status_code == 200 and ok.json()["status"] == "refused"


def test_a_second_pending_extension_is_a_conflict(client_as, pola_records):
    response = client_as("pola_staff").post(
        f"/api/v1/milestones/{pola_records.extension.milestone_id}/extension-requests/",
        {"requested_due_date": "2027-12-31", "reason": "Again"},
        format="multipart",
    )
    assert response.status_code == 409
    assert "already waiting" in error_of(response)["message"]


def test_an_upload_that_is_not_a_pdf_is_refused_and_nothing_is_filed(client_as, pola_records):
    response = client_as("pola_staff").post(
        f"/api/v1/milestones/{pola_records.may_extend.pk}/extension-requests/",
        {
            "requested_due_date": "2027-10-31",
            "reason": "Switchgear backorder",
            "documents": [
                pdf_upload("ok.pdf"),
                SimpleUploadedFile("letter.pdf", b"not a pdf at all", "application/pdf"),
            ],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "not a PDF" in error_of(response)["message"]
    assert not ExtensionRequest.objects.filter(milestone=pola_records.may_extend).exists()


@override_settings(UPLOAD_MAX_BYTES=1024)
def test_an_upload_over_the_limit_is_413_and_nothing_is_filed(client_as, pola_records):
    content = pdf_bytes(pages=20)
    assert len(content) > 1024
    big = SimpleUploadedFile("big.pdf", content, "application/pdf")
    response = client_as("pola_staff").post(
        f"/api/v1/milestones/{pola_records.may_claim.pk}/flexibility-claims/",
        {"reason": "Utility delay", "documents": [big]},
        format="multipart",
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert not FlexibilityClaim.objects.filter(milestone=pola_records.may_claim).exists()


def test_an_extension_after_the_deadline_is_refused(client_as, pola_records):
    response = client_as("pola_staff").post(
        f"/api/v1/milestones/{pola_records.may_claim.pk}/extension-requests/",
        {"requested_due_date": "2027-03-31", "reason": "Late"},
        format="multipart",
    )
    assert response.status_code == 409  # the deadline passed: a state conflict
    assert "flexibility claim" in error_of(response)["message"]


# --- Flexibility claims --------------------------------------------------------------------


def test_port_staff_claim_flexibility_with_evidence_and_a_reviewer_accepts(client_as, pola_records):
    response = client_as("pola_staff").post(
        f"/api/v1/milestones/{pola_records.may_claim.pk}/flexibility-claims/",
        {"reason": "Utility interconnection", "documents": [pdf_upload("utility.pdf")]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert [d["name"] for d in response.json()["documents"]] == ["utility.pdf"]

    # The claim on the recorded default: accepting withdraws the default and its penalty.
    url = f"/api/v1/flexibility-claims/{pola_records.claim.pk}/decision/"
    accepted = client_as("reviewer").post(url, {"decision": "accept", "note": "Documented"})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    default = Default.objects.select_related("penalty").get(pk=pola_records.default.pk)
    assert default.status == DefaultStatus.WITHDRAWN
    assert default.penalty.status == PenaltyStatus.WITHDRAWN
    rejected = client_as("reviewer").post(url, {"decision": "reject", "note": "No"})
    assert rejected.status_code == 409


def test_a_claim_before_the_deadline_or_on_a_miss_that_is_no_default_is_refused(
    client_as, pola_records, pola_milestone, pola
):
    early = client_as("pola_staff").post(
        f"/api/v1/milestones/{pola_records.may_extend.pk}/flexibility-claims/",
        {"reason": "Early"},
        format="multipart",
    )
    assert early.status_code == 409 and "not missed yet" in error_of(early)["message"]
    report = Milestone.objects.get(party=pola, kind="annual_report", reporting_year=2026)
    not_a_default = client_as("pola_staff").post(
        f"/api/v1/milestones/{report.pk}/flexibility-claims/",
        {"reason": "Late report"},
        format="multipart",
    )
    assert not_a_default.status_code == 400
    assert "milestone" in error_of(not_a_default)["fields"]


# --- The fund ------------------------------------------------------------------------------


def test_fund_totals_by_year_and_by_port(client_as, pola_records, polb_records):
    body = client_as("anonymous").get("/api/v1/fund/").json()
    assert body["balance"] == "200000.00"
    assert body["receipts"] == "200000.00" and body["disbursements"] == "0.00"
    assert body["by_year"] == [{"year": 2027, "received": "200000.00", "disbursed": "0.00"}]
    assert body["by_port"] == [
        {
            "port": "POLA",
            "received": "100000.00",
            "by_year": [{"year": 2027, "received": "100000.00"}],
        },
        {
            "port": "POLB",
            "received": "100000.00",
            "by_year": [{"year": 2027, "received": "100000.00"}],
        },
    ]


def test_an_administrator_disburses_and_the_ledger_shows_the_balance(client_as, pola_records):
    response = client_as("administrator").post(
        "/api/v1/fund/disbursements/",
        {
            "amount": "25000.50",
            "occurred_on": "2027-01-31",
            "project_name": "School air filters",
            "community": "Wilmington",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["balance_after"] == "74999.50"
    entries = results(client_as("anonymous").get("/api/v1/fund/entries/"))
    assert [(e["kind"], e["amount"], e["balance_after"]) for e in entries] == [
        ("receipt", "100000.00", "100000.00"),
        ("disbursement", "25000.50", "74999.50"),
    ]
    assert entries[0]["port"] == "POLA" and entries[1]["port"] is None
    disbursed = results(client_as("anonymous").get("/api/v1/fund/entries/?kind=disbursement"))
    assert [e["community"] for e in disbursed] == ["Wilmington"]
    assert results(client_as("anonymous").get("/api/v1/fund/entries/?year=2026")) == []


def test_a_disbursement_beyond_the_balance_is_refused_and_nothing_is_written(
    client_as, pola_records
):
    response = client_as("administrator").post(
        "/api/v1/fund/disbursements/",
        {
            "amount": "100000.01",
            "occurred_on": "2027-01-31",
            "project_name": "Too big",
            "community": "San Pedro",
        },
    )
    assert response.status_code == 400
    error = error_of(response)
    assert "overdraw" in error["message"] and "$100,000.00" in error["message"]
    assert error["fields"] == {"amount": ["More than the fund's balance."]}
    assert MitigationFund.objects.get().balance == Decimal("100000.00")
    assert FundEntry.objects.count() == 1


def test_a_disbursement_names_the_project_and_community(client_as, pola_records):
    response = client_as("administrator").post(
        "/api/v1/fund/disbursements/",
        {"amount": "1.00", "occurred_on": "2027-01-31", "project_name": "", "community": ""},
    )
    assert response.status_code == 400
    assert {"project_name", "community"} <= set(error_of(response)["fields"])


def test_request_documents_download_for_those_who_see_the_request_only(
    client_as, pola_records, pola_staff
):
    milestone = pola_records.may_extend
    filed = client_as("pola_staff").post(
        f"/api/v1/milestones/{milestone.pk}/extension-requests/",
        {
            "requested_due_date": "2027-10-31",
            "reason": "Switchgear backorder",
            "documents": [pdf_upload("vendor-letter.pdf")],
        },
        format="multipart",
    )
    assert filed.status_code == 201, filed.content
    body = filed.json()
    document = body["documents"][0]
    url = f"/api/v1/extension-requests/{body['id']}/documents/{document['id']}/download/"
    for role in ("pola_staff", "reviewer", "board_member"):
        response = client_as(role).get(url)
        assert response.status_code == 200, role
        assert response["Content-Type"] == "application/pdf"
        assert hashlib.sha256(response.getvalue()).hexdigest() == document["sha256"]
    for role in ("polb_staff", "anonymous"):
        assert client_as(role).get(url).status_code in (401, 404), role
    assert client_as("polb_staff").get(url).status_code == 404
    other = f"/api/v1/extension-requests/{pola_records.extension.pk}/documents/{document['id']}/"
    assert client_as("reviewer").get(other + "download/").status_code == 404

    claim = pola_records.claim
    claim_url = f"/api/v1/flexibility-claims/{claim.pk}/documents/{document['id']}/download/"
    assert client_as("reviewer").get(claim_url).status_code == 404
