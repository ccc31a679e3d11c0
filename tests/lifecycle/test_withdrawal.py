"""Withdrawal: 45 days' written notice ends the agreement; no new defaults after that."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connections
from django.urls import reverse

from agreement.models import (
    Agreement,
    MilestoneKind,
    WithdrawalNotice,
    WithdrawalStatus,
    withdrawal_effective_on,
)
from agreement.withdrawal import (
    agreement_ended_on,
    withdrawal_notice_record,
    withdrawal_notice_rescind,
)
from audit.models import AuditEvent
from core.errors import Conflict, Forbidden, ServiceError
from core.models import OutboxMessage
from penalties.models import Default
from penalties.sweep import missed_milestones, sweep_deadlines
from tests.clients import api_as
from tests.factories import MilestoneFactory
from tests.pdfs import pdf_upload

pytestmark = pytest.mark.django_db

PACIFIC = ZoneInfo("America/Los_Angeles")
RECEIVED = dt.date(2027, 3, 1)
EFFECTIVE = dt.date(2027, 4, 15)  # 1 March + 45 days


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=PACIFIC)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def notice(agreement: Agreement, pola, administrator, media) -> WithdrawalNotice:
    with time_machine.travel(at(RECEIVED), tick=False):
        return withdrawal_notice_record(
            agreement=agreement,
            party=pola,
            received_on=RECEIVED,
            document=pdf_upload("notice.pdf"),
            actor=administrator,
        )


def test_the_effective_date_is_the_receipt_plus_the_notice_period():
    assert withdrawal_effective_on(RECEIVED, 45) == EFFECTIVE
    assert withdrawal_effective_on(dt.date(2027, 12, 1), 45) == dt.date(2028, 1, 15)


def test_recording_a_notice_stores_the_effective_date_audits_and_mails_everyone(
    pola_staff, polb_staff, notice
):
    assert notice.effective_on == EFFECTIVE and notice.notice_days == 45
    assert notice.document.original_name == "notice.pdf"
    assert AuditEvent.objects.filter(action="withdrawal_notice.recorded").count() == 1
    mailed = set(OutboxMessage.objects.values_list("recipient_id", flat=True))
    assert {pola_staff.pk, polb_staff.pk} <= mailed


def test_only_administrators_record_a_notice(agreement, pola, reviewer, media):
    with pytest.raises(Forbidden):
        withdrawal_notice_record(
            agreement=agreement,
            party=pola,
            received_on=RECEIVED,
            document=pdf_upload(),
            actor=reviewer,
        )
    assert not WithdrawalNotice.objects.exists()


def test_a_notice_received_in_the_future_is_refused(agreement, pola, administrator, media):
    with time_machine.travel(at(RECEIVED), tick=False), pytest.raises(ServiceError):
        withdrawal_notice_record(
            agreement=agreement,
            party=pola,
            received_on=RECEIVED + dt.timedelta(days=1),
            document=pdf_upload(),
            actor=administrator,
        )


def test_the_agreement_ends_on_the_effective_date(notice):
    assert agreement_ended_on(at(EFFECTIVE - dt.timedelta(days=1))) is None
    assert agreement_ended_on(at(EFFECTIVE, 0)) == EFFECTIVE


def test_the_sweep_flags_no_default_for_a_milestone_due_after_the_effective_date(notice, pola):
    before = MilestoneFactory.create(party=pola, due_date=EFFECTIVE - dt.timedelta(days=5))
    on_the_day = MilestoneFactory.create(party=pola, due_date=EFFECTIVE)
    after = MilestoneFactory.create(party=pola, due_date=EFFECTIVE + dt.timedelta(days=5))
    now = at(EFFECTIVE + dt.timedelta(days=10))
    assert set(missed_milestones(now).filter(kind=MilestoneKind.PROJECT)) == {before, on_the_day}
    sweep_deadlines(now)
    flagged = set(Default.objects.values_list("milestone_id", flat=True))
    assert before.pk in flagged and on_the_day.pk in flagged
    assert after.pk not in flagged


def test_a_rescinded_notice_ends_nothing_and_the_sweep_flags_again(notice, pola, administrator):
    with time_machine.travel(at(RECEIVED + dt.timedelta(days=3)), tick=False):
        withdrawal_notice_rescind(notice=notice, reason="Settled.", actor=administrator)
    notice.refresh_from_db()
    assert notice.status == WithdrawalStatus.RESCINDED
    after = MilestoneFactory.create(party=pola, due_date=EFFECTIVE + dt.timedelta(days=5))
    sweep_deadlines(at(EFFECTIVE + dt.timedelta(days=10)))
    assert Default.objects.filter(milestone=after).exists()
    assert agreement_ended_on(at(EFFECTIVE + dt.timedelta(days=10))) is None


def test_a_notice_cannot_be_rescinded_once_in_effect(notice, administrator):
    with time_machine.travel(at(EFFECTIVE), tick=False), pytest.raises(Conflict):
        withdrawal_notice_rescind(notice=notice, reason="Too late.", actor=administrator)
    notice.refresh_from_db()
    assert notice.status == WithdrawalStatus.RECEIVED


def test_a_second_standing_notice_of_the_same_party_is_refused(
    notice, agreement, pola, administrator
):
    with time_machine.travel(at(RECEIVED), tick=False), pytest.raises(Conflict):
        withdrawal_notice_record(
            agreement=agreement,
            party=pola,
            received_on=RECEIVED,
            document=pdf_upload(),
            actor=administrator,
        )


@pytest.mark.django_db(transaction=True)
def test_two_notices_recorded_at_once_one_is_refused_not_a_server_error(
    agreement, pola, administrator, media
):
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def record() -> None:
        try:
            start.wait()
            outcomes.append(
                withdrawal_notice_record(
                    agreement=agreement,
                    party=pola,
                    received_on=RECEIVED,
                    document=pdf_upload(),
                    actor=administrator,
                    now=at(RECEIVED),
                )
            )
        except BaseException as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "WithdrawalNotice"]
    assert WithdrawalNotice.objects.filter(party=pola).count() == 1


def test_every_dashboard_and_the_public_pages_warn(
    notice, client, pola_staff, reviewer, administrator, board_member
):
    with time_machine.travel(at(RECEIVED + dt.timedelta(days=1)), tick=False):
        for user in (pola_staff, reviewer, administrator, board_member):
            client.force_login(user)
            page = client.get(reverse("home")).text
            assert "gave written notice of withdrawal" in page, user
        client.logout()
        terms = client.get(reverse("agreement-terms")).text
        assert "the agreement ends on" in terms and "Port of Los Angeles" in terms
        assert "Agreement ended" not in client.get(reverse("public-status")).text
    with time_machine.travel(at(EFFECTIVE), tick=False):
        assert "Agreement ended" in client.get(reverse("public-status")).text


API = "/api/v1/withdrawal-notices/"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, 401),
        ("pola_staff", 403),
        ("reviewer", 200),
        ("administrator", 200),
        ("board_member", 200),
    ],
)
def test_the_api_lists_notices_for_aqmd_and_the_board(notice, request, role, expected):
    user = request.getfixturevalue(role) if role else None
    response = api_as(user).get(API)
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["results"][0]["effective_on"] == EFFECTIVE.isoformat()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("pola_staff", 403), ("reviewer", 403), ("board_member", 403), ("administrator", 201)],
)
def test_only_administrators_record_a_notice_through_the_api(
    agreement, polb, media, request, role, expected
):
    user = request.getfixturevalue(role)
    with time_machine.travel(at(RECEIVED), tick=False):
        response = api_as(user).post(
            API,
            {"party": "POLB", "received_on": RECEIVED.isoformat(), "document": pdf_upload()},
            format="multipart",
        )
    assert response.status_code == expected, response.content
    assert WithdrawalNotice.objects.exists() == (expected == 201)


def test_a_notice_without_a_pdf_is_refused_with_the_field_named(agreement, administrator, media):
    response = api_as(administrator).post(
        API, {"party": "POLB", "received_on": RECEIVED.isoformat()}, format="multipart"
    )
    assert response.status_code == 400
    assert "document" in response.json()["error"]["fields"]


def test_the_api_rescinds_before_the_effective_date(notice, administrator):
    with time_machine.travel(at(RECEIVED + dt.timedelta(days=1)), tick=False):
        response = api_as(administrator).post(
            f"{API}{notice.pk}/rescind/", {"reason": "Withdrawn by letter."}, format="json"
        )
    assert response.status_code == 200 and response.json()["status"] == "rescinded"


def test_the_withdrawal_page_records_a_notice(client, administrator, agreement, media):
    with time_machine.travel(at(RECEIVED), tick=False):
        client.force_login(administrator)
        response = client.post(
            reverse("withdrawal-notices"),
            {"party": "AQMD", "received_on": RECEIVED.isoformat(), "document": pdf_upload()},
        )
        assert response.status_code == 302
        page = client.get(reverse("withdrawal-notices")).text
    assert WithdrawalNotice.objects.get().effective_on == EFFECTIVE
    assert "South Coast Air Quality Management District" in page


def test_no_reminder_for_a_milestone_due_after_the_agreement_ends(notice, pola):
    from penalties.reminders import milestones_needing_notice

    before = MilestoneFactory.create(party=pola, due_date=EFFECTIVE - dt.timedelta(days=3))
    after = MilestoneFactory.create(party=pola, due_date=EFFECTIVE + dt.timedelta(days=3))
    due = set(milestones_needing_notice(at(RECEIVED + dt.timedelta(days=40))))
    assert before in due and after not in due
