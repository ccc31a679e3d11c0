"""The audit trail, parties, phases, categories and penalty schedules in the API."""

from __future__ import annotations

from agreement.models import AgreementTerm
from audit.services import audit_record


def test_port_staff_see_their_ports_events_only(client_as, pola_milestone, polb_milestone):
    audit_record(actor=None, action="test.pola", obj=pola_milestone)
    audit_record(actor=None, action="test.polb", obj=polb_milestone)
    audit_record(actor=None, action="test.agreement", obj=AgreementTerm.objects.all()[0])
    actions = {
        role: {e["action"] for e in client_as(role).get("/api/v1/audit-events/").json()["results"]}
        for role in ("pola_staff", "polb_staff", "reviewer", "board_member")
    }
    assert actions["pola_staff"] == {"test.pola"}
    assert actions["polb_staff"] == {"test.polb"}
    assert {"test.pola", "test.polb", "test.agreement"} <= actions["reviewer"]
    assert actions["board_member"] == actions["reviewer"]


def test_audit_events_filter_by_action_prefix_object_and_port(
    client_as, pola_milestone, polb_milestone
):
    audit_record(actor=None, action="milestone.x", obj=pola_milestone)
    audit_record(actor=None, action="milestone.y", obj=polb_milestone)
    audit_record(actor=None, action="other.z", obj=polb_milestone)
    client = client_as("reviewer")

    def actions(query: str) -> list[str]:
        return [e["action"] for e in client.get(f"/api/v1/audit-events/?{query}").json()["results"]]

    assert sorted(actions("action=milestone.")) == ["milestone.x", "milestone.y"]
    assert actions("port=POLA") == ["milestone.x"]
    assert actions(
        f"object_type=agreement.milestone&object_id={polb_milestone.pk}&ordering=at"
    ) == [
        "milestone.y",
        "other.z",
    ]


def test_an_event_reads_with_who_what_and_the_values(client_as, pola_milestone, administrator):
    event = audit_record(
        actor=administrator,
        action="milestone.test",
        obj=pola_milestone,
        before={"due_date": "2027-05-31"},
        after={"due_date": "2027-06-30"},
        note="why",
    )
    body = client_as("pola_staff").get(f"/api/v1/audit-events/{event.pk}/").json()
    assert body["actor"] == "administrator"
    assert body["port"] == "POLA"
    assert body["object_type"] == "agreement.milestone"
    assert (body["before"], body["after"], body["note"]) == (
        {"due_date": "2027-05-31"},
        {"due_date": "2027-06-30"},
        "why",
    )


def test_parties_phases_and_categories(client_as, agreement):
    client = client_as("anonymous")
    ports = client.get("/api/v1/parties/?kind=port").json()["results"]
    assert [p["code"] for p in ports] == ["POLA", "POLB"]
    phase = client.get("/api/v1/phases/1/").json()
    assert [c["code"] for c in phase["categories"]] == ["che_container", "drayage"]
    categories = client.get("/api/v1/categories/?phase=3").json()["results"]
    assert [c["phase"] for c in categories] == [3] * len(categories) and categories
    assert client.get("/api/v1/parties/NOPE/").status_code == 404


def test_penalty_schedule_reads_its_tiers(client_as, agreement):
    schedules = client_as("pola_staff").get("/api/v1/penalty-schedules/").json()["results"]
    assert len(schedules) == 1
    assert [(t["default_ordinal"], t["amount"]) for t in schedules[0]["tiers"]] == [
        (1, "50000.00"),
        (2, "100000.00"),
        (3, "200000.00"),
    ]
