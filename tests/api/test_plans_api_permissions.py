"""Every plans endpoint, for every role of the cast, answers the status the policy says.

POLA has a draft (phase 1, seen by POLA's staff only) and a submitted version (phase 2).
Another port's objects, and drafts for AQMD and the board, are 404 for every operation,
never 403; a visible object the role may not act on is 403; anonymous callers get 401.
Each request runs in a savepoint that is rolled back, so every row answers as set up.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from tests.pdfs import pdf_upload

from .conftest import ROLES
from .plans_fixtures import _media, pola_draft, pola_submitted  # noqa: F401

A, LA, LB, R, AD, B = ROLES  # anonymous, pola, polb, reviewer, administrator, board


def row(pola: int, polb: int, reviewer: int, admin: int, board: int) -> dict[str, int]:
    return {A: 401, LA: pola, LB: polb, R: reviewer, AD: admin, B: board}


# A draft is POLA's alone: 404 for everyone else whatever the operation.
DRAFT_ONLY = row(200, 404, 404, 404, 404)
SUBMITTED_READ = row(200, 404, 200, 200, 200)

TARGET = {"category": "che_container", "year": 2031, "metric": "Chargers", "target_value": "5"}
TARGET.update(unit="units")
PROJECT = {
    "name": "Berth 200 shore power",
    "location": "Berth 200",
    "category": "che_container",
    "project_type": "shore_power",
    "estimated_cost": "1000000.00",
    "start_date": "2028-01-01",
    "end_date": "2029-01-01",
}
MILESTONE = {"what": "Vaults installed", "due_date": "2028-06-30"}
ACTUAL = {"year": 2025, "actual_value": "3", "note": "Three chargers commissioned"}

# (name, method, url, body, expected per role).  {d.*} is the draft's rows, {s.*} the
# submitted version's.
ENDPOINTS: list[tuple[str, str, str, Any, dict[str, int]]] = [
    ("plans", "get", "/api/v1/plans/", None, row(200, 200, 200, 200, 200)),
    ("draft plan", "get", "/api/v1/plans/{d.plan.pk}/", None, DRAFT_ONLY),
    ("submitted plan", "get", "/api/v1/plans/{s.plan.pk}/", None, SUBMITTED_READ),
    ("start", "post", "/api/v1/plans/start/", {"phase": 3}, row(201, 201, 403, 403, 403)),
    ("revise draft", "post", "/api/v1/plans/{d.plan.pk}/revise/", None, DRAFT_ONLY),
    (
        "revise pending",
        "post",
        "/api/v1/plans/{s.plan.pk}/revise/",
        None,
        row(409, 404, 403, 403, 403),
    ),
    ("draft versions", "get", "/api/v1/plans/{d.plan.pk}/versions/", None, DRAFT_ONLY),
    ("versions", "get", "/api/v1/plans/{s.plan.pk}/versions/", None, SUBMITTED_READ),
    ("draft", "get", "/api/v1/plan-versions/{d.version.pk}/", None, DRAFT_ONLY),
    ("version", "get", "/api/v1/plan-versions/{s.version.pk}/", None, SUBMITTED_READ),
    (
        "draft comparison",
        "get",
        "/api/v1/plan-versions/{d.version.pk}/comparison/",
        None,
        DRAFT_ONLY,
    ),
    (
        "comparison",
        "get",
        "/api/v1/plan-versions/{s.version.pk}/comparison/",
        None,
        SUBMITTED_READ,
    ),
    (
        "edit draft",
        "patch",
        "/api/v1/plan-versions/{d.version.pk}/summary/",
        {"summary": "New"},
        DRAFT_ONLY,
    ),
    (
        "edit submitted",
        "patch",
        "/api/v1/plan-versions/{s.version.pk}/summary/",
        {"summary": "New"},
        row(409, 404, 403, 403, 403),
    ),
    (
        "add target",
        "post",
        "/api/v1/plan-versions/{d.version.pk}/targets/",
        TARGET,
        row(201, 404, 404, 404, 404),
    ),
    (
        "add target to submitted",
        "post",
        "/api/v1/plan-versions/{s.version.pk}/targets/",
        TARGET,
        row(400, 404, 403, 403, 403),  # the category is not of that version's phase
    ),
    ("change target", "patch", "/api/v1/plan-targets/{d.target.pk}/", {"year": 2032}, DRAFT_ONLY),
    # Actuals are filed on the targets of an approved version only (409 before that); as
    # for every request to AQMD, a role that may file none is refused before the lookup.
    (
        "actual on a draft's target",
        "post",
        "/api/v1/plan-targets/{d.target.pk}/target-actuals/",
        ACTUAL,
        row(409, 404, 403, 403, 403),
    ),
    (
        "actual on a submitted version's target",
        "post",
        "/api/v1/plan-targets/{s.target.pk}/target-actuals/",
        ACTUAL,
        row(409, 404, 403, 403, 403),
    ),
    (
        "change submitted target",
        "patch",
        "/api/v1/plan-targets/{s.target.pk}/",
        {"year": 2032},
        row(409, 404, 403, 403, 403),
    ),
    (
        "remove target",
        "delete",
        "/api/v1/plan-targets/{d.target.pk}/",
        None,
        row(204, 404, 404, 404, 404),
    ),
    (
        "add project",
        "post",
        "/api/v1/plan-versions/{d.version.pk}/projects/",
        PROJECT,
        row(201, 404, 404, 404, 404),
    ),
    (
        "change project",
        "patch",
        "/api/v1/plan-projects/{d.project.pk}/",
        {"quantity": 3},
        DRAFT_ONLY,
    ),
    (
        "change submitted project",
        "patch",
        "/api/v1/plan-projects/{s.project.pk}/",
        {"quantity": 3},
        row(409, 404, 403, 403, 403),
    ),
    (
        "remove project",
        "delete",
        "/api/v1/plan-projects/{d.project.pk}/",
        None,
        row(204, 404, 404, 404, 404),
    ),
    (
        "add milestone",
        "post",
        "/api/v1/plan-projects/{d.project.pk}/milestones/",
        MILESTONE,
        row(201, 404, 404, 404, 404),
    ),
    (
        "add milestone to submitted",
        "post",
        "/api/v1/plan-projects/{s.project.pk}/milestones/",
        MILESTONE,
        row(409, 404, 403, 403, 403),
    ),
    (
        "change milestone",
        "patch",
        "/api/v1/plan-project-milestones/{d.milestone.pk}/",
        {"what": "Later"},
        DRAFT_ONLY,
    ),
    (
        "remove milestone",
        "delete",
        "/api/v1/plan-project-milestones/{d.milestone.pk}/",
        None,
        row(204, 404, 404, 404, 404),
    ),
    (
        "upload",
        "upload",
        "/api/v1/plan-versions/{d.version.pk}/documents/",
        None,
        row(201, 404, 404, 404, 404),
    ),
    (
        "upload to submitted",
        "upload",
        "/api/v1/plan-versions/{s.version.pk}/documents/",
        None,
        row(409, 404, 403, 403, 403),
    ),
    (
        "download draft document",
        "get",
        "/api/v1/plan-documents/{d.document.pk}/download/",
        None,
        DRAFT_ONLY,
    ),
    (
        "download",
        "get",
        "/api/v1/plan-documents/{s.document.pk}/download/",
        None,
        SUBMITTED_READ,
    ),
    (
        "remove document",
        "delete",
        "/api/v1/plan-documents/{d.document.pk}/",
        None,
        row(204, 404, 404, 404, 404),
    ),
    (
        "remove submitted document",
        "delete",
        "/api/v1/plan-documents/{s.document.pk}/",
        None,
        row(409, 404, 403, 403, 403),
    ),
    ("submit", "post", "/api/v1/plan-versions/{d.version.pk}/submit/", None, DRAFT_ONLY),
    (
        "submit again",
        "post",
        "/api/v1/plan-versions/{s.version.pk}/submit/",
        None,
        row(200, 404, 403, 403, 403),
    ),
    (
        "withdraw",
        "post",
        "/api/v1/plan-versions/{s.version.pk}/withdraw/",
        None,
        row(200, 404, 403, 403, 403),
    ),
    (
        "withdraw draft",
        "post",
        "/api/v1/plan-versions/{d.version.pk}/withdraw/",
        None,
        row(409, 404, 404, 404, 404),
    ),
    ("review queue", "get", "/api/v1/plan-review-queue/", None, row(403, 403, 200, 200, 403)),
    (
        "start review",
        "post",
        "/api/v1/plan-versions/{s.version.pk}/start-review/",
        None,
        row(403, 404, 200, 200, 403),
    ),
    (
        "start review of draft",
        "post",
        "/api/v1/plan-versions/{d.version.pk}/start-review/",
        None,
        row(403, 404, 404, 404, 404),
    ),
    (
        "comment",
        "post",
        "/api/v1/plan-versions/{s.version.pk}/comments/",
        {"body": "Please add the grid study."},
        row(201, 404, 201, 201, 403),
    ),
    (
        "comment on draft",
        "post",
        "/api/v1/plan-versions/{d.version.pk}/comments/",
        {"body": "Please add the grid study."},
        row(409, 404, 404, 404, 404),
    ),
    (
        "decide",
        "post",
        "/api/v1/plan-versions/{s.version.pk}/decision/",
        {"decision": "approved"},
        row(403, 404, 201, 201, 403),
    ),
    (
        "decide draft",
        "post",
        "/api/v1/plan-versions/{d.version.pk}/decision/",
        {"decision": "approved"},
        row(403, 404, 404, 404, 404),
    ),
]


def test_the_table_names_every_plans_operation_of_the_schema(client, agreement):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = {
        (method, address)
        for address, item in schema["paths"].items()
        if "/plan" in address
        for method in item
    }
    tabled = {
        ("post" if method == "upload" else method, address)
        for _name, method, url, _body, _expected in ENDPOINTS
        for address in [_as_template(url)]
    }
    assert operations == tabled


def _as_template(url: str) -> str:
    """/api/v1/plans/{d.plan.pk}/ → /api/v1/plans/{id}/ (the schema's parameter name)."""
    parts = ["{id}" if part.startswith("{") else part for part in url.split("/")]
    return "/".join(parts)


@pytest.mark.parametrize("role", ROLES)
def test_every_plans_endpoint_answers_each_role_as_the_policy_says(
    client_as,
    pola_draft,  # noqa: F811 (a fixture)
    pola_submitted,  # noqa: F811
    role,
):
    client = client_as(role)
    wrong = []
    for name, method, url, body, expected in ENDPOINTS:
        path = url.format(d=pola_draft, s=pola_submitted)
        with transaction.atomic():
            if method == "upload":
                response = client.post(path, {"file": pdf_upload()}, format="multipart")
            elif body is None:
                response = getattr(client, method)(path)
            else:
                response = getattr(client, method)(path, body, format="json")
            transaction.set_rollback(True)
        if response.status_code != expected[role]:
            wrong.append((name, method, path, expected[role], response.status_code))
        if response.status_code == 401:
            assert response["WWW-Authenticate"].startswith("Bearer")
    assert wrong == [], wrong
