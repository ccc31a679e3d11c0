"""API clients for the tests that are not under ``tests/api`` (which has ``client_as``)."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient


def api_as(user: Any = None) -> APIClient:
    """An API client signed in (session) as ``user``; None is the public."""
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client
