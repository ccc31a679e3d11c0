"""The OpenAPI schema describes the API, and the API keeps to it.

Schemathesis generates requests from ``/api/schema/`` for every operation and checks that
no answer is a 5xx and that each answer matches what the schema documents (status, content
type, body).  It runs in-process through the WSGI app, inside the test's transaction.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks
from schemathesis.core.result import Ok

from api.services import api_token_create

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


def test_schema_is_served_as_openapi_3_with_the_error_shape(client, agreement):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/milestones/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["tokenAuth"]["description"],
    }
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    list_op = schema["paths"]["/api/v1/milestones/"]["get"]
    assert {"200", "400", "401", "403", "404"} <= set(list_op["responses"])
    assert {} in list_op["security"]  # public: callable without credentials
    audit_op = schema["paths"]["/api/v1/audit-events/"]["get"]
    assert {} not in audit_op["security"]


def test_docs_page_serves_swagger_ui_from_our_own_static_files(client, agreement):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "swagger-ui" in response.text
    assert "cdn." not in response.text and "unpkg" not in response.text
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in response.text


@pytest.fixture
def wsgi_app_in_test_transaction():
    """The WSGI app, with Django's connection kept open between requests (as the test client
    does), so that it sees the test's rows and the test's transaction is rolled back."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize(
    ("role", "mode", "examples"),
    [
        ("administrator", GenerationMode.POSITIVE, 12),
        ("pola_staff", GenerationMode.POSITIVE, 12),
        ("anonymous", GenerationMode.POSITIVE, 12),
        # Requests that break the schema on purpose: they must be refused, never a 5xx.
        ("administrator", GenerationMode.NEGATIVE, 8),
    ],
    ids=["administrator", "pola_staff", "anonymous", "administrator-invalid-requests"],
)
def test_generated_requests_get_no_server_error_and_answers_match_the_schema(
    request, agreement, wsgi_app_in_test_transaction, role, mode, examples
):
    headers = {}
    if role != "anonymous":
        user = request.getfixturevalue(role)
        _token, secret = api_token_create(user=user, name="schemathesis", actor=user)
        headers["Authorization"] = f"Bearer {secret}"
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app_in_test_transaction)
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), "every operation in the schema loads"
    assert len(operations) >= 15
    # Invalid requests are refused with 4xx answers the schema may not describe in detail.
    checks_to_run = CHECKS if mode is GenerationMode.POSITIVE else [checks.not_a_server_error]

    @settings(
        max_examples=examples * len(operations),
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def exercise(data: st.DataObject) -> None:
        operation = data.draw(st.sampled_from(operations))
        case = data.draw(operation.as_strategy(generation_mode=mode))
        case.call_and_validate(headers=headers, checks=checks_to_run)

    exercise()


def test_schema_generates_without_warnings_and_validates(tmp_path, agreement):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/milestones/{id}/due-date-amendments/" in out.read_text()
