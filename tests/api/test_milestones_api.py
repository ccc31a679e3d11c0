"""Milestones in the API: what each role sees, filters, ordering, pages, and amendments."""

from __future__ import annotations

import datetime as dt

from agreement.models import DateChangeKind, Milestone, MilestoneStatus
from agreement.services import milestone_change_due_date
from audit.models import AuditEvent
from tests.factories import MilestoneFactory

from .conftest import error_of


def ports_in(response) -> set[str]:
    return {row["port"] for row in response.json()["results"]}


def test_port_staff_list_only_their_own_port(client_as, agreement):
    assert ports_in(client_as("pola_staff").get("/api/v1/milestones/?page_size=500")) == {"POLA"}
    assert ports_in(client_as("polb_staff").get("/api/v1/milestones/?page_size=500")) == {"POLB"}


def test_aqmd_the_board_and_the_public_list_both_ports(client_as, agreement):
    for role in ("reviewer", "administrator", "board_member", "anonymous"):
        assert ports_in(client_as(role).get("/api/v1/milestones/?page_size=500")) == {
            "POLA",
            "POLB",
        }, role


def test_a_milestone_reads_with_its_due_date_history(client_as, pola_milestone, administrator):
    milestone_change_due_date(
        milestone=pola_milestone,
        new_due_date=dt.date(2027, 6, 15),
        kind=DateChangeKind.AMENDMENT,
        reason="Board amendment.",
        actor=administrator,
    )
    body = client_as("pola_staff").get(f"/api/v1/milestones/{pola_milestone.pk}/").json()
    assert body["port"] == "POLA"
    assert body["phase"] == 1
    assert body["due_date"] == "2027-06-15"
    assert body["due_moment"].startswith("2027-06-15T23:59:59")
    assert body["date_changes"] == [
        {
            "kind": "amendment",
            "old_due_date": "2027-05-31",
            "new_due_date": "2027-06-15",
            "old_is_provisional": True,
            "new_is_provisional": True,
            "reason": "Board amendment.",
            "changed_at": body["date_changes"][0]["changed_at"],
        }
    ]


def test_filters_by_port_kind_phase_status_and_due_date_range(client_as, pola, polb):
    MilestoneFactory(party=pola, title="Chargers", due_date=dt.date(2027, 7, 1))
    MilestoneFactory(
        party=pola,
        title="Done",
        due_date=dt.date(2027, 7, 2),
        status=MilestoneStatus.MET,
        completed_at=dt.datetime(2027, 6, 1, tzinfo=dt.UTC),
    )
    MilestoneFactory(party=polb, title="Cranes", due_date=dt.date(2027, 7, 3))
    client = client_as("reviewer")

    def titles(query: str) -> list[str]:
        response = client.get(f"/api/v1/milestones/?{query}")
        assert response.status_code == 200, response.content
        return [row["title"] for row in response.json()["results"]]

    assert titles("kind=project&port=pola&status=open") == ["Chargers"]
    assert titles("kind=project&status=met") == ["Done"]
    assert titles("due_date_after=2027-07-02&due_date_before=2027-07-03") == ["Done", "Cranes"]
    finals = client.get("/api/v1/milestones/?phase=1&kind=final_plan").json()["results"]
    assert sorted((r["port"], r["phase"], r["kind"]) for r in finals) == [
        ("POLA", 1, "final_plan"),
        ("POLB", 1, "final_plan"),
    ]


def test_ordering_and_pages(client_as, pola):
    for n in range(5):
        MilestoneFactory(party=pola, title=f"P{n}", due_date=dt.date(2030, 1, 1))
    client = client_as("reviewer")
    first = client.get("/api/v1/milestones/?kind=project&ordering=-due_date&page_size=2").json()
    second = client.get(
        "/api/v1/milestones/?kind=project&ordering=-due_date&page_size=2&page=2"
    ).json()
    assert first["count"] == 5
    assert first["next"] and first["previous"] is None
    ids = [r["id"] for r in first["results"]] + [r["id"] for r in second["results"]]
    assert len(set(ids)) == 4  # ties on the date are broken by id: no row twice
    assert ids == sorted(ids)
    assert client.get("/api/v1/milestones/?page=99").status_code == 404


def test_an_administrator_amends_a_due_date(client_as, pola_milestone, administrator):
    response = client_as("administrator").post(
        f"/api/v1/milestones/{pola_milestone.pk}/due-date-amendments/",
        {
            "new_due_date": "2027-06-30",
            "reason": "Governing Board amendment.",
            "is_provisional": False,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["due_date"] == "2027-06-30" and body["is_provisional"] is False
    assert body["date_changes"][-1]["reason"] == "Governing Board amendment."
    pola_milestone.refresh_from_db()
    assert pola_milestone.due_date == dt.date(2027, 6, 30)
    event = AuditEvent.objects.get(action="milestone.due_date_changed.amendment")
    assert event.actor == administrator and event.note == "Governing Board amendment."


def test_amending_to_the_same_date_records_nothing(client_as, pola_milestone):
    response = client_as("administrator").post(
        f"/api/v1/milestones/{pola_milestone.pk}/due-date-amendments/",
        {"new_due_date": "2027-05-31", "reason": "No change."},
        format="json",
    )
    assert response.status_code == 200
    assert not pola_milestone.date_changes.exists()


def test_a_blank_reason_is_refused_with_the_field_named(client_as, pola_milestone):
    response = client_as("administrator").post(
        f"/api/v1/milestones/{pola_milestone.pk}/due-date-amendments/",
        {"new_due_date": "2027-06-30", "reason": "   "},
        format="json",
    )
    assert response.status_code == 400
    assert "reason" in error_of(response)["fields"]
    assert Milestone.objects.get(pk=pola_milestone.pk).due_date == dt.date(2027, 5, 31)


def test_port_staff_cannot_amend_and_nothing_changes(client_as, pola_milestone):
    response = client_as("pola_staff").post(
        f"/api/v1/milestones/{pola_milestone.pk}/due-date-amendments/",
        {"new_due_date": "2027-06-30", "reason": "We want more time."},
        format="json",
    )
    assert response.status_code == 403
    assert not pola_milestone.date_changes.exists()
    assert not AuditEvent.objects.filter(action__startswith="milestone.").exists()


def test_empty_ordering_entries_are_ignored(client_as, agreement):
    response = client_as("reviewer").get("/api/v1/milestones/?ordering=port,,-due_date,")
    assert response.status_code == 200
    assert client_as("reviewer").get("/api/v1/parties/?ordering=,").status_code == 200
