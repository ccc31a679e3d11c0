"""Reminder job: email 60, 30, 7 and 1 days before each due date, and an overdue notice.

Each open milestone is in one *window* on a given Pacific day: 31-60 days left is the
60-day reminder, 8-30 the 30-day one, 2-7 the 7-day one, 0-1 the 1-day one, and past the
deadline the overdue notice.  If the job did not run for a while, only the current window's
reminder is sent (no burst of stale ones).  The :class:`~penalties.models.Notice` log's
unique (milestone, kind, due date) makes each one happen at most once; a moved due date
starts new reminders.

``process_one(now)`` records one missing notice; ``send_reminders(now)`` loops it.  The
e-mail goes through the outbox (:mod:`core.outbox`), which retries what failed.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Case, CharField, Exists, OuterRef, Value, When

from agreement import deadlines, withdrawal
from agreement.models import Milestone, MilestoneQuerySet

from .models import Notice, NoticeKind
from .notices import notice_record

logger = logging.getLogger(__name__)

# (most days left, notice): the first window containing a milestone's days left applies.
REMINDER_WINDOWS: list[tuple[int, str]] = [
    (1, NoticeKind.REMINDER_1),
    (7, NoticeKind.REMINDER_7),
    (30, NoticeKind.REMINDER_30),
    (60, NoticeKind.REMINDER_60),
]
FIRST_REMINDER_DAYS = REMINDER_WINDOWS[-1][0]


def notice_kind_for(days_left: int) -> str | None:
    """The notice due for a milestone with ``days_left`` Pacific days left (None: none yet)."""
    if days_left < 0:
        return NoticeKind.OVERDUE
    for most, kind in REMINDER_WINDOWS:
        if days_left <= most:
            return kind
    return None


def milestones_needing_notice(now: dt.datetime) -> MilestoneQuerySet:
    """Open milestones due within 60 days or past, whose current notice is not recorded.

    A milestone due after a standing withdrawal's effective date is owed under no agreement
    (it ends first): no reminder, no overdue notice.

    Served by the partial index ``milestone_open_due_idx`` (open milestones by due date).
    """
    today = deadlines.pacific_today(now)
    whens = [When(due_date__lt=today, then=Value(NoticeKind.OVERDUE))]
    for most, kind in REMINDER_WINDOWS:
        whens.append(When(due_date__lte=today + dt.timedelta(days=most), then=Value(kind)))
    return (
        Milestone.objects.open()
        .filter(due_date__lte=today + dt.timedelta(days=FIRST_REMINDER_DAYS))
        .exclude(withdrawal.ended_before_due())
        .annotate(notice_kind=Case(*whens, output_field=CharField()))
        .exclude(
            Exists(
                Notice.objects.filter(
                    milestone=OuterRef("pk"),
                    due_date=OuterRef("due_date"),
                    kind=OuterRef("notice_kind"),
                )
            )
        )
        .order_by("due_date", "id")
    )


def process_one(now: dt.datetime) -> bool:
    """Record (and, after commit, send) one missing reminder or overdue notice."""
    milestone = milestones_needing_notice(now).first()
    if milestone is None:
        return False
    notice_record(milestone=milestone, kind=milestone.notice_kind, now=now)  # type: ignore[attr-defined]
    return True


def send_reminders(now: dt.datetime) -> int:
    """Record every missing notice (mailed after commit).  Returns notices recorded."""
    done = 0
    while process_one(now):
        done += 1
    return done
