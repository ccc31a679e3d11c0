"""The second factor: TOTP (an authenticator app) with one-time recovery codes (django-otp).

AQMD reviewers and administrators (``settings.MFA_REQUIRED_ROLES``; a superuser counts as an
administrator) must enrol and then enter a code after each password sign-in before they can
do anything else (``accounts/middleware.py``).  ``settings.MFA_EXEMPT_USERNAMES`` is for
``make run``'s demo users only; production settings refuse it.

Writes here are services: atomic and audited.  The secret and the codes are never audited.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_record
from core.errors import ServiceError

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery codes"


def second_factor_required(user: Any) -> bool:
    """Must this signed-in user have passed a second factor in this session?"""
    if not settings.MFA_REQUIRED_ROLES:
        return False
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.get_username() in settings.MFA_EXEMPT_USERNAMES:
        return False
    return str(user.effective_role) in settings.MFA_REQUIRED_ROLES


def has_second_factor(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def uses_short_sessions(user: Any) -> bool:
    """AQMD and anyone who may use /admin/ are signed out ``STAFF_SESSION_AGE`` after sign-in."""
    return bool(user.is_aqmd or user.is_staff or user.is_superuser)


def session_start(request: HttpRequest, user: Any) -> None:
    """After a password sign-in: the session's lifetime by role."""
    if uses_short_sessions(user):
        request.session.set_expiry(settings.STAFF_SESSION_AGE)


def totp_device_pending(*, user: Any) -> TOTPDevice:
    """The authenticator being enrolled (unconfirmed), created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def _new_recovery_codes(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def mfa_enrol(*, request: HttpRequest, user: Any, token: str) -> list[str]:
    """Confirm the pending authenticator with a code from it; returns the recovery codes.

    The session counts as verified from now on.  A wrong code raises ServiceError and changes
    nothing but the device's throttle.
    """
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise ServiceError(_("Start again: open the set-up page to get a new key."))
    if not device.verify_token(_clean(token)):
        raise ServiceError(
            _("That code is not right. Check the time on your phone and enter the current code."),
            fields={"token": _("Not the current code.")},
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    otp_login(request, device)
    audit_record(actor=user, action="user.mfa_enrolled", obj=user)
    return codes


def mfa_verify(*, request: HttpRequest, user: Any, token: str) -> None:
    """Accept a code from the authenticator or an unused recovery code for this session.

    Each device throttles wrong codes (django-otp: the wait doubles after each failure).
    """
    cleaned = _clean(token)
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(cleaned):
                otp_login(request, device)
                if isinstance(device, StaticDevice):
                    left = StaticToken.objects.filter(device=device).count()
                    audit_record(
                        actor=user,
                        action="user.mfa_recovery_code_used",
                        obj=user,
                        note=f"{left} recovery codes left",
                    )
                return
    raise ServiceError(
        _("That code is not right, or too many wrong codes were tried: wait a little and retry."),
        fields={"token": _("Not accepted.")},
    )


@transaction.atomic
def mfa_recovery_codes_regenerate(*, user: Any) -> list[str]:
    """New recovery codes for a verified user; the old ones stop working."""
    if not has_second_factor(user):
        raise ServiceError(_("Set up an authenticator first."))
    codes = _new_recovery_codes(user)
    audit_record(actor=user, action="user.mfa_recovery_codes_regenerated", obj=user)
    return codes


@transaction.atomic
def mfa_reset(*, user: Any, actor: Any, note: str = "") -> None:
    """An administrator removes a user's authenticator and recovery codes (a lost phone).

    The user enrols again at the next sign-in.
    """
    from accounts import policy

    policy.require(actor, policy.Action.ADMINISTER)
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    audit_record(actor=actor, action="user.mfa_reset", obj=user, note=note)


def _clean(token: str) -> str:
    return "".join(str(token).split()).lower()


def otpauth_url(device: TOTPDevice) -> str:
    return str(device.config_url)


def key_for_humans(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, as authenticator apps expect it typed."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
