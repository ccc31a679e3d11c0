"""Submitting a draft meets the phase's draft-plan milestone; approval meets the final one.

On time means by 23:59:59 Pacific on the due date; later is late and stays visible as late.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from agreement.models import Milestone, MilestoneKind, MilestoneStatus
from plans import services
from plans.models import VersionKind

from .conftest import make_draft

PACIFIC = ZoneInfo("America/Los_Angeles")
LAST_SECOND = dt.datetime(2027, 5, 31, 23, 59, 59, tzinfo=PACIFIC)
FIRST_LATE = dt.datetime(2027, 6, 1, 0, 0, 0, tzinfo=PACIFIC)


def _milestone(party, kind):
    return Milestone.objects.get(party=party, phase__number=1, kind=kind)


def test_a_draft_submitted_at_235959_pacific_on_the_due_date_is_on_time(pola_staff, phase1):
    version = make_draft(pola_staff, phase1)
    with time_machine.travel(LAST_SECOND, tick=False):
        services.version_submit(version=version, actor=pola_staff)
    milestone = _milestone(pola_staff.party, MilestoneKind.DRAFT_PLAN)
    assert milestone.status == MilestoneStatus.MET
    assert milestone.completed_at == LAST_SECOND
    assert milestone.met_late is False


def test_a_draft_submitted_one_second_later_is_late_and_shows_as_late(client, pola_staff, phase1):
    version = make_draft(pola_staff, phase1)
    with time_machine.travel(FIRST_LATE, tick=False):
        services.version_submit(version=version, actor=pola_staff)
    milestone = _milestone(pola_staff.party, MilestoneKind.DRAFT_PLAN)
    assert milestone.status == MilestoneStatus.MET
    assert milestone.met_late is True
    client.force_login(pola_staff)
    response = client.get(reverse("plans:plan", args=[version.plan_id]))
    assert "late" in response.text
    listing = client.get(reverse("plans:list"))
    assert "met late" in listing.text


def test_only_the_first_submission_meets_the_draft_milestone(pola_staff, phase1, reviewer):
    version = make_draft(pola_staff, phase1)
    with time_machine.travel(LAST_SECOND, tick=False):
        services.version_submit(version=version, actor=pola_staff)
    services.version_withdraw(version=version, actor=pola_staff)
    again, _ = services.plan_revise(plan=version.plan, actor=pola_staff)
    services.version_update(version=again, kind=VersionKind.DRAFT, summary="", actor=pola_staff)
    with time_machine.travel(FIRST_LATE + dt.timedelta(days=3), tick=False):
        services.version_submit(version=again, actor=pola_staff)
    assert _milestone(pola_staff.party, MilestoneKind.DRAFT_PLAN).completed_at == LAST_SECOND


def test_approving_the_final_plan_meets_the_final_milestone_as_of_its_submission(
    final_submitted, reviewer, pola_staff
):
    """Submitted on time, decided a day after the deadline: AQMD's review time is not the
    port's delay.  The milestone is met on time, closed in the record at the decision."""
    decided = dt.datetime(2028, 1, 1, 0, 0, 1, tzinfo=PACIFIC)  # the day after the deadline
    with time_machine.travel(decided, tick=False):
        services.version_decide(
            version=final_submitted, decision="approved", reasons="", actor=reviewer
        )
    milestone = _milestone(pola_staff.party, MilestoneKind.FINAL_PLAN)
    assert milestone.status == MilestoneStatus.MET
    assert milestone.completed_at == final_submitted.submitted_at
    assert milestone.closed_at == decided
    assert milestone.met_late is False


def test_approving_the_final_plan_makes_its_project_milestones_tracked_deadlines(
    final_submitted, reviewer, pola_staff
):
    services.version_decide(
        version=final_submitted, decision="approved", reasons="", actor=reviewer
    )
    source = final_submitted.projects.get().milestones.get()
    tracked = Milestone.objects.get(kind=MilestoneKind.PROJECT)
    assert source.tracked_milestone_id == tracked.pk
    assert tracked.party == pola_staff.party
    assert tracked.phase == final_submitted.plan.phase
    assert tracked.title == "Pier 400 chargers: Chargers energised"
    assert tracked.due_date == source.due_date
    assert tracked.within_port_control is True
    assert tracked.status == MilestoneStatus.OPEN


def test_approving_a_draft_plan_creates_no_project_deadlines(submitted, reviewer):
    services.version_decide(version=submitted, decision="approved", reasons="", actor=reviewer)
    assert not Milestone.objects.filter(kind=MilestoneKind.PROJECT).exists()
    assert _milestone(submitted.plan.party, MilestoneKind.FINAL_PLAN).status == "open"


def test_sending_the_final_plan_back_creates_no_deadlines(final_submitted, reviewer):
    services.version_decide(
        version=final_submitted, decision="changes_requested", reasons="No", actor=reviewer
    )
    assert not Milestone.objects.filter(kind=MilestoneKind.PROJECT).exists()


def test_a_revised_final_plan_keeps_one_deadline_per_project_milestone(
    final_submitted, reviewer, pola_staff
):
    """Approve v1; revise it (move the date, add a milestone); approve v2: the kept milestone
    keeps its one deadline, moved by a recorded amendment, and only the new one is added."""
    services.version_decide(
        version=final_submitted, decision="approved", reasons="", actor=reviewer
    )
    first = Milestone.objects.get(kind=MilestoneKind.PROJECT)
    v2, _ = services.plan_revise(plan=final_submitted.plan, actor=pola_staff)
    project = v2.projects.get()
    kept = project.milestones.get()
    new_date = kept.due_date + dt.timedelta(days=30)
    services.project_milestone_update(
        milestone=kept,
        data={"what": kept.what, "due_date": new_date, "within_port_control": True},
        actor=pola_staff,
    )
    services.project_milestone_add(
        project=project,
        data={"what": "Grid upgrade", "due_date": new_date, "within_port_control": True},
        actor=pola_staff,
    )
    services.version_submit(version=v2, actor=pola_staff)
    services.version_decide(version=v2, decision="approved", reasons="", actor=reviewer)

    tracked = Milestone.objects.filter(kind=MilestoneKind.PROJECT).order_by("id")
    assert tracked.count() == 2
    first.refresh_from_db()
    assert first.due_date == new_date
    change = first.date_changes.get()
    assert change.kind == "amendment" and change.actor == reviewer
    assert project.milestones.get(what=kept.what).tracked_milestone_id == first.pk


def test_a_milestone_dropped_by_a_revision_is_excused_not_left_to_default(
    final_submitted, reviewer, pola_staff
):
    services.version_decide(
        version=final_submitted, decision="approved", reasons="", actor=reviewer
    )
    first = Milestone.objects.get(kind=MilestoneKind.PROJECT)
    v2, _ = services.plan_revise(plan=final_submitted.plan, actor=pola_staff)
    services.project_milestone_remove(
        milestone=v2.projects.get().milestones.get(), actor=pola_staff
    )
    services.version_submit(version=v2, actor=pola_staff)
    services.version_decide(version=v2, decision="approved", reasons="", actor=reviewer)
    first.refresh_from_db()
    assert first.status == MilestoneStatus.EXCUSED
    assert Milestone.objects.filter(kind=MilestoneKind.PROJECT).count() == 1
