"""Reminders 60, 30, 7 and 1 days before each due date and an overdue notice: each at most
once, even when the job reruns; a moved due date gets its own reminders."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from agreement.models import Milestone
from agreement.services import milestone_change_due_date
from core.outbox import outbox_redeliver
from penalties.models import Notice, NoticeKind
from penalties.reminders import milestones_needing_notice, notice_kind_for, send_reminders
from tests.factories import MilestoneFactory

from .conftest import pacific

DUE = dt.date(2027, 1, 31)


@pytest.fixture
def milestone(pola, pola_staff):
    # The seeded 2026 annual report (due 2027-03-31) would get reminders too: count it met.
    Milestone.objects.filter(due_date__lt=dt.date(2027, 4, 30)).update(
        status="met", completed_at=pacific(2026, 1, 1), closed_at=pacific(2026, 1, 1)
    )
    return MilestoneFactory.create(party=pola, title="Terminal chargers", due_date=DUE)


@pytest.mark.parametrize(
    ("days_left", "kind"),
    [
        (61, None),
        (60, NoticeKind.REMINDER_60),
        (31, NoticeKind.REMINDER_60),
        (30, NoticeKind.REMINDER_30),
        (8, NoticeKind.REMINDER_30),
        (7, NoticeKind.REMINDER_7),
        (2, NoticeKind.REMINDER_7),
        (1, NoticeKind.REMINDER_1),
        (0, NoticeKind.REMINDER_1),
        (-1, NoticeKind.OVERDUE),
    ],
)
def test_the_window_for_each_number_of_days_left(days_left, kind):
    assert notice_kind_for(days_left) == kind


def _run_daily(start: dt.date, end: dt.date, *, times: int = 1) -> None:
    day = start
    while day <= end:
        now = pacific(day.year, day.month, day.day, 8)
        with time_machine.travel(now, tick=False):
            for _ in range(times):
                send_reminders(now)
        day += dt.timedelta(days=1)


def test_each_reminder_and_the_overdue_notice_are_sent_once_even_on_reruns(
    milestone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _run_daily(dt.date(2026, 11, 25), dt.date(2027, 2, 5), times=3)
    kinds = list(
        Notice.objects.filter(milestone=milestone)
        .order_by("created_at")
        .values_list("kind", flat=True)
    )
    assert kinds == ["reminder_60", "reminder_30", "reminder_7", "reminder_1", "overdue"]
    subjects = [m.subject for m in mail.outbox if "Terminal chargers" in m.subject]
    assert len(subjects) == 5
    assert subjects[0] == "Reminder: Terminal chargers is due in 60 day(s)"
    assert subjects[-1] == "Overdue: Terminal chargers"
    sent = Notice.objects.get(milestone=milestone, kind="reminder_60")
    assert sent.created_at == pacific(2026, 12, 2, 8)  # 60 days before 2027-01-31
    assert sent.sent_at is not None and sent.recipients == "pola.planner@example.test"


def test_after_a_gap_only_the_current_reminder_is_sent(milestone):
    now = pacific(2027, 1, 27, 8)  # 4 days left: no stale 60- or 30-day reminders
    with time_machine.travel(now, tick=False):
        send_reminders(now)
    assert list(Notice.objects.filter(milestone=milestone).values_list("kind", flat=True)) == [
        "reminder_7"
    ]


def test_a_moved_due_date_gets_new_reminders(milestone, administrator):
    now = pacific(2027, 1, 30, 8)
    with time_machine.travel(now, tick=False):
        send_reminders(now)
        milestone_change_due_date(
            milestone=milestone,
            new_due_date=dt.date(2027, 2, 1),
            kind="amendment",
            reason="Board amendment",
            actor=administrator,
        )
        send_reminders(now)
    rows = set(Notice.objects.filter(milestone=milestone).values_list("kind", "due_date"))
    assert rows == {("reminder_1", DUE), ("reminder_7", dt.date(2027, 2, 1))}


def test_met_milestones_get_no_reminders_and_nothing_due_is_one_query(
    milestone, pola_staff, django_assert_num_queries
):
    Milestone.objects.filter(pk=milestone.pk).update(
        status="met", completed_at=pacific(2027, 1, 2), closed_at=pacific(2027, 1, 2)
    )
    now = pacific(2027, 1, 30, 8)
    with django_assert_num_queries(1):  # the scan (the outbox retries lost deliveries)
        assert send_reminders(now) == 0
    assert not milestones_needing_notice(now).exists()


def test_a_lost_delivery_is_sent_once_by_the_outbox_redelivery(milestone):
    now = pacific(2027, 1, 30, 8)
    with time_machine.travel(now, tick=False):
        send_reminders(now)  # on_commit never runs in this test transaction: not delivered
    notice = Notice.objects.get(milestone=milestone)
    assert notice.sent_at is None and mail.outbox == []
    later = now + dt.timedelta(minutes=15)
    with time_machine.travel(later, tick=False):
        send_reminders(later)  # records nothing new
        assert outbox_redeliver(later) == 1
        assert outbox_redeliver(later) == 0
    notice.refresh_from_db()
    assert notice.sent_at == later
    assert len(mail.outbox) == 1
