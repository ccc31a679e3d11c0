"""Making a recorded default the way production does: a missed milestone and a sweep."""

from __future__ import annotations

import datetime as dt

import time_machine

from agreement.models import Party
from penalties.models import Default
from penalties.sweep import sweep_deadlines
from tests.factories import MilestoneFactory

from .conftest import pacific


def recorded_default(party: Party, due: dt.date = dt.date(2027, 1, 5), **fields) -> Default:
    """A project milestone of ``party`` due ``due``, missed, swept the next morning."""
    milestone = MilestoneFactory.create(party=party, due_date=due, **fields)
    now = pacific(due.year, due.month, due.day, 9) + dt.timedelta(days=1)
    with time_machine.travel(now, tick=False):
        sweep_deadlines(now)
    return Default.objects.select_related("penalty", "milestone").get(milestone=milestone)
