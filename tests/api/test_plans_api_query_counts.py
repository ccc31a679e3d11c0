"""Each plans list endpoint makes the same number of queries for 10 rows as for 500.

Rows are made with bulk_create: plans over generated phases, or versions of one plan.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreement.models import Agreement, Party, Phase
from plans.models import Plan, PlanVersion, VersionStatus

SIZES = [10, 500]


def _plans(n: int, creator, *, status: str = VersionStatus.SUBMITTED) -> list[Plan]:
    """``n`` POLA plans over generated phases, each with one version in ``status``."""
    agreement = Agreement.objects.get()
    pola = Party.objects.get(code="POLA")
    phases = Phase.objects.bulk_create(
        Phase(agreement=agreement, number=100 + i, title=f"Generated phase {i}") for i in range(n)
    )
    now = timezone.now()
    plans = Plan.objects.bulk_create(
        Plan(party=pola, phase=phase, created_by=creator, first_submitted_at=now)
        for phase in phases
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


def _versions_of_one_plan(n: int, creator) -> Plan:
    """One plan with ``n`` versions, all sent back but the last (submitted)."""
    [plan] = _plans(1, creator, status=VersionStatus.CHANGES_REQUESTED)
    now = timezone.now()
    PlanVersion.objects.bulk_create(
        PlanVersion(
            plan=plan,
            number=number,
            status=VersionStatus.SUBMITTED if number == n else VersionStatus.CHANGES_REQUESTED,
            created_by=creator,
            submitted_at=now,
            submitted_by=creator,
            reviewer=creator,
        )
        for number in range(2, n + 1)
    )
    return plan


def _count(client, url: str, rows: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 500})
    assert response.status_code == 200, response.content[:300]
    assert len(response.json()["results"]) == min(rows, 500)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("role", ["pola_staff", "reviewer"])
def test_the_plan_list_costs_the_same_at_10_and_500_plans(client_as, pola_staff, role, n):
    _plans(n, pola_staff)
    # session, user, count, the page of plans with port and phase, their versions
    assert _count(client_as(role), "/api/v1/plans/", n) == 5


@pytest.mark.parametrize("n", SIZES)
def test_a_plans_version_list_costs_the_same_at_10_and_500_versions(client_as, pola_staff, n):
    plan = _versions_of_one_plan(n, pola_staff)
    # session, user, the plan, count, the page of versions with their people
    assert _count(client_as("board_member"), f"/api/v1/plans/{plan.pk}/versions/", n) == 5


@pytest.mark.parametrize("n", SIZES)
def test_the_review_queue_costs_the_same_at_10_and_500_versions(client_as, pola_staff, n):
    _plans(n, pola_staff)
    # session, user, count, the page of versions with plan, port, phase and people
    assert _count(client_as("reviewer"), "/api/v1/plan-review-queue/", n) == 4
