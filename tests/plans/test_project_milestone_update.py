"""Changing a project milestone of a draft (used by the API's PATCH)."""

from __future__ import annotations

import datetime as dt

import pytest

from audit.models import AuditEvent
from core.errors import Forbidden, ServiceError
from plans import services
from plans.models import ProjectMilestone


def _milestone(version) -> ProjectMilestone:
    return ProjectMilestone.objects.get(project__version=version)


def test_a_draft_milestone_changes_and_the_change_is_audited(draft, pola_staff):
    milestone = _milestone(draft)
    changed = services.project_milestone_update(
        milestone=milestone,
        data={"due_date": dt.date(2031, 3, 31), "within_port_control": False},
        actor=pola_staff,
    )
    changed.refresh_from_db()
    assert changed.due_date == dt.date(2031, 3, 31)
    assert changed.within_port_control is False
    assert changed.what == milestone.what
    event = AuditEvent.objects.for_object(draft.plan).get(action="plan.project_milestone_changed")
    assert event.before is not None and event.after is not None
    assert event.before["due_date"] == "2029-06-30"
    assert event.after["due_date"] == "2031-03-31"


def test_sending_the_same_values_changes_nothing_and_records_nothing(draft, pola_staff):
    milestone = _milestone(draft)
    services.project_milestone_update(
        milestone=milestone, data={"what": milestone.what}, actor=pola_staff
    )
    assert not AuditEvent.objects.filter(action="plan.project_milestone_changed").exists()


def test_a_milestone_of_a_submitted_version_is_frozen(submitted, pola_staff):
    with pytest.raises(ServiceError) as caught:
        services.project_milestone_update(
            milestone=_milestone(submitted), data={"what": "Later"}, actor=pola_staff
        )
    assert caught.value.code == "conflict"
    assert _milestone(submitted).what != "Later"


def test_staff_of_the_other_port_may_not_change_it(draft, polb_staff):
    with pytest.raises(Forbidden):
        services.project_milestone_update(
            milestone=_milestone(draft), data={"what": "Later"}, actor=polb_staff
        )


def test_an_invalid_value_is_refused_with_the_field_named(draft, pola_staff):
    with pytest.raises(ServiceError) as caught:
        services.project_milestone_update(
            milestone=_milestone(draft), data={"what": ""}, actor=pola_staff
        )
    assert "what" in caught.value.fields
