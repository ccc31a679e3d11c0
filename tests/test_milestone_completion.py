"""Milestones are met (on time or late) or excused, once, with an audit event."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from agreement.models import MilestoneStatus
from agreement.services import milestone_complete, milestone_excuse
from audit.models import AuditEvent
from core.errors import ServiceError

from .factories import MilestoneFactory

PACIFIC = ZoneInfo("America/Los_Angeles")


def test_met_on_the_due_date_at_235959_pacific_is_on_time(pola, pola_staff):
    milestone = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 6, 30))
    milestone_complete(
        milestone=milestone,
        completed_at=dt.datetime(2027, 6, 30, 23, 59, 59, tzinfo=PACIFIC),
        actor=pola_staff,
    )
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.MET
    assert milestone.met_late is False


def test_met_a_second_after_is_late_and_stays_visible_as_late(pola, pola_staff):
    milestone = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 6, 30))
    milestone_complete(
        milestone=milestone,
        completed_at=dt.datetime(2027, 7, 1, 0, 0, 0, tzinfo=PACIFIC),
        actor=pola_staff,
    )
    milestone.refresh_from_db()
    assert milestone.met_late is True


def test_completing_twice_records_one_event(pola, pola_staff):
    milestone = MilestoneFactory.create(party=pola)
    at = dt.datetime(2027, 6, 1, tzinfo=PACIFIC)
    milestone_complete(milestone=milestone, completed_at=at, actor=pola_staff)
    milestone_complete(milestone=milestone, completed_at=at, actor=pola_staff)
    assert AuditEvent.objects.filter(action="milestone.met").count() == 1


def test_an_excused_milestone_cannot_be_met_and_needs_a_reason(pola, reviewer):
    milestone = MilestoneFactory.create(party=pola)
    with pytest.raises(ServiceError):
        milestone_excuse(milestone=milestone, actor=reviewer, reason="")
    milestone_excuse(milestone=milestone, actor=reviewer, reason="Utility delayed grid work")
    with pytest.raises(ServiceError):
        milestone_complete(
            milestone=milestone,
            completed_at=dt.datetime(2027, 1, 1, tzinfo=PACIFIC),
            actor=reviewer,
        )
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.EXCUSED
