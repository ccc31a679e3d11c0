"""Making defaults the way production does: a missed milestone, a sweep that flags it, and
(for a recorded default) AQMD's determination confirming it."""

from __future__ import annotations

import datetime as dt

import time_machine

from accounts.models import Role, User
from agreement.models import Party
from penalties.determinations import default_determine
from penalties.models import Default, DefaultStatus
from penalties.sweep import sweep_deadlines
from tests.factories import MilestoneFactory

from .conftest import pacific


def determining_reviewer() -> User:
    """The AQMD reviewer who determines defaults in tests that do not name one."""
    user, _ = User.objects.get_or_create(
        username="determining.reviewer",
        defaults={"role": Role.AQMD_REVIEWER, "email": "determining.reviewer@aqmd.example"},
    )
    return user


def flagged_default(party: Party, due: dt.date = dt.date(2027, 1, 5), **fields) -> Default:
    """A project milestone of ``party`` due ``due``, missed, flagged by the sweep the next
    morning at 09:00 Pacific; AQMD has not determined it."""
    milestone = MilestoneFactory.create(party=party, due_date=due, **fields)
    now = pacific(due.year, due.month, due.day, 9) + dt.timedelta(days=1)
    with time_machine.travel(now, tick=False):
        sweep_deadlines(now)
    return Default.objects.select_related("milestone").get(milestone=milestone)


def confirm(default: Default, *, at: dt.datetime | None = None, reviewer: User | None = None):
    """AQMD confirms a flagged default (at ``at``, default one hour after it was flagged)."""
    moment = at or default.detected_at + dt.timedelta(hours=1)
    with time_machine.travel(moment, tick=False):
        default_determine(
            default=default,
            decision=DefaultStatus.CONFIRMED,
            reason="Missed without a claim.",
            actor=reviewer or determining_reviewer(),
        )
    return Default.objects.select_related("penalty", "milestone").get(pk=default.pk)


def recorded_default(party: Party, due: dt.date = dt.date(2027, 1, 5), **fields) -> Default:
    """A missed project milestone, flagged the next morning and confirmed by AQMD an hour
    later: a default with its penalty assessed."""
    return confirm(flagged_default(party, due, **fields))
