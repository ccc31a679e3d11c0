"""Each role's home page shows what that role acts on or watches, and nothing else."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreement.models import Phase
from plans.models import VersionStatus
from tests.penalties.helpers import recorded_default
from tests.plans.factories import PlanFactory, PlanVersionFactory

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)


def _submitted_plan(party, phase_number, staff):
    plan = PlanFactory.create(
        party=party, phase=Phase.objects.get(number=phase_number), created_by=staff
    )
    return PlanVersionFactory.create(
        plan=plan, status=VersionStatus.SUBMITTED, submitted_at=NOW, submitted_by=staff
    )


def _dashboard(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


@time_machine.travel(NOW, tick=False)
def test_reviewer_sees_the_review_queue_and_pending_requests(client, reviewer, pola, pola_staff):
    _submitted_plan(pola, 1, pola_staff)
    response = _dashboard(client, reviewer)
    board = response.context["dashboard"]
    assert board.review_queue_count == 1
    assert [v.plan.party.code for v in board.review_queue] == ["POLA"]
    assert board.pending_requests is not None
    assert board.awaiting_payment is None  # money is the administrator's
    assert "1 plan submission in the review queue" in response.text


@time_machine.travel(NOW, tick=False)
def test_administrator_sees_penalties_awaiting_payment(client, administrator, polb):
    recorded_default(polb, due=dt.date(2027, 1, 5))
    board = _dashboard(client, administrator).context["dashboard"]
    assert board.awaiting_payment is not None
    assert board.awaiting_payment.count == 1
    assert board.awaiting_payment.amount == Decimal("50000.00")


@time_machine.travel(NOW, tick=False)
def test_port_staff_see_only_their_port_and_no_review_queue(
    client, pola_staff, pola, polb, polb_staff
):
    recorded_default(polb, due=dt.date(2027, 1, 5))
    _submitted_plan(polb, 1, polb_staff)
    response = _dashboard(client, pola_staff)
    board = response.context["dashboard"]
    assert board.review_queue is None
    assert board.awaiting_payment is None
    assert board.fund is None
    assert {row.party.code for row in board.plans} == {"POLA"}
    assert [line.party.code for line in board.penalty_ledger] == ["POLA"]
    assert {item.milestone.party.code for item in board.upcoming.items} == {"POLA"}
    assert "review queue" not in response.text


@time_machine.travel(NOW, tick=False)
def test_board_member_sees_ledger_fund_and_reports_but_no_work_queues(client, board_member, pola):
    recorded_default(pola, due=dt.date(2027, 1, 5))
    response = _dashboard(client, board_member)
    board = response.context["dashboard"]
    assert board.review_queue is None
    assert board.pending_requests is None
    assert board.awaiting_payment is None
    assert board.fund is not None
    assert board.latest_reports == []
    pola_line = next(line for line in board.penalty_ledger if line.party.code == "POLA")
    assert pola_line.assessed == Decimal("50000.00")
    assert "$50,000.00" in response.text


@pytest.mark.parametrize("role", ["reviewer", "administrator", "board_member", "pola_staff"])
def test_dashboard_queries_do_not_grow_with_rows(client, request, role, pola, polb, pola_staff):
    user = request.getfixturevalue(role)

    def count() -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        return len(ctx.captured_queries)

    with time_machine.travel(NOW, tick=False):
        few = count()
    for n, party in enumerate([pola, polb, pola, polb]):
        recorded_default(party, due=dt.date(2027, 1, 5) + dt.timedelta(days=n))
    with time_machine.travel(NOW, tick=False):
        _submitted_plan(pola, 1, pola_staff)
        _submitted_plan(pola, 2, pola_staff)
        many = count()
    assert many == few


@time_machine.travel(NOW, tick=False)
def test_the_reviewer_sees_only_the_next_90_days_of_deadlines_with_a_count_and_a_link_to_all(
    client, reviewer, pola
):
    from agreement.models import Milestone

    from .factories import MilestoneFactory

    MilestoneFactory.create(party=pola, title="Within the window", due_date=dt.date(2027, 5, 29))
    MilestoneFactory.create(party=pola, title="Beyond the window", due_date=dt.date(2027, 6, 1))
    today = dt.date(2027, 3, 1)
    ahead = Milestone.objects.filter(status="open", due_date__gte=today)
    in_window = ahead.filter(due_date__lte=today + dt.timedelta(days=90))
    response = _dashboard(client, reviewer)
    upcoming = response.context["dashboard"].upcoming
    titles = [item.milestone.title for item in upcoming.items]
    assert "Within the window" in titles
    assert "Beyond the window" not in titles
    assert all(item.days_left <= 90 for item in upcoming.items)
    assert (upcoming.count, upcoming.upcoming_total) == (in_window.count(), ahead.count())
    assert upcoming.later > 0
    assert f"{in_window.count()} open milestones are due in the next 90 days." in response.text
    assert f'href="{reverse("milestone-list")}">All milestones ({ahead.count()} open ahead)' in (
        response.text
    )
