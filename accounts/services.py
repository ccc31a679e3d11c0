"""Writes about users that are not made through the admin."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit.services import audit_record

from .models import User


@transaction.atomic
def user_password_set(*, user: Any, form: Any, actor: Any, via: str) -> User:
    """Save a validated Django password form (change or reset) and audit it.

    ``via`` says how: "change" (the user, knowing the old password), "reset" (an email link)
    or "admin" (an administrator).  The password itself is never recorded.
    """
    saved = form.save()
    audit_record(actor=actor, action=f"user.password_{via}", obj=user, note=via)
    return saved


def sign_in_lockout_record(*, username: str, ip_address: str | None) -> None:
    """Audit a sign-in refused because the user name or address is locked (django-axes).

    Recorded against the user when the name exists, else against the lockout record itself.
    Called for the attempt that reached the limit and for each attempt while locked.
    """
    from axes.models import AccessAttempt

    obj: Any = User.objects.filter(username=username).first()
    if obj is None:
        obj = AccessAttempt.objects.filter(username=username).order_by("-pk").first()
    if obj is None:
        obj = AccessAttempt.objects.filter(ip_address=ip_address).order_by("-pk").first()
    if obj is None:
        return
    with transaction.atomic():
        audit_record(
            actor=None,
            actor_label="sign-in attempt",
            action="user.sign_in_locked_out",
            obj=obj,
            after={"username": username, "ip_address": ip_address},
            note=f"Sign-in refused: locked after repeated failures (user {username!r}, "
            f"address {ip_address}).",
        )


@transaction.atomic
def user_sign_in_unlock(*, user: Any, actor: Any) -> int:
    """Clear a user name's failed sign-ins (django-axes) before the lock runs out; audited."""
    from axes.utils import reset

    from . import policy

    policy.require(actor, policy.Action.ADMINISTER)
    cleared = int(reset(username=user.get_username()))
    audit_record(actor=actor, action="user.sign_in_unlocked", obj=user, note=f"{cleared} cleared")
    return cleared
