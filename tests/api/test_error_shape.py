"""Every API error answers ``{"error": {"code", "message", "fields"}}`` with its status."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.test import override_settings
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from api.errors import field_messages
from core.errors import Conflict, Forbidden, ServiceError, TooLarge
from tests.clients import api_as

from .conftest import error_of


def test_400_names_the_fields(client_as, pola_milestone):
    response = client_as("administrator").post(
        f"/api/v1/milestones/{pola_milestone.pk}/due-date-amendments/",
        {"new_due_date": "not a date"},
        format="json",
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"new_due_date", "reason"}
    assert all(isinstance(m, str) for m in error["fields"]["reason"])


def test_400_for_a_filter_value_that_is_not_valid(client_as, agreement):
    response = client_as("reviewer").get("/api/v1/milestones/?due_date_after=soon")
    assert response.status_code == 400
    assert "due_date" in error_of(response)["fields"]


def test_400_for_a_nul_character_anywhere_in_a_json_body(client_as, agreement):
    # A port code is looked up in PostgreSQL, which refuses NUL in text: without the
    # parser's check this was a 500 (found by the schema fuzz test).
    response = client_as("administrator").post(
        "/api/v1/emissions-inventories/entries/",
        {"port": "PO\u0000LA", "year": 2024, "figures": []},
        format="json",
    )
    assert response.status_code == 400
    assert "NUL" in error_of(response)["message"]


def test_401_without_credentials_says_how_to_sign_in(client_as, agreement):
    response = client_as("anonymous").get("/api/v1/audit-events/")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_403_when_the_policy_refuses(client_as, pola_milestone):
    response = client_as("reviewer").post(
        f"/api/v1/milestones/{pola_milestone.pk}/due-date-amendments/",
        {"new_due_date": "2027-06-30", "reason": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"


def test_404_for_another_ports_milestone_and_for_nothing(client_as, polb_milestone):
    response = client_as("pola_staff").get(f"/api/v1/milestones/{polb_milestone.pk}/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert client_as("reviewer").get("/api/v1/milestones/999999/").status_code == 404


def test_413_for_a_body_over_the_limit(client_as, pola_milestone):
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100):
        response = client_as("administrator").post(
            f"/api/v1/milestones/{pola_milestone.pk}/due-date-amendments/",
            {"new_due_date": "2027-06-30", "reason": "x" * 500},
            format="json",
        )
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


def test_405_for_a_method_the_operation_does_not_have(client_as, agreement):
    response = client_as("administrator").delete("/api/v1/parties/POLA/")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


class Raises(APIView):
    """A view that raises what it is given, to drive the handler through DRF's dispatch."""

    permission_classes = [AllowAny]
    exc: Exception = Exception("set by as_view")

    def get(self, request):
        raise self.exc


@pytest.mark.parametrize(
    ("exc", "status", "code", "fields"),
    [
        (
            ServiceError("Say why.", fields={"reason": "Required."}),
            400,
            "invalid",
            {"reason": ["Required."]},
        ),
        (Forbidden("No."), 403, "forbidden", {}),
        (Conflict("Someone decided first."), 409, "conflict", {}),
        (TooLarge("Too big."), 413, "too_large", {}),
        (DjangoPermissionDenied(), 403, "permission_denied", {}),
        (Http404(), 404, "not_found", {}),
        (
            DjangoValidationError({"due_date": ["Too early."]}),
            400,
            "invalid",
            {"due_date": ["Too early."]},
        ),
        (DjangoValidationError("Broken."), 400, "invalid", {"non_field_errors": ["Broken."]}),
    ],
)
def test_each_error_type_maps_to_its_status_and_the_one_shape(exc, status, code, fields):
    view = Raises.as_view(exc=exc)
    response = view(APIRequestFactory().get("/"))
    response.render()
    assert response.status_code == status
    error = error_of(response)
    assert error["code"] == code
    assert error["fields"] == fields


def test_an_unknown_api_address_answers_404_in_the_error_shape(client_as, agreement):
    response = client_as("reviewer").get("/api/v1/parties/not:a:code/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert client_as("anonymous").get("/api/v2/nothing").status_code == 404


def test_a_post_to_an_unknown_api_address_is_a_404_not_a_csrf_page(reviewer):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(reviewer)
    response = client.post("/api/v1/emissions-inventories/-1/review/", {"decision": "accept"})
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_an_api_address_without_its_trailing_slash_redirects(client_as, agreement):
    response = client_as("anonymous").get("/api/v1/milestones?kind=project")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/milestones/?kind=project"


@pytest.mark.parametrize(
    ("moment", "status"),
    [
        ("2027-01-01T00:00:00-22:20", 200),  # an offset PostgreSQL refuses: compared in UTC
        ("0001-01-01T00:00:00+05:00", 400),  # before year 1 in UTC
    ],
)
def test_moments_in_filters_are_compared_in_utc(client_as, agreement, moment, status):
    response = client_as("reviewer").get("/api/v1/audit-events/", {"at_after": moment})
    assert response.status_code == status
    if status == 400:
        assert "at" in error_of(response)["fields"]


def test_nested_field_errors_are_named_with_dots():
    assert field_messages({"tiers": [{}, {"amount": ["Too high."]}], "name": "Blank."}) == {
        "tiers.1.amount": ["Too high."],
        "name": ["Blank."],
    }
    assert field_messages(["Broken."]) == {"non_field_errors": ["Broken."]}


def test_a_code_with_a_nul_character_is_a_field_error_not_a_server_error(agreement, administrator):
    """PostgreSQL text cannot hold NUL: the lookup of a party by such a code must not reach
    it.  (JSON bodies are refused by the parser already; a multipart form is not: the schema
    fuzzing test found the withdrawal notice's party answering 500.)"""
    response = api_as(administrator).post(
        "/api/v1/withdrawal-notices/",
        {"party": "PO\x00LA", "received_on": "2026-01-01"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "party" in response.json()["error"]["fields"], response.json()
