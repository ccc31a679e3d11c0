"""Every penalties endpoint, for every role of the cast, answers what the policy says.

Defaults, penalties and the fund are public (port staff: their own port's defaults and
penalties, so another port's is a 404); extension requests and flexibility claims are for
the port's own staff, AQMD and the board (401 for the public, 404 for the other port);
payments, waivers and disbursements are for AQMD administrators, decisions for AQMD
reviewers and administrators, filing for the port's own staff.  Every object below is POLA's.
"""

from __future__ import annotations

import pytest
import time_machine

from tests.pdfs import pdf_upload

from .conftest import ROLES
from .penalty_records import NOW, port_records

ALL_200 = dict.fromkeys(ROLES, 200)
OWN_PORT_ONLY = {**ALL_200, "polb_staff": 404}
SIGNED_IN = {**ALL_200, "anonymous": 401}
SIGNED_IN_OWN_PORT = {**SIGNED_IN, "polb_staff": 404}
NOBODY_BUT = {
    "anonymous": 401,
    "pola_staff": 403,
    "polb_staff": 403,
    "reviewer": 403,
    "administrator": 403,
    "board_member": 403,
}
ADMIN_200 = {**NOBODY_BUT, "administrator": 200}
ADMIN_201 = {**NOBODY_BUT, "administrator": 201}
AQMD_200 = {**NOBODY_BUT, "reviewer": 200, "administrator": 200}
# Filing: port staff may file; the other port's milestone is not theirs to see (404).
OWN_STAFF_201 = {**NOBODY_BUT, "pola_staff": 201, "polb_staff": 404}

PAYMENT = {"paid_at": "2027-01-30T15:00:00-08:00", "reference": "CHK-1001"}
REFUSAL = {"decision": "refuse", "note": "Not justified."}
REJECTION = {"decision": "reject", "note": "Within the port's control."}
DISBURSEMENT = {
    "amount": "1000.00",
    "occurred_on": "2027-01-31",
    "project_name": "School air filters",
    "community": "Wilmington",
}

# (name, method, url template, body, expected status per role)
ENDPOINTS = [
    ("defaults", "get", "/api/v1/defaults/", None, ALL_200),
    ("default", "get", "/api/v1/defaults/{default}/", None, OWN_PORT_ONLY),
    ("defaults csv", "get", "/api/v1/defaults/export.csv", None, ALL_200),
    ("defaults xlsx", "get", "/api/v1/defaults/export.xlsx", None, ALL_200),
    ("penalties", "get", "/api/v1/penalties/", None, ALL_200),
    ("penalty", "get", "/api/v1/penalties/{penalty}/", None, OWN_PORT_ONLY),
    ("penalties csv", "get", "/api/v1/penalties/export.csv", None, ALL_200),
    ("penalties xlsx", "get", "/api/v1/penalties/export.xlsx", None, ALL_200),
    ("payment", "post", "/api/v1/penalties/{penalty}/payment/", PAYMENT, ADMIN_200),
    ("waiver", "post", "/api/v1/penalties/{penalty}/waiver/", {"reason": "Board"}, ADMIN_200),
    ("extensions", "get", "/api/v1/extension-requests/", None, SIGNED_IN),
    ("target actuals", "get", "/api/v1/target-actuals/", None, SIGNED_IN),
    ("target progress", "get", "/api/v1/target-progress/", None, SIGNED_IN),
    ("extension", "get", "/api/v1/extension-requests/{extension}/", None, SIGNED_IN_OWN_PORT),
    (
        "extension decision",
        "post",
        "/api/v1/extension-requests/{extension}/decision/",
        REFUSAL,
        AQMD_200,
    ),
    (
        "extension filing",
        "multipart",
        "/api/v1/milestones/{may_extend}/extension-requests/",
        "extension",
        OWN_STAFF_201,
    ),
    ("claims", "get", "/api/v1/flexibility-claims/", None, SIGNED_IN),
    ("claim", "get", "/api/v1/flexibility-claims/{claim}/", None, SIGNED_IN_OWN_PORT),
    ("claim decision", "post", "/api/v1/flexibility-claims/{claim}/decision/", REJECTION, AQMD_200),
    (
        "claim filing",
        "multipart",
        "/api/v1/milestones/{may_claim}/flexibility-claims/",
        "claim",
        OWN_STAFF_201,
    ),
    ("fund", "get", "/api/v1/fund/", None, ALL_200),
    ("fund entries", "get", "/api/v1/fund/entries/", None, ALL_200),
    ("fund entry", "get", "/api/v1/fund/entries/{receipt}/", None, ALL_200),
    ("fund csv", "get", "/api/v1/fund/entries/export.csv", None, ALL_200),
    ("fund xlsx", "get", "/api/v1/fund/entries/export.xlsx", None, ALL_200),
    ("disbursement", "post", "/api/v1/fund/disbursements/", DISBURSEMENT, ADMIN_201),
]

CASES = [
    pytest.param(method, url, body, role, expected[role], id=f"{name}-{role}")
    for name, method, url, body, expected in ENDPOINTS
    for role in ROLES
]


def multipart_body(kind: str) -> dict[str, object]:
    body: dict[str, object] = {"reason": "Outside our control", "documents": [pdf_upload()]}
    if kind == "extension":
        body["requested_due_date"] = "2027-10-31"
    return body


@pytest.mark.parametrize(("method", "url", "body", "role", "expected"), CASES)
def test_penalties_endpoint_answers_each_role_as_the_policy_says(
    client_as, pola, pola_staff, administrator, method, url, body, role, expected
):
    with time_machine.travel(NOW, tick=False):
        records = port_records(pola, pola_staff, administrator)
        path = url.format(
            default=records.default.pk,
            penalty=records.penalty.pk,
            extension=records.extension.pk,
            claim=records.claim.pk,
            receipt=records.receipt.pk,
            may_extend=records.may_extend.pk,
            may_claim=records.may_claim.pk,
        )
        client = client_as(role)
        if method == "get":
            response = client.get(path)
        elif method == "multipart":
            response = client.post(path, multipart_body(body), format="multipart")
        else:
            response = client.post(path, body, format="json")
    assert response.status_code == expected, response.content[:500]
    if response.status_code == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")
