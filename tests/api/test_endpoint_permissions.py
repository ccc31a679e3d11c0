"""Every endpoint, for every role of the cast answers the status the policy says.

Public agreement data and milestones are open to all; a milestone or audit event of the
other port is a 404 for port staff; the audit trail needs a login (401); only AQMD
administrators amend a due date (403 for everyone else who is signed in).
"""

from __future__ import annotations

import pytest

from audit.services import audit_record
from penalties.models import PenaltySchedule

from .conftest import ROLES

ALL_200 = dict.fromkeys(ROLES, 200)
OWN_PORT_ONLY = {**ALL_200, "polb_staff": 404}
SIGNED_IN = {**ALL_200, "anonymous": 401}
SIGNED_IN_OWN_PORT = {**SIGNED_IN, "polb_staff": 404}
ADMIN_WRITE = {
    "anonymous": 401,
    "pola_staff": 403,
    "polb_staff": 403,
    "reviewer": 403,
    "administrator": 201,
    "board_member": 403,
}

# (name, method, url template, expected status per role).  {milestone} is a POLA milestone,
# {event} an audit event of POLA, {schedule} the seeded penalty schedule.
ENDPOINTS = [
    ("parties", "get", "/api/v1/parties/", ALL_200),
    ("party", "get", "/api/v1/parties/POLA/", ALL_200),
    ("phases", "get", "/api/v1/phases/", ALL_200),
    ("phase", "get", "/api/v1/phases/1/", ALL_200),
    ("categories", "get", "/api/v1/categories/", ALL_200),
    ("category", "get", "/api/v1/categories/drayage/", ALL_200),
    ("milestones", "get", "/api/v1/milestones/", ALL_200),
    ("milestone", "get", "/api/v1/milestones/{milestone}/", OWN_PORT_ONLY),
    ("milestones csv", "get", "/api/v1/milestones/export.csv", ALL_200),
    ("milestones xlsx", "get", "/api/v1/milestones/export.xlsx", ALL_200),
    ("amend", "post", "/api/v1/milestones/{milestone}/due-date-amendments/", ADMIN_WRITE),
    ("schedules", "get", "/api/v1/penalty-schedules/", ALL_200),
    ("schedule", "get", "/api/v1/penalty-schedules/{schedule}/", ALL_200),
    ("audit events", "get", "/api/v1/audit-events/", SIGNED_IN),
    ("audit event", "get", "/api/v1/audit-events/{event}/", SIGNED_IN_OWN_PORT),
    ("schema", "get", "/api/schema/", ALL_200),
    ("docs", "get", "/api/docs/", ALL_200),
]

CASES = [
    pytest.param(method, url, role, expected[role], id=f"{name}-{role}")
    for name, method, url, expected in ENDPOINTS
    for role in ROLES
]


@pytest.mark.parametrize(("method", "url", "role", "expected"), CASES)
def test_endpoint_answers_each_role_as_the_policy_says(
    client_as, pola_milestone, method, url, role, expected
):
    event = audit_record(actor=None, action="test.recorded", obj=pola_milestone)
    schedule = PenaltySchedule.objects.get()
    path = url.format(milestone=pola_milestone.pk, event=event.pk, schedule=schedule.pk)
    body = {"new_due_date": "2027-06-30", "reason": "Amended by the Governing Board."}
    response = getattr(client_as(role), method)(path, body if method == "post" else None)
    assert response.status_code == expected, response.content[:500]
    if response.status_code == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")
