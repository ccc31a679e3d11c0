"""Shared set-up for the penalties tests: Celery tasks run inline (eagerly) unless a test
starts a real worker; helpers to make a milestone missed at a frozen moment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from config.celery import app as celery_app

PACIFIC = ZoneInfo("America/Los_Angeles")


@pytest.fixture(autouse=True)
def celery_eager() -> Iterator[None]:
    """``.delay()`` runs the task in-process, so mail lands in ``mail.outbox``."""
    old = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = old


def pacific(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=PACIFIC)
