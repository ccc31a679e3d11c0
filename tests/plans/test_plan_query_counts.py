"""Query counts of the plan list, the plan page and the review queue do not grow with rows.

Rows are generated with bulk_create: N plans (over extra phases) or N versions of one plan.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreement.models import Agreement, Party, Phase
from plans.models import Plan, PlanVersion, ReviewDecision, VersionStatus

SIZES = [10, 500]


def _bulk_plans(n: int, creator, *, codes=("POLA", "POLB"), status=VersionStatus.SUBMITTED):
    """``n`` plans across extra phases, each with one version in ``status``."""
    agreement = Agreement.objects.get()
    ports = list(Party.objects.filter(code__in=codes))
    per_port = -(-n // len(ports))
    phases = Phase.objects.bulk_create(
        Phase(agreement=agreement, number=100 + i, title=f"Generated phase {i}")
        for i in range(per_port)
    )
    now = timezone.now()
    plans = Plan.objects.bulk_create(
        [
            Plan(party=port, phase=phase, created_by=creator, first_submitted_at=now)
            for phase in phases
            for port in ports
        ][:n]
    )
    PlanVersion.objects.bulk_create(
        PlanVersion(
            plan=plan,
            number=1,
            status=status,
            created_by=creator,
            submitted_at=now - dt.timedelta(minutes=i),
            submitted_by=creator,
        )
        for i, plan in enumerate(plans)
    )
    return plans


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("n", SIZES)
def test_the_plan_list_costs_the_same_at_10_and_500_plans(client, reviewer, pola_staff, n):
    _bulk_plans(n, pola_staff)
    client.force_login(reviewer)
    # session, user, ports, phases, milestones, plans with their latest version
    assert _queries(client, reverse("plans:list")) == 6


@pytest.mark.parametrize("n", SIZES)
def test_the_planners_plan_list_costs_the_same_at_10_and_500_plans(client, pola_staff, n):
    _bulk_plans(n, pola_staff, codes=("POLA",))
    client.force_login(pola_staff)
    # as for AQMD, plus the planner's port for the heading
    assert _queries(client, reverse("plans:list")) == 7


@pytest.mark.parametrize("n", SIZES)
def test_the_review_queue_costs_the_same_at_10_and_500_versions(client, reviewer, pola_staff, n):
    _bulk_plans(n, pola_staff)
    client.force_login(reviewer)
    # session, user, ports and phases for the filter form, count, one page of rows
    assert _queries(client, reverse("plans:review-queue")) == 6


@pytest.mark.parametrize("n", SIZES)
def test_the_plan_page_costs_the_same_at_10_and_500_versions(client, reviewer, pola_staff, n):
    plan = _bulk_plans(1, pola_staff, codes=("POLA",))[0]
    PlanVersion.objects.filter(plan=plan).update(status=VersionStatus.CHANGES_REQUESTED)
    now = timezone.now()
    versions = PlanVersion.objects.bulk_create(
        PlanVersion(
            plan=plan,
            number=i,
            status=VersionStatus.CHANGES_REQUESTED,
            created_by=pola_staff,
            submitted_at=now,
            submitted_by=pola_staff,
        )
        for i in range(2, n + 1)
    )
    ReviewDecision.objects.bulk_create(
        ReviewDecision(version=v, decision="changes_requested", reasons="r", reviewer=reviewer)
        for v in versions
    )
    client.force_login(reviewer)
    # session, user, plan, the latest versions with decisions and how many there are, plan
    # milestones, the timeline (without the port's draft work, in the same query), the latest
    # version's documents and comments, the approved version's targets (and, when it has
    # some, their accepted actuals)
    assert _queries(client, reverse("plans:plan", args=[plan.pk])) == 10


@pytest.mark.parametrize("n", [2, 40])
def test_the_version_page_costs_the_same_with_2_and_40_projects(
    client, reviewer, pola_staff, phase1, n
):
    from plans import services

    from .conftest import make_draft
    from .factories import InfrastructureProjectFactory, ProjectMilestoneFactory

    first = make_draft(pola_staff, phase1)
    for _ in range(n - 1):
        project = InfrastructureProjectFactory.create(version=first)
        ProjectMilestoneFactory.create(project=project)
    services.version_submit(version=first, actor=pola_staff)
    services.version_decide(
        version=first, decision="changes_requested", reasons="More", actor=reviewer
    )
    second, _ = services.plan_revise(plan=first.plan, actor=pola_staff)
    services.version_submit(version=second, actor=pola_staff)
    services.comment_add(version=second, body="One", actor=reviewer)
    client.force_login(reviewer)
    # session, user, version; its content (5); finding the last decided version (1) and
    # its content (5); the decision; the comment form's projects; the "At a glance" panel: the
    # last approved version (1), milestones tracked from earlier versions and past-due ones (2)
    assert _queries(client, reverse("plans:version", args=[second.pk])) == 19
