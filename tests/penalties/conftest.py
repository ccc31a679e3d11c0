"""Shared set-up for the penalties tests: helpers to make a milestone missed at a frozen
moment.  (Celery tasks run inline for every test: ``tests/conftest.py``.)"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")


def pacific(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=PACIFIC)
