"""Unknown API addresses answer in the error shape, whatever the method, with or without a
session (a POST must not meet Django's HTML CSRF page)."""

import pytest
from django.test import Client


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_unknown_api_address_answers_json_404(administrator, method):
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    response = getattr(client, method)(
        "/api/v1/milestones/-100/due-date-amendments/", content_type="application/json"
    )
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"
