"""Pages under /penalties/: port staff, reviewers and administrators, and the public."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from agreement.models import Milestone
from penalties.milestone_requests import request_file
from penalties.models import ExtensionRequest, FlexibilityClaim, FundEntry, PenaltyStatus
from penalties.services import penalty_mark_notice_sent, penalty_record_payment
from tests.factories import MilestoneFactory
from tests.pdfs import pdf_upload

from .conftest import pacific
from .helpers import recorded_default

NOW = pacific(2027, 2, 1, 10)
pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_public_sees_defaults_penalties_and_the_fund_but_not_port_pages(client, pola):
    default = recorded_default(pola)
    response = client.get(reverse("penalties:defaults"))
    assert response.status_code == 200
    assert default.milestone.title in response.text and "$50,000.00" in response.text
    assert client.get(reverse("penalties:penalty", args=[default.penalty.pk])).status_code == 200
    fund = client.get(reverse("penalties:fund"))
    assert fund.status_code == 200 and "Clean Air Mitigation Fund" in fund.text
    assert 'href="/penalties/fund/"' in fund.text and 'href="/penalties/"' in fund.text
    assert 'href="/penalties/milestones/"' not in fund.text
    assert client.get(reverse("penalties:milestones")).status_code == 302
    assert client.get(reverse("penalties:requests")).status_code == 302


def test_port_staff_see_their_milestones_with_status_days_left_and_cured_defaults(
    client, pola, polb, pola_staff
):
    MilestoneFactory.create(party=pola, title="Berth 7 chargers", due_date=dt.date(2027, 2, 11))
    MilestoneFactory.create(party=polb, title="Long Beach only", due_date=dt.date(2027, 2, 11))
    cured = recorded_default(pola, title="Late crane")
    Milestone.objects.filter(pk=cured.milestone_id).update(
        status="met", completed_at=pacific(2027, 1, 20), closed_at=pacific(2027, 1, 20)
    )
    client.force_login(pola_staff)
    response = client.get(reverse("penalties:milestones"))
    assert response.status_code == 200
    assert "Berth 7 chargers" in response.text and "10 days left" in response.text
    assert "Long Beach only" not in response.text
    assert "met late" in response.text and "cured" in response.text
    assert reverse("penalties:extension-new", args=[cured.milestone_id]) not in response.text
    assert 'href="/penalties/requests/"' in response.text


@pytest.mark.parametrize("extra", [0, 15])
def test_page_queries_do_not_grow_with_rows(
    client, pola, reviewer, django_assert_max_num_queries, extra
):
    for n in range(extra):
        recorded_default(pola, dt.date(2027, 1, 2) + dt.timedelta(days=n))
    client.force_login(reviewer)
    for name in ("penalties:milestones", "penalties:defaults", "penalties:fund"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name)).status_code == 200


def test_staff_file_an_extension_with_a_pdf_and_the_reviewer_grants_it(
    client, pola, pola_staff, polb_staff, reviewer
):
    milestone = MilestoneFactory.create(party=pola, title="Berth 9", due_date=dt.date(2027, 3, 1))
    client.force_login(pola_staff)
    url = reverse("penalties:extension-new", args=[milestone.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "requested_due_date": "2027-05-01",
            "reason": "Switchgear backorder",
            "documents": [pdf_upload("backorder.pdf")],
        },
    )
    request = ExtensionRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("penalties:extension", args=[request.pk])
    document = request.documents.get()
    doc_url = reverse("penalties:extension-document", args=[request.pk, document.pk])
    assert client.get(doc_url).status_code == 200

    client.force_login(polb_staff)  # another port's: not found, as in the API
    assert client.get(doc_url).status_code == 404
    assert client.get(reverse("penalties:extension", args=[request.pk])).status_code == 404
    assert client.get(url).status_code == 404

    client.force_login(reviewer)
    listing = client.get(reverse("penalties:requests"))
    assert "Berth 9" in listing.text
    detail_url = reverse("penalties:extension", args=[request.pk])
    assert client.get(doc_url).status_code == 200
    response = client.post(detail_url, {"decision": "yes", "note": ""})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.due_date == dt.date(2027, 5, 1)


def test_form_errors_are_shown_to_the_port(client, pola, pola_staff):
    milestone = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 3, 1))
    client.force_login(pola_staff)
    response = client.post(
        reverse("penalties:extension-new", args=[milestone.pk]),
        {"requested_due_date": "2027-02-01", "reason": "x"},
    )
    assert response.status_code == 200
    assert "error-summary" in response.text
    assert "must be after the current due date" in response.text
    assert not ExtensionRequest.objects.exists()


def test_a_refusal_without_a_note_is_explained(client, pola, pola_staff, reviewer):
    milestone = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 3, 1))
    request = request_file(
        kind="extension",
        milestone=milestone,
        requested_due_date=dt.date(2027, 4, 1),
        reason="x",
        actor=pola_staff,
    )
    client.force_login(reviewer)
    response = client.post(
        reverse("penalties:extension", args=[request.pk]), {"decision": "no", "note": ""}
    )
    assert response.status_code == 200 and "Say why the extension is refused." in response.text


def test_flexibility_claim_filed_and_accepted_through_the_pages(client, pola, pola_staff, reviewer):
    default = recorded_default(pola, title="Rail yard chargers")
    client.force_login(pola_staff)
    page = client.get(reverse("penalties:milestones"))
    new_url = reverse("penalties:flexibility-new", args=[default.milestone_id])
    assert new_url in page.text
    response = client.post(
        new_url, {"reason": "Utility outage", "documents": [pdf_upload("utility.pdf")]}
    )
    claim = FlexibilityClaim.objects.get()
    assert response.status_code == 302
    client.force_login(reviewer)
    detail = reverse("penalties:flexibility", args=[claim.pk])
    assert "utility.pdf" in client.get(detail).text
    client.post(detail, {"decision": "yes", "note": "Confirmed"})
    default.penalty.refresh_from_db()
    assert default.penalty.status == PenaltyStatus.WITHDRAWN
    assert "Withdrawn" in client.get(reverse("penalties:defaults")).text


def test_the_administrator_records_a_payment_and_a_reviewer_cannot(
    client, pola, administrator, reviewer
):
    penalty = recorded_default(pola).penalty
    penalty_mark_notice_sent(penalty=penalty, now=NOW)
    url = reverse("penalties:penalty", args=[penalty.pk])
    client.force_login(reviewer)
    assert "Record payment" not in client.get(url).text
    data = {"action": "pay", "pay-paid_at": "2027-01-30T14:00", "pay-reference": "CHK-77"}
    assert client.post(url, data).status_code == 403
    client.force_login(administrator)
    assert "Record payment" in client.get(url).text
    assert client.post(url, data).status_code == 302
    penalty.refresh_from_db()
    assert penalty.status == PenaltyStatus.PAID
    assert penalty.paid_at == pacific(2027, 1, 30, 14)
    assert FundEntry.objects.get().amount == Decimal("50000.00")


def test_a_waiver_without_a_reason_is_refused_on_the_page(client, pola, administrator):
    penalty = recorded_default(pola).penalty
    client.force_login(administrator)
    url = reverse("penalties:penalty", args=[penalty.pk])
    response = client.post(url, {"action": "waive", "waive-reason": ""})
    assert response.status_code == 200 and 'class="field-error"' in response.text
    response = client.post(url, {"action": "waive", "waive-reason": "Board resolution"})
    assert response.status_code == 302
    penalty.refresh_from_db()
    assert penalty.status == PenaltyStatus.WAIVED


def test_the_fund_page_disburses_for_administrators_and_refuses_overdraws(
    client, pola, administrator, reviewer
):
    penalty = recorded_default(pola).penalty
    penalty_mark_notice_sent(penalty=penalty, now=NOW)
    penalty_record_payment(penalty=penalty, paid_at=NOW, reference="W1", actor=administrator)
    url = reverse("penalties:fund")
    data = {
        "project_name": "San Pedro clinic air filtration",
        "community": "San Pedro",
        "amount": "60000.00",
        "occurred_on": "2027-02-01",
    }
    client.force_login(reviewer)
    assert "Record a disbursement" not in client.get(url).text
    assert client.post(url, data).status_code == 403
    client.force_login(administrator)
    response = client.post(url, data)
    assert response.status_code == 200 and "would overdraw" in response.text
    data["amount"] = "20000.00"
    assert client.post(url, data).status_code == 302
    page = client.get(url).text
    assert "San Pedro clinic air filtration" in page
    assert "$30,000.00" in page  # balance


def test_port_staff_cannot_open_other_ports_request_forms(client, polb, pola_staff):
    polb_milestone = MilestoneFactory.create(party=polb, due_date=dt.date(2027, 3, 1))
    client.force_login(pola_staff)
    for name in (
        "penalties:extension-new",
        "penalties:flexibility-new",
        "penalties:completion-new",
    ):
        assert client.get(reverse(name, args=[polb_milestone.pk])).status_code == 404


def test_claims_listed_for_reviewers(client, pola, pola_staff, reviewer):
    default = recorded_default(pola, title="Gate 3 chargers")
    request_file(kind="flexibility", milestone=default.milestone, reason="Storm", actor=pola_staff)
    client.force_login(reviewer)
    response = client.get(reverse("penalties:requests"))
    assert "Gate 3 chargers" in response.text and "Pending" in response.text


def test_the_penalty_ledger_totals_each_port(client, pola, polb, administrator, pola_staff):
    first = recorded_default(pola, dt.date(2027, 1, 5)).penalty
    recorded_default(pola, dt.date(2027, 1, 6))  # $100,000, outstanding
    recorded_default(polb, dt.date(2027, 1, 7))  # $50,000, outstanding
    penalty_mark_notice_sent(penalty=first, now=NOW)
    penalty_record_payment(penalty=first, paid_at=NOW, reference="W2", actor=administrator)
    response = client.get(reverse("penalties:defaults"))
    lines = {line.party.code: line for line in response.context["ledger"]}
    assert lines["POLA"].active_defaults == 2
    assert lines["POLA"].assessed == Decimal("150000.00")
    assert lines["POLA"].paid == Decimal("50000.00")
    assert lines["POLA"].outstanding == Decimal("100000.00")
    assert lines["POLB"].outstanding == Decimal("50000.00")
    client.force_login(pola_staff)
    response = client.get(reverse("penalties:defaults"))
    assert [line.party.code for line in response.context["ledger"]] == ["POLA"]
    assert {d.party.code for d in response.context["page"]} == {"POLA"}


def test_the_admin_shows_records_but_does_not_edit_them(client, pola, administrator):
    penalty = recorded_default(pola).penalty
    client.force_login(administrator)
    assert client.get(reverse("admin:penalties_penalty_changelist")).status_code == 200
    url = reverse("admin:penalties_penalty_change", args=[penalty.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"amount": "60000.00", "status": "paid"})
    penalty.refresh_from_db()
    assert penalty.amount == Decimal("50000.00") and penalty.status == PenaltyStatus.ASSESSED
    assert client.get(reverse("admin:penalties_penalty_add")).status_code == 403


def test_the_public_cannot_post_to_the_fund_or_a_penalty(client, pola):
    penalty = recorded_default(pola).penalty
    assert client.post(reverse("penalties:fund"), {"amount": "1"}).status_code == 403
    response = client.post(
        reverse("penalties:penalty", args=[penalty.pk]),
        {"action": "waive", "waive-reason": "x"},
    )
    assert response.status_code == 403
    penalty.refresh_from_db()
    assert penalty.status == PenaltyStatus.ASSESSED
