"""Programs authenticate with a token the user creates, sees once and can revoke."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiToken, token_hash
from api.services import MAX_ACTIVE_TOKENS, api_token_create, api_token_revoke
from audit.models import AuditEvent
from core.errors import Forbidden, ServiceError
from tests.factories import UserFactory

from .conftest import error_of


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_token_page_needs_a_login(client, agreement):
    response = client.get(reverse("api-tokens"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_creating_a_token_shows_it_once_and_stores_only_its_hash(client, pola_staff):
    client.force_login(pola_staff)
    response = client.post(reverse("api-token-create"), {"name": "Nightly export"})
    assert response.status_code == 200
    found = re.search(r'<code id="new-token">([^<]+)</code>', response.text)
    assert found is not None
    secret = found.group(1)
    token = ApiToken.objects.get(user=pola_staff)
    assert token.name == "Nightly export"
    assert token.key_hash == token_hash(secret) and secret not in token.key_hash
    assert secret.startswith(token.prefix)
    # The page never shows the secret again, only the prefix.
    page = client.get(reverse("api-tokens"))
    assert secret not in page.text
    assert token.prefix in page.text
    event = AuditEvent.objects.get(action="api_token.created")
    assert event.actor == pola_staff
    assert secret not in str(event.after) and token.key_hash not in str(event.after)


def test_a_token_authenticates_as_its_user_and_notes_last_use(pola_staff, pola_milestone):
    token, secret = api_token_create(user=pola_staff, name="script", actor=pola_staff)
    response = bearer(secret).get(f"/api/v1/milestones/{pola_milestone.pk}/")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_keyword_works_too(pola_staff):
    _token, secret = api_token_create(user=pola_staff, name="script", actor=pola_staff)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/v1/audit-events/").status_code == 200


def test_a_token_carries_its_users_port_scope(polb_staff, pola_milestone):
    _token, secret = api_token_create(user=polb_staff, name="script", actor=polb_staff)
    assert bearer(secret).get(f"/api/v1/milestones/{pola_milestone.pk}/").status_code == 404


def test_a_revoked_token_fails_with_401(client, pola_staff):
    token, secret = api_token_create(user=pola_staff, name="script", actor=pola_staff)
    client.force_login(pola_staff)
    response = client.post(reverse("api-token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    answer = bearer(secret).get("/api/v1/audit-events/")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == 'Bearer realm="api"'
    assert error_of(answer)["code"] == "authentication_failed"
    assert AuditEvent.objects.filter(action="api_token.revoked", actor=pola_staff).count() == 1


def test_revoking_twice_records_one_revocation(pola_staff):
    token, _secret = api_token_create(user=pola_staff, name="script", actor=pola_staff)
    first = api_token_revoke(token=token, actor=pola_staff).revoked_at
    assert api_token_revoke(token=token, actor=pola_staff).revoked_at == first
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_nobody_revokes_someone_elses_token(client, pola_staff, administrator):
    token, _secret = api_token_create(user=pola_staff, name="script", actor=pola_staff)
    with pytest.raises(Forbidden):
        api_token_revoke(token=token, actor=administrator)
    client.force_login(administrator)
    assert client.post(reverse("api-token-revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_nobody_creates_a_token_for_someone_else(pola_staff, reviewer):
    with pytest.raises(Forbidden):
        api_token_create(user=pola_staff, name="sneaky", actor=reviewer)
    assert not ApiToken.objects.exists()


def test_a_token_needs_a_name(client, pola_staff):
    with pytest.raises(ServiceError) as err:
        api_token_create(user=pola_staff, name="  ", actor=pola_staff)
    assert "name" in err.value.fields
    client.force_login(pola_staff)
    response = client.post(reverse("api-token-create"), {"name": ""})
    assert response.status_code == 200
    assert "field-error" in response.text
    assert not ApiToken.objects.exists()


def test_active_tokens_are_limited(pola_staff):
    for n in range(MAX_ACTIVE_TOKENS):
        api_token_create(user=pola_staff, name=f"t{n}", actor=pola_staff)
    with pytest.raises(ServiceError):
        api_token_create(user=pola_staff, name="one too many", actor=pola_staff)


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-token", "Bearer", "Bearer two parts", "Token "],
)
def test_malformed_or_unknown_tokens_fail_with_401(agreement, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/audit-events/")
    assert response.status_code == 401
    error_of(response)


def test_a_token_of_a_deactivated_user_fails(pola_staff):
    _token, secret = api_token_create(user=pola_staff, name="script", actor=pola_staff)
    pola_staff.is_active = False
    pola_staff.save(update_fields=["is_active"])
    assert bearer(secret).get("/api/v1/audit-events/").status_code == 401


def test_token_requests_need_no_csrf_but_session_writes_do(administrator, pola_milestone):
    url = f"/api/v1/milestones/{pola_milestone.pk}/due-date-amendments/"
    body = {"new_due_date": "2027-06-30", "reason": "Board amendment."}
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(administrator)
    refused = browser.post(url, body, format="json")
    assert refused.status_code == 403
    assert "CSRF" in error_of(refused)["message"]
    _token, secret = api_token_create(user=administrator, name="script", actor=administrator)
    assert bearer(secret).post(url, body, format="json").status_code == 201


def test_users_without_a_role_get_no_tokens_page(client, agreement):
    nobody = UserFactory(username="nobody", role="")
    client.force_login(nobody)
    assert client.get(reverse("api-tokens")).status_code == 403


def test_administrators_see_who_holds_tokens_but_not_the_secret(client, administrator, pola_staff):
    token, secret = api_token_create(user=pola_staff, name="script", actor=pola_staff)
    client.force_login(administrator)
    listing = client.get(reverse("admin:api_apitoken_changelist"))
    assert listing.status_code == 200
    assert "script" in listing.text
    detail = client.get(reverse("admin:api_apitoken_change", args=[token.pk]))
    assert detail.status_code == 200
    assert secret not in detail.text and token.key_hash not in detail.text
    assert client.get(reverse("admin:api_apitoken_add")).status_code == 403
