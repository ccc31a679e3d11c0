"""Dates and times in messages, written as the pages write them (``DATE_FORMAT`` and
``DATETIME_FORMAT`` of the active language, ``config/formats/``), times in Pacific time."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone

from agreement.deadlines import PACIFIC


def day(value: dt.date) -> str:
    """A calendar date: "Nov. 27, 2026" in English, "27 de noviembre de 2026" in Spanish."""
    return formats.date_format(value, "DATE_FORMAT")


def moment(value: dt.datetime) -> str:
    """A moment in Pacific time, with its zone: "Nov. 27, 2026, 10:04 p.m. PST"."""
    return formats.date_format(timezone.localtime(value, PACIFIC), "DATETIME_FORMAT")
