"""On time means by 23:59:59 Pacific on the due date, in winter and summer time alike."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from agreement import deadlines

UTC = dt.UTC
PACIFIC = ZoneInfo("America/Los_Angeles")


@pytest.mark.parametrize(
    ("due", "last_on_time_utc", "first_late_utc"),
    [
        # Winter (PST, UTC-8): 23:59:59 Pacific is 07:59:59 UTC next day.
        (
            dt.date(2027, 12, 31),
            dt.datetime(2028, 1, 1, 7, 59, 59, 999999, tzinfo=UTC),
            dt.datetime(2028, 1, 1, 8, 0, 0, tzinfo=UTC),
        ),
        # Summer (PDT, UTC-7): 23:59:59 Pacific is 06:59:59 UTC next day.
        (
            dt.date(2027, 5, 31),
            dt.datetime(2027, 6, 1, 6, 59, 59, 999999, tzinfo=UTC),
            dt.datetime(2027, 6, 1, 7, 0, 0, tzinfo=UTC),
        ),
        # The day clocks spring forward (2027-03-14) ends at 07:00 UTC.
        (
            dt.date(2027, 3, 14),
            dt.datetime(2027, 3, 15, 6, 59, 59, tzinfo=UTC),
            dt.datetime(2027, 3, 15, 7, 0, 0, tzinfo=UTC),
        ),
        # The day clocks fall back (2027-11-07) is 25 hours long and ends at 08:00 UTC.
        (
            dt.date(2027, 11, 7),
            dt.datetime(2027, 11, 8, 7, 59, 59, tzinfo=UTC),
            dt.datetime(2027, 11, 8, 8, 0, 0, tzinfo=UTC),
        ),
    ],
)
def test_deadline_ends_at_pacific_midnight_in_any_season(due, last_on_time_utc, first_late_utc):
    assert deadlines.is_on_time(due, last_on_time_utc)
    assert not deadlines.is_on_time(due, first_late_utc)
    assert deadlines.deadline_end(due) == first_late_utc


def test_due_moment_is_235959_pacific_with_the_right_offset():
    winter = deadlines.due_moment(dt.date(2027, 12, 31))
    summer = deadlines.due_moment(dt.date(2027, 5, 31))
    assert winter.astimezone(UTC) == dt.datetime(2028, 1, 1, 7, 59, 59, tzinfo=UTC)
    assert summer.astimezone(UTC) == dt.datetime(2027, 6, 1, 6, 59, 59, tzinfo=UTC)
    assert winter.utcoffset() == dt.timedelta(hours=-8)
    assert summer.utcoffset() == dt.timedelta(hours=-7)


def test_a_moment_before_the_due_date_is_on_time():
    assert deadlines.is_on_time(dt.date(2027, 5, 31), dt.datetime(2027, 5, 1, tzinfo=PACIFIC))


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        deadlines.is_on_time(dt.date(2027, 5, 31), dt.datetime(2027, 5, 31, 12))  # noqa: DTZ001


def test_days_left_counts_pacific_calendar_days():
    due = dt.date(2027, 12, 31)
    # 2027-12-31 07:30 UTC is still Dec 30 in Los Angeles.
    assert deadlines.days_left(due, dt.datetime(2027, 12, 31, 7, 30, tzinfo=UTC)) == 1
    assert deadlines.days_left(due, dt.datetime(2027, 12, 31, 8, 30, tzinfo=UTC)) == 0
    assert deadlines.days_left(due, dt.datetime(2028, 1, 1, 8, 0, tzinfo=UTC)) == -1


def test_has_passed_flips_exactly_at_pacific_midnight():
    due = dt.date(2027, 5, 31)
    assert not deadlines.has_passed(due, dt.datetime(2027, 5, 31, 23, 59, 59, tzinfo=PACIFIC))
    assert deadlines.has_passed(due, dt.datetime(2027, 6, 1, 0, 0, 0, tzinfo=PACIFIC))
    assert deadlines.last_passed_due_date(dt.datetime(2027, 6, 1, 0, 0, tzinfo=PACIFIC)) == due
