"""The deadline rule of the agreement, in one place.

Deadlines are calendar dates in Pacific time (America/Los_Angeles).  A deliverable due on a
date is on time if it arrives by 23:59:59 Pacific on that date, i.e. at any moment whose
Pacific calendar date is the due date or earlier.  Fractions of the last second count as on
time: the deadline ends at the next Pacific midnight.  Daylight saving is handled by the
time-zone database, so the rule holds in winter (UTC-8) and summer (UTC-7) alike.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

PACIFIC = ZoneInfo("America/Los_Angeles")
LAST_SECOND = dt.time(23, 59, 59)


def due_moment(due_date: dt.date) -> dt.datetime:
    """The last on-time second of ``due_date``: 23:59:59 Pacific, as an aware datetime."""
    return dt.datetime.combine(due_date, LAST_SECOND, tzinfo=PACIFIC)


def deadline_end(due_date: dt.date) -> dt.datetime:
    """The first moment that is late: midnight Pacific at the start of the next day."""
    return dt.datetime.combine(due_date + dt.timedelta(days=1), dt.time(0, 0), tzinfo=PACIFIC)


def pacific_date(moment: dt.datetime) -> dt.date:
    """The Pacific calendar date of an aware moment."""
    if timezone.is_naive(moment):
        raise ValueError("Deadlines compare aware datetimes only.")
    return moment.astimezone(PACIFIC).date()


def is_on_time(due_date: dt.date, moment: dt.datetime) -> bool:
    """True if ``moment`` is by 23:59:59 Pacific on ``due_date``."""
    return pacific_date(moment) <= due_date


def has_passed(due_date: dt.date, now: dt.datetime | None = None) -> bool:
    """True once the deadline of ``due_date`` is over (nothing arriving now is on time)."""
    return not is_on_time(due_date, now or timezone.now())


def pacific_today(now: dt.datetime | None = None) -> dt.date:
    return pacific_date(now or timezone.now())


def days_left(due_date: dt.date, now: dt.datetime | None = None) -> int:
    """Whole Pacific calendar days until the due date: 0 on the day, negative once past."""
    return (due_date - pacific_today(now)).days


def last_passed_due_date(now: dt.datetime | None = None) -> dt.date:
    """The latest due date whose deadline is over at ``now`` (yesterday, Pacific)."""
    return pacific_today(now) - dt.timedelta(days=1)
