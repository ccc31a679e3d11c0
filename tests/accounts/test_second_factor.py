"""AQMD reviewers and administrators need a second factor: enrolment, codes, recovery, reset.

The suite's settings switch the requirement off (tests sign in with force_login); these tests
switch it on as production has it.
"""

from __future__ import annotations

import base64
import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def second_factor_required(settings):
    settings.MFA_REQUIRED_ROLES = ["aqmd_reviewer", "aqmd_admin"]
    settings.MFA_EXEMPT_USERNAMES = []


def _sign_in(client, username: str, next_url: str = "/"):
    return client.post(
        f"/accounts/login/?next={next_url}", {"username": username, "password": "pw"}
    )


def _code(device: TOTPDevice, *, step_offset: int = 0) -> str:
    return f"{totp(device.bin_key, t0=-step_offset * device.step):06d}"


def _enrol(client) -> tuple[TOTPDevice, list[str]]:
    page = client.get(reverse("mfa-setup")).content.decode()
    match = re.search(r'id="totp-key">([A-Z2-7 ]+)<', page)
    assert match is not None
    key = match.group(1).replace(" ", "")
    device = TOTPDevice.objects.get(confirmed=False)
    assert base64.b32decode(key + "=" * (-len(key) % 8)) == device.bin_key
    response = client.post(reverse("mfa-setup"), {"token": _code(device), "next": "/plans/"})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    device.refresh_from_db()
    return device, codes


def test_a_reviewer_is_sent_to_set_up_an_authenticator_after_the_password(client, reviewer):
    response = _sign_in(client, "reviewer", "/plans/review/")
    assert response.status_code == 302
    response = client.get("/plans/review/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/setup/?next=%2Fplans%2Freview%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Set up two-step sign-in" in page and "<svg" in page


def test_enrolment_with_the_current_code_shows_ten_recovery_codes_and_opens_the_site(
    client, reviewer
):
    _sign_in(client, "reviewer")
    device, codes = _enrol(client)
    assert device.confirmed
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/plans/review/").status_code == 200
    assert AuditEvent.objects.filter(action="user.mfa_enrolled", object_id=str(reviewer.pk))


def test_a_wrong_code_at_enrolment_is_refused_and_nothing_is_enrolled(client, reviewer):
    _sign_in(client, "reviewer")
    client.get(reverse("mfa-setup"))
    response = client.post(reverse("mfa-setup"), {"token": "000000"})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()
    assert client.get("/plans/review/").status_code == 302


def test_the_next_sign_in_asks_for_a_code_and_accepts_the_current_one(client, reviewer):
    _sign_in(client, "reviewer")
    device, _ = _enrol(client)
    client.post(reverse("logout"))
    _sign_in(client, "reviewer")
    response = client.get("/penalties/")
    assert response["Location"].startswith("/accounts/mfa/verify/")
    # The code used at enrolment cannot be replayed; the next one can.
    wrong = client.post(reverse("mfa-verify"), {"token": _code(device), "next": "/penalties/"})
    assert wrong.status_code == 400
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wait after a wrong code, not what is tested here
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(
        reverse("mfa-verify"), {"token": _code(device, step_offset=1), "next": "/penalties/"}
    )
    assert response.status_code == 302 and response["Location"] == "/penalties/"
    assert client.get("/penalties/").status_code == 200


def test_a_recovery_code_signs_in_once(client, reviewer):
    _sign_in(client, "reviewer")
    _, codes = _enrol(client)
    client.post(reverse("logout"))
    _sign_in(client, "reviewer")
    response = client.post(reverse("mfa-verify"), {"token": codes[0].upper()})
    assert response.status_code == 302
    assert StaticToken.objects.filter(device__user=reviewer).count() == 9
    used = AuditEvent.objects.get(action="user.mfa_recovery_code_used")
    assert used.note == "9 recovery codes left"
    client.post(reverse("logout"))
    _sign_in(client, "reviewer")
    assert client.post(reverse("mfa-verify"), {"token": codes[0]}).status_code == 400


def test_new_recovery_codes_replace_the_old_ones(client, reviewer):
    _sign_in(client, "reviewer")
    _, old = _enrol(client)
    response = client.post(reverse("mfa-recovery-codes"))
    new = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)


def test_the_key_cannot_be_replaced_with_only_the_password(client, reviewer):
    _sign_in(client, "reviewer")
    _enrol(client)
    client.post(reverse("logout"))
    _sign_in(client, "reviewer")
    response = client.get(reverse("mfa-setup"))
    assert response["Location"].startswith("/accounts/mfa/verify/")


def test_an_administrator_resets_a_lost_authenticator_and_the_user_enrols_again(
    client, reviewer, administrator
):
    _sign_in(client, "reviewer")
    _enrol(client)
    admin_client = type(client)()
    _sign_in(admin_client, "administrator")
    _enrol(admin_client)
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [reviewer.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert not StaticToken.objects.filter(device__user=reviewer).exists()
    event = AuditEvent.objects.get(action="user.mfa_reset")
    assert event.actor == administrator and event.object_id == str(reviewer.pk)
    fresh = type(client)()
    _sign_in(fresh, "reviewer")
    assert fresh.get("/").status_code == 302
    assert fresh.get("/")["Location"].startswith("/accounts/mfa/setup/")


def test_the_admin_needs_the_second_factor_too(client, administrator):
    _sign_in(client, "administrator")
    assert client.get("/admin/")["Location"].startswith("/accounts/mfa/setup/")


def test_an_api_call_with_an_unverified_session_gets_the_error_shape(client, reviewer):
    _sign_in(client, "reviewer")
    response = client.get("/api/v1/milestones/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


def test_port_staff_and_the_board_need_no_second_factor(client, pola_staff, board_member):
    _sign_in(client, "pola.planner")
    assert client.get("/plans/").status_code == 200
    other = type(client)()
    _sign_in(other, "board")
    assert other.get("/penalties/").status_code == 200


def test_the_development_exemption_lets_a_named_user_in_without_a_code(client, reviewer, settings):
    settings.MFA_EXEMPT_USERNAMES = ["reviewer"]
    _sign_in(client, "reviewer")
    assert client.get("/plans/review/").status_code == 200


def test_aqmd_sessions_end_after_the_staff_session_age_others_keep_two_weeks(
    client, reviewer, pola_staff, settings
):
    _sign_in(client, "reviewer")
    assert client.session.get_expiry_age() == settings.STAFF_SESSION_AGE == 8 * 3600
    other = type(client)()
    _sign_in(other, "pola.planner")
    assert other.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 14 * 24 * 3600
