"""Ten wrong passwords lock the account (and the address) for a while; the lockout is audited."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _sign_in(client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_twelve_wrong_passwords_then_the_right_one_does_not_sign_the_administrator_in(
    client, administrator
):
    for _ in range(12):
        response = _sign_in(client, "administrator", "wrong password")
    assert response.status_code == 429
    response = _sign_in(client, "administrator", "pw")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in locked" in page
    assert "After 10 failed sign-ins in a row" in page and "Try again in 30 minutes" in page
    assert "_auth_user_id" not in client.session


def test_nine_failures_still_let_the_right_password_in_and_reset_the_count(client, reviewer):
    for _ in range(9):
        assert _sign_in(client, "reviewer", "nope").status_code == 200
    response = _sign_in(client, "reviewer", "pw")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(reviewer.pk)
    assert not AccessAttempt.objects.filter(username="reviewer").exists()


def test_the_lockout_and_each_refused_attempt_are_audited(client, reviewer):
    for _ in range(11):
        _sign_in(client, "reviewer", "nope")
    events = AuditEvent.objects.filter(action="user.sign_in_locked_out").order_by("id")
    assert events.count() == 2  # the 10th failure locks; the 11th is refused while locked
    event = events.first()
    assert event is not None
    assert event.object_type == "accounts.user" and event.object_id == str(reviewer.pk)
    assert event.actor_label == "sign-in attempt"
    assert event.after == {"username": "reviewer", "ip_address": "203.0.113.7"}


def test_many_user_names_from_one_address_lock_that_address(client, agreement):
    for n in range(10):
        _sign_in(client, f"guess{n}", "nope", address="198.51.100.9")
    someone = UserFactory.create(username="someone.else")
    assert _sign_in(client, someone.username, "pw", address="198.51.100.9").status_code == 429
    # ... but not the same user from elsewhere
    assert _sign_in(client, someone.username, "pw", address="192.0.2.1").status_code == 302


def test_an_administrator_unlocks_a_locked_user_and_it_is_audited(client, reviewer, administrator):
    for _ in range(10):
        _sign_in(client, "reviewer", "nope")
    assert _sign_in(client, "reviewer", "pw", address="192.0.2.50").status_code == 429
    admin_client = type(client)()
    admin_client.force_login(administrator)
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [reviewer.pk]},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="user.sign_in_unlocked", object_id=str(reviewer.pk))
    assert _sign_in(client, "reviewer", "pw", address="192.0.2.50").status_code == 302


def test_a_short_or_common_password_is_refused_with_a_clear_message(client, pola_staff):
    client.force_login(pola_staff)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw", "new_password1": "port2026", "new_password2": "port2026"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This password is too short. It must contain at least 12 characters." in page
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw",
            "new_password1": "berth charging plaza nine",
            "new_password2": "berth charging plaza nine",
        },
    )
    assert response.status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_address_lock(client, agreement):
    """Without a trusted proxy in front, X-Forwarded-For is the client's own invention."""
    for n in range(10):
        client.post(
            LOGIN,
            {"username": f"guess{n}", "password": "nope"},
            REMOTE_ADDR="198.51.100.77",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    response = client.post(
        LOGIN,
        {"username": "guess99", "password": "nope"},
        REMOTE_ADDR="198.51.100.77",
        HTTP_X_FORWARDED_FOR="10.0.0.200",
    )
    assert response.status_code == 429
