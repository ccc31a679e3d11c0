from __future__ import annotations

from typing import Any

from django.db import models

from accounts import policy
from core.visibility import beyond_port

from .models import AuditEvent, AuditEventQuerySet


def audit_timeline(*, obj: models.Model) -> AuditEventQuerySet:
    """The audit events of one object, oldest first, with the actor loaded."""
    return AuditEvent.objects.for_object(obj).select_related("actor").order_by("at", "id")


def audit_events_visible_to(user: Any) -> AuditEventQuerySet:
    """Every event for AQMD and the board, except what the apps keep within the port for now
    (the port's work on unsubmitted plan drafts: :mod:`core.visibility`); port staff their
    own port's; the public none."""
    events = policy.visible(
        user, policy.Action.AUDIT_VIEW, AuditEvent.objects.select_related("party")
    )
    if policy.port_scope(user) is None:
        events = beyond_port(events, user)
    return events
