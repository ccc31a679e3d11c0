"""The audit API shows AQMD and the board no more of a port's unsubmitted draft than the
plan page does: the draft's events appear once the version is submitted."""

from decimal import Decimal

from agreement.models import EmissionCategory, Phase
from plans import services


def _actions(client_as, role):
    response = client_as(role).get("/api/v1/audit-events/?object_type=plans.plan&page_size=500")
    assert response.status_code == 200
    return {row["action"] for row in response.json()["results"]}


def test_draft_work_is_hidden_from_readers_until_submitted(client_as, pola_staff):
    plan, _ = services.plan_start(
        party=pola_staff.party, phase=Phase.objects.get(number=1), actor=pola_staff
    )
    version = plan.versions.get()
    services.target_add(
        version=version,
        actor=pola_staff,
        data={
            "category": EmissionCategory.objects.get(code="drayage"),
            "year": 2030,
            "metric": "Share of zero-emission drayage trucks",
            "target_value": Decimal("40"),
            "unit": "%",
        },
    )
    for role in ("reviewer", "administrator", "board_member"):
        assert _actions(client_as, role) == set(), role
    assert {"plan.started", "plan.target_added"} <= _actions(client_as, "pola_staff")
    assert _actions(client_as, "polb_staff") == set()

    services.version_submit(version=version, actor=pola_staff)
    assert {"plan.started", "plan.target_added", "plan.version_submitted"} <= _actions(
        client_as, "board_member"
    )
