"""The API's test helpers: a client per role of the named cast, and the API's URLs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from agreement.models import Milestone, MilestoneKind, Party

ROLES = ["anonymous", "pola_staff", "polb_staff", "reviewer", "administrator", "board_member"]


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_as(request: pytest.FixtureRequest, agreement: Any) -> Callable[[str], APIClient]:
    """``client_as("pola_staff")``: an API client signed in (session) as that cast member."""

    def make(role: str) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return make


@pytest.fixture
def pola_milestone(pola: Party) -> Milestone:
    return Milestone.objects.get(party=pola, kind=MilestoneKind.DRAFT_PLAN, phase__number=1)


@pytest.fixture
def polb_milestone(polb: Party) -> Milestone:
    return Milestone.objects.get(party=polb, kind=MilestoneKind.DRAFT_PLAN, phase__number=1)


def error_of(response: Any) -> dict[str, Any]:
    """The error object of an API answer, after checking it has exactly the one shape."""
    body = json.loads(response.content)
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]
