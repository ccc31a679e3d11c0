"""A miss AQMD has not determined is not public and not the board's: its audit events (the
flag, the proposed penalty, the notice of potential default, a dismissal) are not in the audit
trail the board reads, in the API or the admin-free pages; AQMD and the port's staff see them.
Once AQMD confirms the default, its events are everyone's who reads the trail."""

from __future__ import annotations

import pytest

from penalties import determinations
from tests.clients import api_as
from tests.penalties.helpers import confirm, flagged_default

pytestmark = pytest.mark.django_db


def _events_about(client, object_type: str, object_id: int) -> list[str]:
    found = client.get(
        "/api/v1/audit-events/",
        {"object_type": object_type, "object_id": str(object_id), "page_size": 500},
    )
    assert found.status_code == 200, found.content
    return [row["action"] for row in found.json()["results"]]


def test_the_board_sees_no_event_of_a_flagged_or_dismissed_miss_until_aqmd_confirms_it(
    pola, pola_staff, reviewer, board_member
):
    flagged = flagged_default(pola)
    dismissed = flagged_default(pola, due=flagged.due_date.replace(day=12))
    determinations.default_determine(
        default=dismissed, decision="dismissed", reason="Met on time", actor=reviewer
    )
    for default in (flagged, dismissed):
        assert _events_about(api_as(reviewer), "penalties.default", default.pk)
        assert _events_about(api_as(pola_staff), "penalties.default", default.pk)
        assert _events_about(api_as(board_member), "penalties.default", default.pk) == []
    notice_events = [e for e in _list(api_as(board_member)) if e["action"].startswith("notice.")]
    assert not any("potential_default" in e["action"] for e in notice_events)
    assert any("potential_default" in e["action"] for e in _list(api_as(reviewer)))

    confirm(flagged, reviewer=reviewer)
    assert "default.confirmed" in _events_about(
        api_as(board_member), "penalties.default", flagged.pk
    )
    assert _events_about(api_as(board_member), "penalties.default", dismissed.pk) == []


def _list(client) -> list[dict]:
    found = client.get("/api/v1/audit-events/", {"page_size": 500})
    assert found.status_code == 200
    return found.json()["results"]
