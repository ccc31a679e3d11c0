"""Ports report a milestone complete; AQMD verifies it.  The API and the pages, the port's own
milestones only, the deadline at 23:59:59 Pacific in winter and summer, and the sweep's hold
while a report filed in time waits for AQMD."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from agreement.models import Milestone, MilestoneKind, MilestoneStatus
from audit.models import AuditEvent
from core.models import OutboxMessage
from penalties.milestone_requests import request_decide, request_file
from penalties.models import ClaimStatus, CompletionReport, Default
from penalties.sweep import sweep_deadlines
from tests.api.conftest import error_of
from tests.clients import api_as
from tests.factories import MilestoneFactory
from tests.pdfs import pdf_upload

from .conftest import pacific

NOW = pacific(2027, 2, 1, 10)
DUE = dt.date(2027, 6, 30)


def file_url(milestone: Milestone) -> str:
    return f"/api/v1/milestones/{milestone.pk}/completion-reports/"


def decision_url(report_id: int) -> str:
    return f"/api/v1/completion-reports/{report_id}/decision/"


def report(milestone, actor, completed_on: dt.date, **kw) -> CompletionReport:
    made = request_file(
        kind="completion",
        milestone=milestone,
        reason=kw.pop("reason", "Depot energized and commissioned"),
        completed_on=completed_on,
        actor=actor,
        **kw,
    )
    assert isinstance(made, CompletionReport)
    return made


@pytest.fixture
def depot(pola) -> Milestone:
    return MilestoneFactory.create(party=pola, title="Pier 300 charging depot", due_date=DUE)


@pytest.fixture
def polb_depot(polb) -> Milestone:
    return MilestoneFactory.create(party=polb, title="Pier J charging depot", due_date=DUE)


# --- Filing through the API ----------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_port_staff_report_their_milestone_complete_through_the_api_and_get_its_id(
    depot, pola_staff, reviewer
):
    response = api_as(pola_staff).post(
        file_url(depot),
        {"completed_on": "2027-01-29", "note": "Depot energized on January 29."},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    made = CompletionReport.objects.get(pk=body["id"])
    assert (made.milestone, made.completed_on, made.reason) == (
        depot,
        dt.date(2027, 1, 29),
        "Depot energized on January 29.",
    )
    assert body["status"] == "pending" and body["filed_on_time"] is True
    assert body["port"] == "POLA" and body["filed_by"] == "pola.planner"
    assert body["note"] == "Depot energized on January 29."
    depot.refresh_from_db()
    assert depot.status == MilestoneStatus.OPEN  # only AQMD's acceptance meets it
    listed = api_as(pola_staff).get("/api/v1/completion-reports/").json()["results"]
    assert [r["id"] for r in listed] == [made.pk]
    assert [
        r["id"] for r in api_as(reviewer).get("/api/v1/completion-reports/").json()["results"]
    ] == [made.pk]
    event = AuditEvent.objects.get(action="completion.filed")
    assert event.actor == pola_staff and event.object_id == str(made.pk)


@time_machine.travel(NOW, tick=False)
def test_another_port_cannot_file_or_see_a_report_it_gets_404_and_an_empty_list(
    depot, polb_depot, pola_staff, polb_staff
):
    made = report(depot, pola_staff, dt.date(2027, 1, 29), uploads=[pdf_upload("as-built.pdf")])
    other = api_as(polb_staff)
    filed = other.post(
        file_url(depot), {"completed_on": "2027-01-29", "note": "Not ours"}, format="json"
    )
    assert filed.status_code == 404 and error_of(filed)["code"] == "not_found"
    assert other.get(f"/api/v1/completion-reports/{made.pk}/").status_code == 404
    document = made.documents.get()
    assert (
        other.get(
            f"/api/v1/completion-reports/{made.pk}/documents/{document.pk}/download/"
        ).status_code
        == 404
    )
    assert other.get("/api/v1/completion-reports/").json()["results"] == []
    assert CompletionReport.objects.count() == 1
    # The service says the same to a caller that bypasses the lookup.
    from core.errors import Forbidden

    with pytest.raises(Forbidden):
        report(depot, polb_staff, dt.date(2027, 1, 29))


@time_machine.travel(NOW, tick=False)
def test_a_completion_date_in_the_future_is_refused_with_the_field_named(depot, pola_staff):
    # 2027-02-01 10:00 Pacific: today is the 1st; the 2nd is tomorrow.
    response = api_as(pola_staff).post(
        file_url(depot), {"completed_on": "2027-02-02", "note": "Will be done"}, format="json"
    )
    assert response.status_code == 400
    assert "completed_on" in error_of(response)["fields"]
    assert "future" in error_of(response)["message"]
    assert not CompletionReport.objects.exists()
    today = api_as(pola_staff).post(
        file_url(depot), {"completed_on": "2027-02-01", "note": "Done this morning"}, format="json"
    )
    assert today.status_code == 201


@time_machine.travel(pacific(2027, 2, 1, 23, 30), tick=False)
def test_the_future_is_judged_by_the_pacific_calendar_not_utc(depot, pola_staff):
    """At 23:30 Pacific on Feb 1 it is already Feb 2 in UTC: Feb 2 is still the future."""
    response = api_as(pola_staff).post(
        file_url(depot), {"completed_on": "2027-02-02", "note": "x"}, format="json"
    )
    assert response.status_code == 400 and "completed_on" in error_of(response)["fields"]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("kind", [MilestoneKind.DRAFT_PLAN, MilestoneKind.FINAL_PLAN])
def test_plan_milestones_are_refused_they_are_met_by_the_plan_itself(pola, pola_staff, kind):
    plan_milestone = Milestone.objects.get(party=pola, kind=kind, phase__number=1)
    response = api_as(pola_staff).post(
        file_url(plan_milestone), {"completed_on": "2027-01-29", "note": "Done"}, format="json"
    )
    assert response.status_code == 400
    assert "milestone" in error_of(response)["fields"]
    assert "submitting the plan" in error_of(response)["message"]
    assert not CompletionReport.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_an_annual_report_needs_the_report_pdf_as_evidence(pola, pola_staff, reviewer):
    annual = Milestone.objects.get(
        party=pola, kind=MilestoneKind.ANNUAL_REPORT, reporting_year=2026
    )
    without = api_as(pola_staff).post(
        file_url(annual),
        {"completed_on": "2027-01-30", "note": "Annual report 2026"},
        format="json",
    )
    assert without.status_code == 400
    assert "documents" in error_of(without)["fields"]
    assert not CompletionReport.objects.exists()
    with_pdf = api_as(pola_staff).post(
        file_url(annual),
        {
            "completed_on": "2027-01-30",
            "note": "Annual report 2026",
            "documents": [pdf_upload("annual-report-2026.pdf")],
        },
        format="multipart",
    )
    assert with_pdf.status_code == 201, with_pdf.content
    assert [d["name"] for d in with_pdf.json()["documents"]] == ["annual-report-2026.pdf"]
    accepted = api_as(reviewer).post(
        decision_url(with_pdf.json()["id"]), {"decision": "accepted"}, format="json"
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    annual.refresh_from_db()
    assert annual.status == MilestoneStatus.MET and annual.met_late is False


# --- AQMD's decision -----------------------------------------------------------------------

# (due date, filing moment, on time?): the last on-time second and the first late one, in
# winter (UTC-8) and in summer (UTC-7).
FILINGS = {
    "winter-235959": (
        dt.date(2027, 1, 15),
        dt.datetime(2027, 1, 16, 7, 59, 59, tzinfo=dt.UTC),
        True,
    ),
    "winter-000000": (
        dt.date(2027, 1, 15),
        dt.datetime(2027, 1, 16, 8, 0, 0, tzinfo=dt.UTC),
        False,
    ),
    "summer-235959": (
        dt.date(2027, 7, 15),
        dt.datetime(2027, 7, 16, 6, 59, 59, tzinfo=dt.UTC),
        True,
    ),
    "summer-000000": (
        dt.date(2027, 7, 15),
        dt.datetime(2027, 7, 16, 7, 0, 0, tzinfo=dt.UTC),
        False,
    ),
}


@pytest.mark.parametrize("case", FILINGS)
def test_an_accepted_report_meets_the_milestone_on_time_only_if_filed_by_235959_pacific(
    pola, pola_staff, reviewer, case
):
    due, filed_at, on_time = FILINGS[case]
    milestone = MilestoneFactory.create(party=pola, due_date=due)
    with time_machine.travel(filed_at, tick=False):
        response = api_as(pola_staff).post(
            file_url(milestone),
            {"completed_on": due.isoformat(), "note": "Energized on the due date"},
            format="json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["filed_on_time"] is on_time
    # AQMD decides a week later: its own time does not make the port late.
    with time_machine.travel(filed_at + dt.timedelta(days=7), tick=False):
        decided = api_as(reviewer).post(
            decision_url(response.json()["id"]), {"decision": "accepted"}, format="json"
        )
    assert decided.status_code == 200, decided.content
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.MET
    assert milestone.completed_at == filed_at  # met as of the filing
    assert milestone.closed_at == filed_at + dt.timedelta(days=7)  # closed by AQMD's decision
    assert milestone.met_late is (not on_time)


@time_machine.travel(NOW, tick=False)
def test_a_rejection_needs_a_reason_keeps_the_milestone_open_and_the_port_may_report_again(
    depot, pola_staff, reviewer
):
    made = report(depot, pola_staff, dt.date(2027, 1, 29))
    blank = api_as(reviewer).post(
        decision_url(made.pk), {"decision": "rejected", "reason": "  "}, format="json"
    )
    assert blank.status_code == 400
    assert "reason" in error_of(blank)["fields"]  # the API's name for it
    made.refresh_from_db()
    assert made.status == ClaimStatus.PENDING
    rejected = api_as(reviewer).post(
        decision_url(made.pk),
        {"decision": "rejected", "reason": "The commissioning certificate is missing."},
        format="json",
    )
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_note"] == "The commissioning certificate is missing."
    depot.refresh_from_db()
    assert depot.status == MilestoneStatus.OPEN and depot.completed_at is None
    again = api_as(pola_staff).post(
        file_url(depot),
        {"completed_on": "2027-01-29", "note": "Certificate attached this time."},
        format="json",
    )
    assert again.status_code == 201
    assert CompletionReport.objects.filter(milestone=depot).count() == 2
    # A decided report cannot be decided the other way.
    flipped = api_as(reviewer).post(decision_url(made.pk), {"decision": "accepted"}, format="json")
    assert flipped.status_code == 409 and error_of(flipped)["code"] == "conflict"


@time_machine.travel(NOW, tick=False)
def test_ports_cannot_decide_a_report_the_board_neither_and_the_public_must_sign_in(
    depot, pola_staff, polb_staff, board_member
):
    made = report(depot, pola_staff, dt.date(2027, 1, 29))
    # Deciding is AQMD's: 403 for any port (whether or not the report is theirs to see).
    for user, status in ((pola_staff, 403), (polb_staff, 403), (board_member, 403), (None, 401)):
        response = api_as(user).post(decision_url(made.pk), {"decision": "accepted"}, format="json")
        assert response.status_code == status, user
    made.refresh_from_db()
    depot.refresh_from_db()
    assert made.status == ClaimStatus.PENDING and depot.status == MilestoneStatus.OPEN


def test_a_report_filed_on_time_holds_the_sweep_until_aqmd_decides(pola, pola_staff, reviewer):
    milestone = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 1, 15))
    with time_machine.travel(pacific(2027, 1, 15, 23, 59, 59), tick=False):
        made = report(milestone, pola_staff, dt.date(2027, 1, 15))
    for day in (16, 20, 31):  # AQMD takes its time; the port is not flagged meanwhile
        now = pacific(2027, 1, day, 9)
        with time_machine.travel(now, tick=False):
            sweep_deadlines(now)
    assert not Default.objects.filter(milestone=milestone).exists()
    with time_machine.travel(pacific(2027, 2, 1, 9), tick=False):
        request_decide(
            request=made, accept=False, note="No evidence of energization.", actor=reviewer
        )
        sweep_deadlines(pacific(2027, 2, 1, 9))
    flagged = Default.objects.get(milestone=milestone)
    assert flagged.status == "flagged" and flagged.due_date == dt.date(2027, 1, 15)


def test_a_report_filed_on_time_and_accepted_after_the_deadline_is_never_flagged(
    pola, pola_staff, reviewer
):
    milestone = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 1, 15))
    with time_machine.travel(pacific(2027, 1, 15, 12), tick=False):
        made = report(milestone, pola_staff, dt.date(2027, 1, 14))
    with time_machine.travel(pacific(2027, 1, 20, 9), tick=False):
        sweep_deadlines(pacific(2027, 1, 20, 9))
        request_decide(request=made, accept=True, note="", actor=reviewer)
    later = pacific(2027, 1, 21, 9)
    with time_machine.travel(later, tick=False):
        sweep_deadlines(later)
        from penalties.sweep import record_late_completions

        record_late_completions(later)
    assert not Default.objects.filter(milestone=milestone).exists()


def test_a_report_filed_late_does_not_hold_the_sweep(pola, pola_staff):
    milestone = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 1, 15))
    with time_machine.travel(pacific(2027, 1, 16, 0, 0, 0), tick=False):
        made = report(milestone, pola_staff, dt.date(2027, 1, 15))
    assert made.filed_on_time is False
    now = pacific(2027, 1, 16, 0, 15)
    with time_machine.travel(now, tick=False):
        sweep_deadlines(now)
    assert Default.objects.get(milestone=milestone).status == "flagged"


def test_the_decision_mails_the_ports_staff_once_with_a_link_on_the_site(
    depot, pola_staff, polb_staff, reviewer, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://tracker.example.org"
    with time_machine.travel(NOW, tick=False):
        made = report(depot, pola_staff, dt.date(2027, 1, 29))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            request_decide(request=made, accept=True, note="Verified on site.", actor=reviewer)
        with django_capture_on_commit_callbacks(execute=True):
            request_decide(request=made, accept=True, note="Verified on site.", actor=reviewer)
    assert [m.to for m in mail.outbox] == [["pola.planner@example.test"]]
    message = mail.outbox[0]
    assert "accepted" in message.subject.lower() and "Pier 300 charging depot" in message.subject
    assert "Verified on site." in message.body
    assert f"https://tracker.example.org/penalties/completions/{made.pk}/" in message.body
    assert OutboxMessage.objects.filter(event_key=f"completion.{made.pk}.decided").count() == 1
    assert AuditEvent.objects.filter(action="completion.accepted").count() == 1


# --- The pages -----------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_staff_report_complete_from_the_milestones_page_and_a_reviewer_accepts_on_its_page(
    client, depot, polb_depot, pola_staff, reviewer, django_capture_on_commit_callbacks
):
    client.force_login(pola_staff)
    page = client.get(reverse("penalties:milestones")).text
    new_url = reverse("penalties:completion-new", args=[depot.pk])
    assert f'href="{new_url}"' in page and "Report complete" in page
    assert "Pier J charging depot" not in page  # the other port's milestones are not listed
    future = client.post(
        new_url, {"completed_on": "2027-03-01", "reason": "Done", "documents": pdf_upload()}
    )
    assert future.status_code == 200 and "cannot be in the future" in future.text
    assert not CompletionReport.objects.exists()
    filed = client.post(
        new_url,
        {
            "completed_on": "2027-01-29",
            "reason": "Depot energized",
            "documents": pdf_upload("commissioning.pdf"),
        },
    )
    made = CompletionReport.objects.get()
    assert filed.status_code == 302 and filed["Location"] == reverse(
        "penalties:completion", args=[made.pk]
    )
    page = client.get(reverse("penalties:milestones")).text
    assert "completion reported, awaiting AQMD" in page
    assert f'href="{new_url}"' not in page  # one pending report at a time

    client.force_login(reviewer)
    detail = reverse("penalties:completion", args=[made.pk])
    shown = client.get(detail).text
    assert "commissioning.pdf" in shown and "Depot energized" in shown
    refused = client.post(detail, {"decision": "no", "note": ""})
    assert refused.status_code == 200 and "Say why the report is rejected." in refused.text
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(detail, {"decision": "yes", "note": "Seen on site"}).status_code == 302
    depot.refresh_from_db()
    assert depot.status == MilestoneStatus.MET and depot.met_late is False


@time_machine.travel(NOW, tick=False)
def test_the_other_ports_staff_get_404_on_the_report_pages_and_do_not_see_it_listed(
    client, depot, pola_staff, polb_staff
):
    made = report(depot, pola_staff, dt.date(2027, 1, 29), uploads=[pdf_upload("proof.pdf")])
    client.force_login(polb_staff)
    assert client.get(reverse("penalties:completion-new", args=[depot.pk])).status_code == 404
    posted = client.post(
        reverse("penalties:completion-new", args=[depot.pk]),
        {"completed_on": "2027-01-29", "reason": "x"},
    )
    assert posted.status_code == 404
    assert client.get(reverse("penalties:completion", args=[made.pk])).status_code == 404
    document = made.documents.get()
    assert (
        client.get(
            reverse("penalties:completion-document", args=[made.pk, document.pk])
        ).status_code
        == 404
    )
    listing = client.get(reverse("penalties:requests")).text
    assert "Pier 300 charging depot" not in listing
    assert CompletionReport.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_port_staff_cannot_decide_their_own_report_on_its_page(client, depot, pola_staff):
    made = report(depot, pola_staff, dt.date(2027, 1, 29))
    client.force_login(pola_staff)
    detail = reverse("penalties:completion", args=[made.pk])
    assert "Record the decision" not in client.get(detail).text
    assert client.post(detail, {"decision": "yes", "note": ""}).status_code == 403
    made.refresh_from_db()
    assert made.status == ClaimStatus.PENDING
