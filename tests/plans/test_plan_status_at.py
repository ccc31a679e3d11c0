"""Plan status at a data cut-off (for the annual report): a version's status from its
timestamps, plan milestone outcomes, projects by category, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.db.models.signals import post_init

from agreement.models import EmissionCategory, Milestone, MilestoneKind, MilestoneStatus
from plans import services
from plans.models import Decision, PlanVersion, VersionStatus
from plans.selectors import MilestoneOutcome, milestone_outcome, plan_status_at
from tests.factories import MilestoneFactory

from .conftest import make_draft
from .factories import InfrastructureProjectFactory

PACIFIC = ZoneInfo("America/Los_Angeles")


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2027, month, day, hour, tzinfo=PACIFIC)


def test_a_versions_status_at_a_moment_follows_its_timestamps(pola_staff, reviewer, phase1):
    with time_machine.travel(at(4, 1), tick=False):
        version = make_draft(pola_staff, phase1)
    assert version.status_at(at(4, 2)) is None  # an unsubmitted draft
    with time_machine.travel(at(4, 5), tick=False):
        services.version_submit(version=version, actor=pola_staff)
    with time_machine.travel(at(4, 10), tick=False):
        services.version_start_review(version=version, actor=reviewer)
    with time_machine.travel(at(4, 20), tick=False):
        services.version_decide(
            version=version, decision=Decision.APPROVED, reasons="", actor=reviewer
        )
    version.refresh_from_db()
    assert version.status_at(at(4, 4)) is None
    assert version.status_at(at(4, 5)) == VersionStatus.SUBMITTED
    assert version.status_at(at(4, 15)) == VersionStatus.UNDER_REVIEW
    assert version.status_at(at(4, 20)) == VersionStatus.APPROVED
    assert version.status_at(at(12, 31)) == version.status == VersionStatus.APPROVED


def test_a_withdrawn_version_is_withdrawn_from_its_withdrawal_on(pola_staff, phase1):
    with time_machine.travel(at(4, 1), tick=False):
        version = services.version_submit(version=make_draft(pola_staff, phase1), actor=pola_staff)
    with time_machine.travel(at(4, 3), tick=False):
        services.version_withdraw(version=version, actor=pola_staff)
    version.refresh_from_db()
    assert version.status_at(at(4, 2)) == VersionStatus.SUBMITTED
    assert version.status_at(at(4, 3)) == VersionStatus.WITHDRAWN


def test_plan_status_shows_the_approved_versions_projects_by_category_at_the_cutoff(
    pola, polb, pola_staff, reviewer, phase1, django_assert_num_queries
):
    drayage = EmissionCategory.objects.get(code="drayage")
    with time_machine.travel(at(4, 1), tick=False):
        v1 = make_draft(pola_staff, phase1)  # one container-terminal project at $45,000,000
        InfrastructureProjectFactory.create(
            version=v1, category=drayage, estimated_cost=Decimal("1000000.50")
        )
        services.version_submit(version=v1, actor=pola_staff)
    with time_machine.travel(at(4, 20), tick=False):
        services.version_decide(version=v1, decision=Decision.APPROVED, reasons="", actor=reviewer)
    with time_machine.travel(at(5, 1), tick=False):
        v2, _ = services.plan_revise(plan=v1.plan, actor=pola_staff)
        InfrastructureProjectFactory.create(version=v2, category=drayage)  # not submitted

    with django_assert_num_queries(5):
        rows = plan_status_at(parties=[pola, polb], cutoff=at(5, 2))
    phase1_row = rows[pola.pk][0]
    assert phase1_row.latest is not None and phase1_row.latest.pk == v1.pk  # v2 is a draft
    assert (phase1_row.status, phase1_row.approved_at) == (VersionStatus.APPROVED, at(4, 20))
    assert phase1_row.projects_version is not None and phase1_row.projects_version.pk == v1.pk
    assert [(c.category.code, c.count, c.total_cost) for c in phase1_row.categories] == [
        ("che_container", 1, Decimal("45000000.00")),
        ("drayage", 1, Decimal("1000000.50")),
    ]
    assert (phase1_row.project_count, phase1_row.total_cost) == (2, Decimal("46000000.50"))
    assert phase1_row.draft_milestone is not None
    assert phase1_row.draft_milestone.outcome == MilestoneOutcome.ON_TIME
    assert [r.latest for r in rows[pola.pk][1:]] == [None, None]
    assert all(r.latest is None for r in rows[polb.pk])

    before = plan_status_at(parties=[pola], cutoff=at(4, 19))[pola.pk][0]
    assert (before.status, before.approved) == (VersionStatus.SUBMITTED, None)
    assert before.draft_milestone is not None
    assert before.draft_milestone.outcome == MilestoneOutcome.ON_TIME


def test_plan_status_keeps_the_last_approval_while_later_versions_are_in_review(
    pola, pola_staff, reviewer, phase1, django_assert_num_queries
):
    with time_machine.travel(at(4, 1), tick=False):
        v1 = services.version_submit(version=make_draft(pola_staff, phase1), actor=pola_staff)
    with time_machine.travel(at(4, 20), tick=False):
        services.version_decide(version=v1, decision=Decision.APPROVED, reasons="", actor=reviewer)
    with time_machine.travel(at(5, 1), tick=False):
        v2, _ = services.plan_revise(plan=v1.plan, actor=pola_staff)
        services.version_submit(version=v2, actor=pola_staff)
    with time_machine.travel(at(5, 10), tick=False):
        services.version_decide(
            version=v2, decision=Decision.CHANGES_REQUESTED, reasons="Costs.", actor=reviewer
        )
    with time_machine.travel(at(5, 11), tick=False):
        v3, _ = services.plan_revise(plan=v1.plan, actor=pola_staff)
        services.version_submit(version=v3, actor=pola_staff)
    with time_machine.travel(at(5, 20), tick=False):
        services.version_decide(version=v3, decision=Decision.APPROVED, reasons="", actor=reviewer)

    def shown(cutoff: dt.datetime) -> tuple[object, ...]:
        row = plan_status_at(parties=[pola], cutoff=cutoff)[pola.pk][0]
        return (
            row.latest and row.latest.number,
            row.status,
            row.approved and row.approved.number,
            row.approved_at,
            row.projects_version and row.projects_version.number,
        )

    assert shown(at(4, 19)) == (1, VersionStatus.SUBMITTED, None, None, 1)
    assert shown(at(5, 5)) == (2, VersionStatus.SUBMITTED, 1, at(4, 20), 1)
    assert shown(at(5, 10)) == (2, VersionStatus.CHANGES_REQUESTED, 1, at(4, 20), 1)
    assert shown(at(5, 15)) == (3, VersionStatus.SUBMITTED, 1, at(4, 20), 1)
    assert shown(at(5, 20)) == (3, VersionStatus.APPROVED, 3, at(5, 20), 3)

    # Only the versions shown are read (the latest and the approved), not the plan's history.
    loaded: list[PlanVersion] = []

    def count(sender: type, instance: PlanVersion, **kwargs: object) -> None:
        loaded.append(instance)

    post_init.connect(count, sender=PlanVersion)
    try:
        with django_assert_num_queries(5):
            plan_status_at(parties=[pola], cutoff=at(5, 15))
    finally:
        post_init.disconnect(count, sender=PlanVersion)
    assert sorted(v.number for v in loaded) == [1, 3]


def test_a_milestones_outcome_is_what_was_known_at_the_moment(pola):
    due = dt.date(2027, 5, 31)
    late = MilestoneFactory.create(
        party=pola, due_date=due, status=MilestoneStatus.MET, completed_at=at(6, 2)
    )
    on_time = MilestoneFactory.create(
        party=pola, due_date=due, status=MilestoneStatus.MET, completed_at=at(5, 31, 23)
    )
    excused = MilestoneFactory.create(
        party=pola, due_date=due, status=MilestoneStatus.EXCUSED, completed_at=at(6, 5)
    )
    assert milestone_outcome(on_time, at(6, 1)) == MilestoneOutcome.ON_TIME
    assert milestone_outcome(late, at(5, 31)) == MilestoneOutcome.NOT_YET_DUE
    assert milestone_outcome(late, at(6, 1)) == MilestoneOutcome.MISSED
    assert milestone_outcome(late, at(6, 2)) == MilestoneOutcome.LATE
    assert milestone_outcome(excused, at(6, 4)) == MilestoneOutcome.MISSED
    assert milestone_outcome(excused, at(6, 5)) == MilestoneOutcome.EXCUSED
    seeded = Milestone.objects.get(party=pola, phase__number=1, kind=MilestoneKind.FINAL_PLAN)
    assert milestone_outcome(seeded, at(6, 1)) == MilestoneOutcome.NOT_YET_DUE
