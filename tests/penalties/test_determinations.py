"""A flagged miss becomes a default only by AQMD's determination: confirmed (the penalty from
the schedule in force at the miss, by the port's confirmed defaults; the notice of default;
public) or dismissed (no penalty, never public).  Through the service, the API and the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from agreement.models import Milestone, MilestoneKind
from audit.models import AuditEvent
from core.errors import Conflict, Forbidden, ServiceError
from penalties.determinations import default_determine
from penalties.models import (
    Default,
    DefaultStatus,
    Notice,
    NoticeKind,
    Penalty,
    PenaltySchedule,
    PenaltyStatus,
    PenaltyTier,
)
from penalties.sweep import sweep_deadlines
from tests.api.conftest import error_of
from tests.clients import api_as

from .conftest import pacific
from .helpers import confirm, flagged_default

NOW = pacific(2027, 2, 1, 10)
PROVISIONAL_WORDS = "stored as provisional"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def determine_url(default: Default) -> str:
    return f"/api/v1/defaults/{default.pk}/determination/"


def dismiss(default: Default, actor, reason: str = "The port met it; the record was late."):
    return default_determine(default=default, decision="dismissed", reason=reason, actor=actor)


def mails_about(title: str) -> list:
    return [m for m in mail.outbox if title in m.subject]


# --- Confirming ----------------------------------------------------------------------------


def test_confirming_assesses_the_penalty_mails_the_notice_of_default_and_audits_it(
    pola, pola_staff, polb_staff, reviewer, django_capture_on_commit_callbacks
):
    flagged = flagged_default(pola, dt.date(2027, 1, 5), title="Berth 100 chargers")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        default_determine(
            default=flagged,
            decision="confirmed",
            reason="No claim was filed.",
            actor=reviewer,
        )
    default = Default.objects.get(pk=flagged.pk)
    assert default.status == DefaultStatus.CONFIRMED
    assert (default.ordinal, default.confirmed_at, default.determined_by) == (1, NOW, reviewer)
    assert default.determination_reason == "No claim was filed."
    penalty = Penalty.objects.get(default=default)
    assert penalty.amount == Decimal("50000.00")
    assert penalty.schedule == PenaltySchedule.objects.get()
    assert penalty.status == PenaltyStatus.NOTICE_SENT and penalty.notice_sent_at == NOW
    notice = Notice.objects.get(milestone=default.milestone, kind=NoticeKind.DEFAULT)
    assert notice.sent_at == NOW
    [message] = mails_about("Notice of default")
    assert message.to == ["pola.planner@example.test"]  # the port's staff, not the other port
    assert "$50,000.00" in message.body and "No claim was filed." in message.body
    assert PROVISIONAL_WORDS in message.body  # the seeded schedule is provisional: say so
    confirmed = AuditEvent.objects.get(action="default.confirmed")
    assert confirmed.actor == reviewer and confirmed.note == "No claim was filed."
    assert (confirmed.before or {})["status"] == "flagged"
    assert (confirmed.after or {})["status"] == "confirmed"
    assert AuditEvent.objects.get(action="penalty.assessed").actor == reviewer


def test_the_notice_of_default_does_not_call_a_fixed_schedule_provisional(
    pola, pola_staff, reviewer, django_capture_on_commit_callbacks
):
    fixed = PenaltySchedule.objects.create(
        name="Adopted schedule", effective_from=dt.date(2027, 1, 1), is_provisional=False
    )
    PenaltyTier.objects.create(schedule=fixed, default_ordinal=1, amount=Decimal("60000.00"))
    with django_capture_on_commit_callbacks(execute=True):
        flagged = flagged_default(pola, dt.date(2027, 1, 5), title="Berth 200 chargers")
    [potential] = mails_about("Notice of potential default")
    assert "$60,000.00" in potential.body and PROVISIONAL_WORDS not in potential.body
    with django_capture_on_commit_callbacks(execute=True):
        default_determine(default=flagged, decision="confirmed", reason="", actor=reviewer)
    [notice] = mails_about("Notice of default")
    assert "$60,000.00" in notice.body
    assert PROVISIONAL_WORDS not in notice.body and "provisional" not in notice.body.lower()


def test_the_penalty_is_from_the_schedule_in_force_at_the_miss_by_the_ports_confirmed_count(
    pola, polb, reviewer, administrator
):
    amended = PenaltySchedule.objects.create(
        name="Amended schedule", effective_from=dt.date(2027, 1, 10), is_provisional=False
    )
    PenaltyTier.objects.create(schedule=amended, default_ordinal=1, amount=Decimal("75000.00"))
    PenaltyTier.objects.create(schedule=amended, default_ordinal=2, amount=Decimal("150000.00"))
    early = flagged_default(pola, dt.date(2027, 1, 5))  # missed under the seeded schedule
    late = flagged_default(pola, dt.date(2027, 1, 12))  # missed under the amended one
    never = flagged_default(pola, dt.date(2027, 1, 13))
    confirm(flagged_default(polb, dt.date(2027, 1, 4)))  # the other port's count is its own
    dismiss(never, reviewer)  # a dismissed miss counts for nothing
    # The proposal was made when flagged, for the port's next confirmed default (#1).
    assert late.proposed_amount == Decimal("75000.00")
    first = api_as(reviewer).post(
        determine_url(early), {"decision": "confirmed", "reason": "Missed."}, format="json"
    )
    assert first.status_code == 200, first.content
    assert (first.json()["ordinal"], first.json()["penalty"]["amount"]) == (1, "50000.00")
    assert first.json()["penalty"]["is_provisional"] is True
    second = api_as(administrator).post(
        determine_url(late), {"decision": "confirmed", "reason": "Missed."}, format="json"
    )
    assert second.status_code == 200, second.content
    # The amended schedule (in force at this miss), tier 2: it is POLA's second confirmed.
    assert (second.json()["ordinal"], second.json()["penalty"]["amount"]) == (2, "150000.00")
    assert second.json()["penalty"]["is_provisional"] is False
    assert Penalty.objects.get(default=late).schedule == amended


# --- Dismissing ----------------------------------------------------------------------------


def test_dismissing_through_the_api_needs_a_reason_assesses_nothing_and_stays_out_of_public_view(
    pola, pola_staff, administrator, board_member, django_capture_on_commit_callbacks
):
    flagged = flagged_default(pola, dt.date(2027, 1, 5), title="Gate 7 chargers")
    blank = api_as(administrator).post(
        determine_url(flagged), {"decision": "dismissed", "reason": " "}, format="json"
    )
    assert blank.status_code == 400 and "reason" in error_of(blank)["fields"]
    assert Default.objects.get(pk=flagged.pk).status == DefaultStatus.FLAGGED
    unknown = api_as(administrator).post(
        determine_url(flagged), {"decision": "maybe"}, format="json"
    )
    assert unknown.status_code == 400 and "decision" in error_of(unknown)["fields"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(administrator).post(
            determine_url(flagged),
            {"decision": "dismissed", "reason": "Utility outage, documented."},
            format="json",
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "dismissed" and body["penalty"] is None and body["ordinal"] is None
    assert body["determination_reason"] == "Utility outage, documented."
    assert not Penalty.objects.exists()
    [message] = mails_about("Potential default dismissed")
    assert message.to == ["pola.planner@example.test"]
    assert "Utility outage, documented." in message.body
    event = AuditEvent.objects.get(action="default.dismissed")
    assert event.actor == administrator and event.note == "Utility outage, documented."
    for outsider in (None, board_member):
        assert api_as(outsider).get(f"/api/v1/defaults/{flagged.pk}/").status_code == 404
        assert api_as(outsider).get("/api/v1/defaults/").json()["results"] == []
    own = api_as(pola_staff).get(f"/api/v1/defaults/{flagged.pk}/")
    assert own.status_code == 200 and own.json()["status"] == "dismissed"


def test_a_dismissal_without_a_reason_is_refused_by_the_service_and_changes_nothing(pola, reviewer):
    flagged = flagged_default(pola)
    with pytest.raises(ServiceError, match="Say why"):
        dismiss(flagged, reviewer, reason="")
    with pytest.raises(ServiceError, match="confirm or dismiss"):
        default_determine(default=flagged, decision="withdrawn", reason="x", actor=reviewer)
    flagged.refresh_from_db()
    assert flagged.status == DefaultStatus.FLAGGED
    assert (
        not AuditEvent.objects.filter(action__startswith="default.")
        .exclude(action="default.flagged")
        .exists()
    )


# --- One determination ---------------------------------------------------------------------


def test_a_second_determination_answers_409_and_records_nothing_more(pola, reviewer, administrator):
    flagged = flagged_default(pola)
    assert (
        api_as(reviewer)
        .post(determine_url(flagged), {"decision": "confirmed", "reason": ""}, format="json")
        .status_code
        == 200
    )
    for decision in ("dismissed", "confirmed"):
        again = api_as(administrator).post(
            determine_url(flagged), {"decision": decision, "reason": "Second look"}, format="json"
        )
        assert again.status_code == 409, decision
        assert error_of(again)["code"] == "conflict"
        assert "already determined" in error_of(again)["message"]
    with pytest.raises(Conflict):
        dismiss(flagged, administrator)
    default = Default.objects.get(pk=flagged.pk)
    assert default.status == DefaultStatus.CONFIRMED and default.determined_by == reviewer
    assert Penalty.objects.count() == 1
    assert AuditEvent.objects.filter(action="default.confirmed").count() == 1
    assert not AuditEvent.objects.filter(action="default.dismissed").exists()


def test_a_determination_on_the_page_and_a_second_one_explained(
    client, pola, pola_staff, reviewer, django_capture_on_commit_callbacks
):
    flagged = flagged_default(pola, title="Crane 12 conversion")
    url = reverse("penalties:default", args=[flagged.pk])
    client.force_login(reviewer)
    page = client.get(url).text
    assert "Record the determination" in page
    assert "$50,000.00" in page and "provisional schedule" in page
    blank = client.post(url, {"decision": "dismissed", "reason": ""})
    assert blank.status_code == 200 and "Say why the default is dismissed." in blank.text
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"decision": "confirmed", "reason": "Missed without a claim."})
    assert done.status_code == 302 and done["Location"] == url
    page = client.get(url).text
    assert "Default #1" in page and "Record the determination" not in page
    # A second reviewer who still had the form open: told, on the page, that it was not recorded.
    again = client.post(url, {"decision": "dismissed", "reason": "Second thoughts"}, follow=True)
    assert "already determined" in again.text and "not recorded" in again.text
    assert Default.objects.get(pk=flagged.pk).status == DefaultStatus.CONFIRMED


# --- Provisional dates ---------------------------------------------------------------------


def test_a_miss_of_a_provisional_date_answers_409_until_aqmd_confirms_the_date(
    client, pola, pola_staff, reviewer, administrator
):
    draft2 = Milestone.objects.get(party=pola, kind=MilestoneKind.DRAFT_PLAN, phase__number=2)
    assert draft2.is_provisional  # a placeholder: the public record does not fix it
    Milestone.objects.filter(pk=draft2.pk).update(due_date=dt.date(2027, 1, 5))
    with time_machine.travel(pacific(2027, 1, 6, 9), tick=False):
        sweep_deadlines(pacific(2027, 1, 6, 9))
    flagged = Default.objects.get(milestone=draft2)
    assert flagged.status == DefaultStatus.FLAGGED  # flagged, for AQMD to look at
    refused = api_as(reviewer).post(
        determine_url(flagged), {"decision": "confirmed", "reason": ""}, format="json"
    )
    assert refused.status_code == 409
    assert "provisional" in error_of(refused)["message"]
    assert "Confirm the date first" in error_of(refused)["message"]
    assert not Penalty.objects.exists()
    client.force_login(reviewer)
    url = reverse("penalties:default", args=[flagged.pk])
    assert "The due date is provisional" in client.get(url).text
    on_page = client.post(url, {"decision": "confirmed", "reason": ""})
    assert "Confirm the date first" in on_page.text
    assert Default.objects.get(pk=flagged.pk).status == DefaultStatus.FLAGGED

    # AQMD confirms the date (the same date, no longer provisional) by an amendment.
    amended = api_as(administrator).post(
        f"/api/v1/milestones/{draft2.pk}/due-date-amendments/",
        {
            "new_due_date": "2027-01-05",
            "reason": "The Governing Board fixed the phase 2 draft date.",
            "is_provisional": False,
        },
        format="json",
    )
    assert amended.status_code == 201, amended.content
    assert amended.json()["is_provisional"] is False
    assert amended.json()["due_date"] == "2027-01-05"
    confirmed = api_as(reviewer).post(
        determine_url(flagged), {"decision": "confirmed", "reason": ""}, format="json"
    )
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["penalty"]["amount"] == "50000.00"


def test_a_miss_of_a_date_that_has_since_moved_cannot_be_confirmed_but_may_be_dismissed(
    pola, reviewer, administrator
):
    from agreement.services import milestone_change_due_date

    flagged = flagged_default(pola, dt.date(2027, 1, 5))
    milestone_change_due_date(
        milestone=flagged.milestone,
        new_due_date=dt.date(2027, 3, 1),
        kind="amendment",
        reason="Board amendment",
        actor=administrator,
    )
    refused = api_as(reviewer).post(
        determine_url(flagged), {"decision": "confirmed", "reason": ""}, format="json"
    )
    assert refused.status_code == 409 and "has since moved" in error_of(refused)["message"]
    dismissed = api_as(reviewer).post(
        determine_url(flagged), {"decision": "dismissed", "reason": "Date moved"}, format="json"
    )
    assert dismissed.status_code == 200


def test_administrators_see_provisional_due_dates_in_the_next_60_days_on_their_dashboard(
    client, pola, administrator, reviewer
):
    draft1 = Milestone.objects.get(party=pola, kind=MilestoneKind.DRAFT_PLAN, phase__number=1)
    assert draft1.is_provisional and draft1.due_date == dt.date(2027, 5, 31)
    heading = "Provisional due dates in the next 60 days"

    def dashboard(user, moment):
        with time_machine.travel(moment, tick=False):
            client.force_login(user)  # a session of that day
            return client.get(reverse("home"))

    early = dashboard(administrator, pacific(2027, 3, 31, 23))  # 61 days ahead
    assert draft1 not in early.context["dashboard"].provisional_ahead
    page = dashboard(administrator, pacific(2027, 4, 1, 0, 0, 1))  # 60 days ahead
    assert draft1 in page.context["dashboard"].provisional_ahead
    assert heading in page.text and draft1.title in page.text
    assert heading not in dashboard(reviewer, pacific(2027, 4, 1, 9)).text


# --- Who may determine ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("reviewer", 200),
        ("administrator", 200),
        ("pola_staff", 403),
        ("polb_staff", 403),
        ("board_member", 403),
        ("anonymous", 401),
    ],
)
def test_reviewers_and_administrators_determine_ports_and_the_board_get_403_the_public_401(
    request, pola, role, status
):
    flagged = flagged_default(pola)
    user = None if role == "anonymous" else request.getfixturevalue(role)
    response = api_as(user).post(
        determine_url(flagged), {"decision": "dismissed", "reason": "Not a default"}, format="json"
    )
    assert response.status_code == status, response.content
    expected = DefaultStatus.DISMISSED if status == 200 else DefaultStatus.FLAGGED
    assert Default.objects.get(pk=flagged.pk).status == expected
    if user is not None and status == 403:
        with pytest.raises(Forbidden):
            dismiss(flagged, user)


def test_port_staff_cannot_determine_their_own_miss_on_its_page(client, pola, pola_staff):
    flagged = flagged_default(pola)
    url = reverse("penalties:default", args=[flagged.pk])
    client.force_login(pola_staff)
    page = client.get(url)
    assert page.status_code == 200 and "Record the determination" not in page.text
    assert client.post(url, {"decision": "dismissed", "reason": "We disagree"}).status_code == 403
    assert Default.objects.get(pk=flagged.pk).status == DefaultStatus.FLAGGED


# --- Who sees what -------------------------------------------------------------------------


@pytest.fixture
def four_misses(pola, polb, reviewer):
    """POLA: one confirmed, one flagged, one dismissed; POLB: one flagged."""
    confirmed = confirm(flagged_default(pola, dt.date(2027, 1, 5), title="POLA confirmed miss"))
    flagged = flagged_default(pola, dt.date(2027, 1, 12), title="POLA flagged miss")
    dismissed = flagged_default(pola, dt.date(2027, 1, 19), title="POLA dismissed miss")
    dismiss(dismissed, reviewer)
    other = flagged_default(polb, dt.date(2027, 1, 6), title="POLB flagged miss")
    return {"confirmed": confirmed, "flagged": flagged, "dismissed": dismissed, "other": other}


def _what_is_seen(client_api: APIClient, client, misses: dict) -> dict[str, set[str]]:
    """Which of the misses each read shows, by name."""
    titles = {name: d.milestone.title for name, d in misses.items()}

    def named(text: str) -> set[str]:
        return {name for name, title in titles.items() if title in text}

    listed = client_api.get("/api/v1/defaults/?page_size=100").json()["results"]
    seen = {
        "api list": {name for name, d in misses.items() if d.pk in {r["id"] for r in listed}},
        "api detail": {
            name
            for name, d in misses.items()
            if client_api.get(f"/api/v1/defaults/{d.pk}/").status_code == 200
        },
        "api csv": named(client_api.get("/api/v1/defaults/export.csv").content.decode()),
        "page list": named(client.get(reverse("penalties:defaults")).text),
        "page detail": {
            name
            for name, d in misses.items()
            if client.get(reverse("penalties:default", args=[d.pk])).status_code == 200
        },
        "page csv": named(
            b"".join(client.get(reverse("penalties:defaults-export", args=["csv"]))).decode()
        ),
    }
    return seen


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", {"confirmed"}),
        ("board_member", {"confirmed"}),
        ("pola_staff", {"confirmed", "flagged", "dismissed"}),
        ("polb_staff", {"other"}),
        ("reviewer", {"confirmed", "flagged", "dismissed", "other"}),
        ("administrator", {"confirmed", "flagged", "dismissed", "other"}),
    ],
)
def test_the_public_and_the_board_see_confirmed_defaults_only_ports_their_own_aqmd_all(
    request, client, four_misses, role, expected
):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    client_api = api_as(user)
    if user is not None:
        client.force_login(user)
    seen = _what_is_seen(client_api, client, four_misses)
    assert seen == dict.fromkeys(seen, expected)


def test_a_flagged_miss_counts_in_no_ledger_and_no_public_penalty_list(client, four_misses):
    lines = {
        line.party.code: line
        for line in client.get(reverse("penalties:defaults")).context["ledger"]
    }
    assert lines["POLA"].active_defaults == 1 and lines["POLB"].active_defaults == 0
    assert lines["POLA"].assessed == Decimal("50000.00")
    penalties = api_as().get("/api/v1/penalties/").json()["results"]
    assert [p["id"] for p in penalties] == [four_misses["confirmed"].penalty.pk]
