"""A due date moves only by a recorded act that keeps the old value, who, when and why."""

import datetime as dt

import pytest

from agreement.models import DateChangeKind, Milestone, MilestoneKind
from agreement.services import milestone_change_due_date
from audit.models import AuditEvent
from core.errors import Forbidden, ServiceError


@pytest.fixture
def draft(pola):
    return Milestone.objects.get(party=pola, kind=MilestoneKind.DRAFT_PLAN, phase__number=1)


def test_amendment_records_old_value_who_when_and_why(draft, administrator):
    change = milestone_change_due_date(
        milestone=draft,
        new_due_date=dt.date(2027, 5, 28),
        is_provisional=False,
        kind=DateChangeKind.AMENDMENT,
        reason="Board set the draft date.",
        actor=administrator,
    )
    draft.refresh_from_db()
    assert change is not None
    assert (draft.due_date, draft.is_provisional) == (dt.date(2027, 5, 28), False)
    assert change.old_due_date == dt.date(2027, 5, 31)
    assert change.old_is_provisional is True
    assert change.actor == administrator
    assert change.reason == "Board set the draft date."
    event = AuditEvent.objects.get(action="milestone.due_date_changed.amendment")
    assert event.before == {"due_date": "2027-05-31", "is_provisional": True}
    assert event.after == {"due_date": "2027-05-28", "is_provisional": False}
    assert event.actor == administrator
    assert event.party_id == draft.party_id


def test_a_reason_is_required_and_nothing_changes_without_it(draft, administrator):
    with pytest.raises(ServiceError) as err:
        milestone_change_due_date(
            milestone=draft,
            new_due_date=dt.date(2027, 6, 30),
            kind=DateChangeKind.AMENDMENT,
            reason="  ",
            actor=administrator,
        )
    assert "reason" in err.value.fields
    draft.refresh_from_db()
    assert draft.due_date == dt.date(2027, 5, 31)
    assert not draft.date_changes.exists()


def test_port_staff_cannot_amend_a_date(draft, pola_staff):
    with pytest.raises(Forbidden):
        milestone_change_due_date(
            milestone=draft,
            new_due_date=dt.date(2027, 6, 30),
            kind=DateChangeKind.AMENDMENT,
            reason="We would like more time",
            actor=pola_staff,
        )
    draft.refresh_from_db()
    assert draft.due_date == dt.date(2027, 5, 31)


def test_same_date_is_a_no_op(draft, administrator):
    result = milestone_change_due_date(
        milestone=draft,
        new_due_date=draft.due_date,
        kind=DateChangeKind.AMENDMENT,
        reason="Nothing",
        actor=administrator,
    )
    assert result is None
    assert not AuditEvent.objects.exists()


def test_history_keeps_every_change_in_order(draft, administrator):
    for day in (20, 25):
        milestone_change_due_date(
            milestone=draft,
            new_due_date=dt.date(2027, 6, day),
            kind=DateChangeKind.AMENDMENT,
            reason=f"Move to June {day}",
            actor=administrator,
        )
    history = list(draft.date_changes.values_list("old_due_date", "new_due_date"))
    assert history == [
        (dt.date(2027, 5, 31), dt.date(2027, 6, 20)),
        (dt.date(2027, 6, 20), dt.date(2027, 6, 25)),
    ]
