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
