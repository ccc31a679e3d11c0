"""Dates that would be missed at once are caught where they are entered: a project milestone
due before today (Pacific) is refused (usually a wrong year), and a reviewer approving a final
plan whose project milestones are already past sees them listed and must confirm."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from agreement.models import Milestone, MilestoneKind
from audit.models import AuditEvent
from core.errors import ServiceError
from plans import services
from plans.models import (
    InfrastructureProject,
    PlanVersion,
    ProjectMilestone,
    ReviewDecision,
    VersionKind,
    VersionStatus,
)
from plans.services import ConfirmationRequired
from tests.clients import api_as

from .conftest import make_draft

PACIFIC = ZoneInfo("America/Los_Angeles")
TODAY = dt.date(2027, 1, 10)
NOW = dt.datetime(2027, 1, 10, 9, 0, tzinfo=PACIFIC)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0):
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=PACIFIC)


def milestone_data(due: dt.date, what: str = "Substation energized") -> dict:
    return {"what": what, "due_date": due, "within_port_control": True}


@pytest.fixture
def project(draft) -> InfrastructureProject:
    return draft.projects.get()


# --- Entering a project milestone ----------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_milestone_due_before_today_is_refused_by_the_service_with_a_clear_message(
    project, pola_staff
):
    before = AuditEvent.objects.count()
    with pytest.raises(ServiceError) as refused:
        services.project_milestone_add(
            project=project, data=milestone_data(dt.date(2001, 5, 5)), actor=pola_staff
        )
    message = str(refused.value)
    assert "May 5, 2001" in message and "before today" in message
    assert "Jan. 10, 2027" in message and "check the year" in message
    assert "due_date" in refused.value.fields
    assert not project.milestones.filter(what="Substation energized").exists()
    assert AuditEvent.objects.count() == before
    due_today = services.project_milestone_add(
        project=project, data=milestone_data(TODAY), actor=pola_staff
    )
    assert due_today.due_date == TODAY  # on time until 23:59:59 tonight: not refused


@pytest.mark.parametrize(
    ("moment", "accepted"),
    [
        (at(2027, 1, 10, 23, 59, 59), True),  # still January 10 in Pacific time (UTC: 11th)
        (at(2027, 1, 11, 0, 0, 0), False),
    ],
)
def test_today_is_the_pacific_calendar_date(project, pola_staff, moment, accepted):
    with time_machine.travel(moment, tick=False):
        if accepted:
            services.project_milestone_add(
                project=project, data=milestone_data(TODAY), actor=pola_staff
            )
        else:
            with pytest.raises(ServiceError, match="before today"):
                services.project_milestone_add(
                    project=project, data=milestone_data(TODAY), actor=pola_staff
                )
    assert project.milestones.filter(due_date=TODAY).exists() is accepted


def test_moving_a_milestone_to_a_past_date_is_refused_but_other_edits_of_a_past_one_work(
    project, pola_staff
):
    with time_machine.travel(at(2027, 1, 5, 9), tick=False):
        milestone = services.project_milestone_add(
            project=project, data=milestone_data(dt.date(2027, 1, 8)), actor=pola_staff
        )
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(ServiceError, match="before today"):
            services.project_milestone_update(
                milestone=milestone, data={"due_date": dt.date(2027, 1, 9)}, actor=pola_staff
            )
        # Its date has passed since it was entered; fixing its wording is not refused.
        changed = services.project_milestone_update(
            milestone=milestone, data={"what": "Substation energised"}, actor=pola_staff
        )
    assert (changed.what, changed.due_date) == ("Substation energised", dt.date(2027, 1, 8))


@time_machine.travel(NOW, tick=False)
def test_the_api_refuses_a_past_due_date_with_400_naming_the_field(project, pola_staff):
    client = api_as(pola_staff)
    added = client.post(
        f"/api/v1/plan-projects/{project.pk}/milestones/",
        {"what": "Chargers commissioned", "due_date": "2001-05-05"},
        format="json",
    )
    assert added.status_code == 400
    error = added.json()["error"]
    assert "due_date" in error["fields"] and "check the year" in error["message"]
    assert not project.milestones.filter(what="Chargers commissioned").exists()
    existing = project.milestones.get()
    moved = client.patch(
        f"/api/v1/plan-project-milestones/{existing.pk}/",
        {"due_date": "2026-12-31"},
        format="json",
    )
    assert moved.status_code == 400 and "due_date" in moved.json()["error"]["fields"]
    existing.refresh_from_db()
    assert existing.due_date == dt.date(2029, 6, 30)


@time_machine.travel(NOW, tick=False)
def test_the_editor_page_refuses_a_past_due_date_with_the_message_and_keeps_the_draft(
    client, project, pola_staff
):
    client.force_login(pola_staff)
    prefix = f"m{project.pk}"
    response = client.post(
        reverse("plans:milestone-add", args=[project.pk]),
        {
            f"{prefix}-what": "Chargers commissioned",
            f"{prefix}-due_date": "2001-05-05",
            f"{prefix}-within_port_control": "on",
        },
    )
    assert response.status_code == 400
    assert "The due date May 5, 2001 is before today" in response.text
    assert "check the year" in response.text
    assert not project.milestones.filter(what="Chargers commissioned").exists()
    assert project.milestones.count() == 1


# --- Approving a final plan whose milestones are already past ------------------------------


@pytest.fixture
def final_with_dates(pola_staff, phase1) -> PlanVersion:
    """A final plan entered in January 2027 with project milestones due March 1 and June 30,
    submitted on February 1."""
    with time_machine.travel(at(2027, 1, 5, 9), tick=False):
        version = make_draft(pola_staff, phase1, kind=VersionKind.FINAL)
        project = version.projects.get()
        project.milestones.all().delete()
        for what, due in (
            ("Switchgear installed", dt.date(2027, 3, 1)),
            ("Chargers energised", dt.date(2027, 6, 30)),
        ):
            services.project_milestone_add(
                project=project, data=milestone_data(due, what), actor=pola_staff
            )
    with time_machine.travel(at(2027, 2, 1, 9), tick=False):
        return services.version_submit(version=version, actor=pola_staff)


def _approve(version, reviewer, **kw):
    return services.version_decide(
        version=version, decision="approved", reasons="", actor=reviewer, **kw
    )


def _nothing_decided(version: PlanVersion) -> None:
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    assert not ReviewDecision.objects.filter(version=version).exists()
    assert not Milestone.objects.filter(kind=MilestoneKind.PROJECT).exists()


def test_approving_with_past_due_project_milestones_needs_the_reviewers_confirmation(
    final_with_dates, reviewer
):
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):
        with pytest.raises(ConfirmationRequired) as asked:
            _approve(final_with_dates, reviewer)
        error = asked.value
        assert error.code == "confirmation_required"
        assert [m.what for m in error.milestones] == ["Switchgear installed"]
        assert "Switchgear installed (March 1, 2027)" in str(error)
        assert "Chargers energised" not in str(error)  # June is not past
        assert "confirm_past_due" in error.fields
        _nothing_decided(final_with_dates)
        decision, created = _approve(final_with_dates, reviewer, confirm_past_due=True)
    assert created and decision.decision == "approved"
    tracked = Milestone.objects.filter(kind=MilestoneKind.PROJECT).order_by("due_date")
    assert [(m.title.split(": ")[1], m.due_date) for m in tracked] == [
        ("Switchgear installed", dt.date(2027, 3, 1)),
        ("Chargers energised", dt.date(2027, 6, 30)),
    ]


def test_a_milestone_due_on_the_day_of_approval_is_not_past_and_needs_no_confirmation(
    final_with_dates, reviewer
):
    with time_machine.travel(at(2027, 3, 1, 23, 59, 59), tick=False):
        decision, created = _approve(final_with_dates, reviewer)
    assert created and decision.decision == "approved"


def test_sending_back_needs_no_confirmation(final_with_dates, reviewer):
    with time_machine.travel(at(2027, 4, 1, 10), tick=False):
        decision, _ = services.version_decide(
            version=final_with_dates,
            decision="changes_requested",
            reasons="Move the switchgear date.",
            actor=reviewer,
        )
    assert decision.decision == "changes_requested"


def test_the_api_answers_400_confirmation_required_listing_them_then_approves_with_it(
    final_with_dates, reviewer
):
    url = f"/api/v1/plan-versions/{final_with_dates.pk}/decision/"
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):
        client = api_as(reviewer)
        asked = client.post(url, {"decision": "approved"}, format="json")
        assert asked.status_code == 400
        error = asked.json()["error"]
        assert error["code"] == "confirmation_required"
        assert "Switchgear installed (March 1, 2027)" in error["message"]
        assert "confirm_past_due" in error["fields"]
        _nothing_decided(final_with_dates)
        approved = client.post(
            url, {"decision": "approved", "confirm_past_due": True}, format="json"
        )
    assert approved.status_code == 201, approved.content
    assert approved.json()["decision"] == "approved"
    assert Milestone.objects.filter(kind=MilestoneKind.PROJECT).count() == 2


def _field_block(html: str, name: str) -> str:
    """The form field block (``<div class="field …">``) holding the input ``name``."""
    position = html.index(f'name="{name}"')
    start = html.rindex('<div class="field', 0, position)
    end = html.index("</div>", position)
    return html[start:end]


def test_the_page_shows_the_warning_at_the_checkbox_and_approves_once_it_is_ticked(
    client, final_with_dates, reviewer
):
    url = reverse("plans:decide", args=[final_with_dates.pk])
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):
        client.force_login(reviewer)
        refused = client.post(url, {"decision": "approved", "reasons": ""})
        assert refused.status_code == 400
        block = _field_block(refused.text, "confirm_past_due")
        assert "has-error" in block
        assert "Switchgear installed (March 1, 2027)" in block
        assert re.search(r'<input[^>]*name="confirm_past_due"', block)
        _nothing_decided(final_with_dates)
        done = client.post(url, {"decision": "approved", "reasons": "", "confirm_past_due": "on"})
    assert done.status_code == 302
    final_with_dates.refresh_from_db()
    assert final_with_dates.status == VersionStatus.APPROVED


def test_a_carried_over_milestone_already_tracked_is_not_listed_again(
    final_with_dates, reviewer, pola_staff
):
    """A revised plan that keeps a tracked milestone's (now past) date adds no new past
    deadline: nothing to confirm for it."""
    with time_machine.travel(at(2027, 2, 15, 10), tick=False):
        _approve(final_with_dates, reviewer)
        revised, _ = services.plan_revise(plan=final_with_dates.plan, actor=pola_staff)
        project = revised.projects.get()
        services.project_milestone_add(
            project=project,
            data=milestone_data(dt.date(2027, 9, 1), "Canopy built"),
            actor=pola_staff,
        )
        revised = services.version_submit(version=revised, actor=pola_staff)
    with time_machine.travel(at(2027, 3, 5, 10), tick=False):
        decision, created = _approve(revised, reviewer)
    assert created and decision.decision == "approved"
    assert ProjectMilestone.objects.filter(project__version=revised).count() == 3
