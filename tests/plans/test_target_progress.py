"""Ports report actuals against the targets of their approved plans; AQMD verifies them through
the same flow as completion reports.  Only an accepted actual counts toward a target, and the
other port can neither file on nor see a port's targets."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from core.errors import Conflict, ServiceError
from penalties.milestone_requests import request_decide, request_file
from penalties.models import ClaimStatus, TargetActual
from plans import selectors, services
from plans.models import PlanningTarget, PlanVersion, VersionKind
from tests.api.conftest import error_of
from tests.clients import api_as
from tests.penalties.conftest import pacific

from .conftest import make_draft

NOW = pacific(2027, 2, 1, 10)


@pytest.fixture
def approved(pola_staff, phase1, reviewer) -> PlanVersion:
    with time_machine.travel(NOW, tick=False):
        version = make_draft(pola_staff, phase1, kind=VersionKind.FINAL)
        version = services.version_submit(version=version, actor=pola_staff)
        services.version_decide(version=version, decision="approved", reasons="", actor=reviewer)
    version.refresh_from_db()
    return version


@pytest.fixture
def target(approved) -> PlanningTarget:
    return approved.targets.get()


def file_actual(target, staff, *, year=2026, value="40", note="40 chargers commissioned"):
    made = request_file(
        kind="target_actual",
        subject=target,
        reason=note,
        year=year,
        actual_value=Decimal(value),
        actor=staff,
    )
    assert isinstance(made, TargetActual)
    return made


def progress_of(target: PlanningTarget):
    (row,) = [r for r in selectors.target_progress() if r.target.pk == target.pk]
    return row


@time_machine.travel(NOW, tick=False)
def test_a_ports_actual_counts_toward_the_target_only_after_aqmd_accepts_it(
    target, pola_staff, reviewer
):
    actual = file_actual(target, pola_staff)
    assert actual.status == ClaimStatus.PENDING
    assert progress_of(target).actual_value is None
    assert progress_of(target).percent_of_target is None

    request_decide(request=actual, accept=True, note="", actor=reviewer)

    row = progress_of(target)
    assert (row.actual_value, row.latest.year, row.percent_of_target) == (Decimal("40"), 2026, 40)
    assert [a.pk for a in row.actuals] == [actual.pk]


@time_machine.travel(NOW, tick=False)
def test_a_rejected_actual_never_counts_and_the_port_may_report_again(target, pola_staff, reviewer):
    first = file_actual(target, pola_staff, value="90")
    request_decide(request=first, accept=False, note="Chargers not commissioned", actor=reviewer)
    assert progress_of(target).actual_value is None

    second = file_actual(target, pola_staff, value="30")
    request_decide(request=second, accept=True, note="", actor=reviewer)
    assert progress_of(target).actual_value == Decimal("30")


@time_machine.travel(NOW, tick=False)
def test_a_later_accepted_actual_for_the_same_year_replaces_the_earlier_one(
    target, pola_staff, reviewer
):
    request_decide(
        request=file_actual(target, pola_staff, value="40"), accept=True, note="", actor=reviewer
    )
    request_decide(
        request=file_actual(target, pola_staff, value="38"),
        accept=True,
        note="Corrected count",
        actor=reviewer,
    )
    request_decide(
        request=file_actual(target, pola_staff, year=2025, value="10"),
        accept=True,
        note="",
        actor=reviewer,
    )

    row = progress_of(target)
    assert [(a.year, a.actual_value) for a in row.actuals] == [
        (2025, Decimal("10.00")),
        (2026, Decimal("38.00")),
    ]
    assert row.percent_of_target == 38


@time_machine.travel(NOW, tick=False)
def test_a_future_year_or_a_target_outside_the_approved_version_is_refused(
    target, approved, pola_staff
):
    with pytest.raises(ServiceError) as error:
        file_actual(target, pola_staff, year=2028)
    assert "year" in error.value.fields

    revised, _ = services.plan_revise(plan=approved.plan, actor=pola_staff)
    draft_target = revised.targets.get()
    with pytest.raises(Conflict):
        file_actual(draft_target, pola_staff)


@time_machine.travel(NOW, tick=False)
def test_a_second_pending_actual_for_the_same_target_and_year_is_a_conflict(target, pola_staff):
    file_actual(target, pola_staff)
    with pytest.raises(Conflict):
        file_actual(target, pola_staff)


# --- The API ------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_port_staff_file_an_actual_through_the_api_and_aqmd_accepts_it(
    target, pola_staff, reviewer
):
    response = api_as(pola_staff).post(
        f"/api/v1/plan-targets/{target.pk}/target-actuals/",
        {"year": 2026, "actual_value": "12.5", "note": "Chargers commissioned at Pier 400"},
        format="json",
    )
    assert response.status_code == 201, response.content
    made = response.json()
    assert (made["year"], made["actual_value"], made["status"]) == (2026, "12.50", "pending")

    progress = api_as(pola_staff).get("/api/v1/target-progress/").json()["results"]
    assert [(r["target"], r["actual_value"]) for r in progress] == [(target.pk, None)]

    decided = api_as(reviewer).post(
        f"/api/v1/target-actuals/{made['id']}/decision/", {"decision": "accepted"}, format="json"
    )
    assert decided.status_code == 200, decided.content

    (row,) = api_as(reviewer).get("/api/v1/target-progress/?port=POLA&phase=1").json()["results"]
    assert (row["actual_value"], row["actual_year"], row["percent_of_target"]) == (
        "12.50",
        2026,
        13,
    )
    assert [p["actual_value"] for p in row["actuals"]] == ["12.50"]


@time_machine.travel(NOW, tick=False)
def test_another_port_can_neither_file_on_nor_see_a_ports_targets_and_actuals(
    target, pola_staff, polb_staff, reviewer
):
    refused = api_as(polb_staff).post(
        f"/api/v1/plan-targets/{target.pk}/target-actuals/",
        {"year": 2026, "actual_value": "40", "note": "Not ours"},
        format="json",
    )
    assert refused.status_code == 404, refused.content
    assert error_of(refused)["code"] == "not_found"

    actual = file_actual(target, pola_staff)
    request_decide(request=actual, accept=True, note="", actor=reviewer)
    assert api_as(polb_staff).get(f"/api/v1/target-actuals/{actual.pk}/").status_code == 404
    assert api_as(polb_staff).get("/api/v1/target-progress/").json()["results"] == []
    assert selectors.target_progress_for(polb_staff) == []
    assert len(api_as(reviewer).get("/api/v1/target-progress/").json()["results"]) == 1
    assert api_as(None).get("/api/v1/target-progress/").status_code == 401


@time_machine.travel(NOW, tick=False)
def test_port_staff_cannot_decide_their_own_actual(target, pola_staff):
    actual = file_actual(target, pola_staff)
    response = api_as(pola_staff).post(
        f"/api/v1/target-actuals/{actual.pk}/decision/", {"decision": "accepted"}, format="json"
    )
    assert response.status_code == 403
    actual.refresh_from_db()
    assert actual.status == ClaimStatus.PENDING


# --- The pages ----------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_plan_page_charts_target_against_verified_actual(
    client, target, pola_staff, reviewer, board_member
):
    client.force_login(pola_staff)
    own = client.get(reverse("plans:plan", args=[target.version.plan_id])).content.decode()
    new_url = reverse("penalties:target_actual-new", args=[target.pk])
    assert f'href="{new_url}"' in own and "None verified yet" in own
    form = client.get(new_url)
    assert form.status_code == 200
    filed = client.post(
        reverse("penalties:target_actual-new", args=[target.pk]),
        {"year": "2026", "actual_value": "25", "reason": "25 chargers commissioned"},
    )
    assert filed.status_code == 302
    actual = TargetActual.objects.get()
    request_decide(request=actual, accept=True, note="", actor=reviewer)

    client.force_login(board_member)
    page = client.get(reverse("plans:plan", args=[target.version.plan_id])).content.decode()
    assert "Progress against the approved plan" in page
    assert "25 % in 2026" in page
    assert "25&nbsp;%" in page
    assert '<rect x="0" y="0" width="25"' in page


@time_machine.travel(NOW, tick=False)
def test_the_board_sees_the_actual_among_the_requests_to_aqmd(
    target, pola_staff, client, board_member
):
    file_actual(target, pola_staff, value="7")
    client.force_login(board_member)
    page = client.get(reverse("penalties:requests")).content.decode()
    assert "Target actuals" in page
    assert target.metric in page


def _api_queries(user) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = api_as(user).get("/api/v1/target-progress/?page_size=500")
    assert response.status_code == 200
    return len(captured.captured_queries)


@time_machine.travel(NOW, tick=False)
def test_the_progress_list_costs_the_same_for_1_and_40_targets(target, pola_staff, reviewer):
    from django.utils import timezone

    from .factories import PlanningTargetFactory

    def accepted_actual(on: PlanningTarget) -> TargetActual:
        return TargetActual(
            target=on,
            party_id=pola_staff.party_id,
            reason="Counted",
            status=ClaimStatus.ACCEPTED,
            filed_by=pola_staff,
            decided_by=reviewer,
            decided_at=timezone.now(),
            year=2026,
            actual_value=Decimal("3"),
        )

    TargetActual.objects.bulk_create([accepted_actual(target)])
    one = _api_queries(reviewer)
    more = PlanningTarget.objects.bulk_create(
        PlanningTargetFactory.build(version=target.version, year=2030 + i % 5) for i in range(39)
    )
    TargetActual.objects.bulk_create(accepted_actual(t) for t in more)
    assert PlanningTarget.objects.count() == 40
    assert _api_queries(reviewer) == one
