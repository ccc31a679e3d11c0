"""django-axes announces lockouts with a signal; the audit record is written by a service."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.dispatch import receiver

from .services import sign_in_lockout_record


@receiver(user_locked_out, dispatch_uid="accounts.audit_sign_in_lockout")
def audit_sign_in_lockout(sender: Any, request: Any, username: str, ip_address: str, **_: Any):
    sign_in_lockout_record(username=username or "", ip_address=ip_address)
