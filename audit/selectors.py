from __future__ import annotations

from django.db import models

from .models import AuditEvent, AuditEventQuerySet


def audit_timeline(*, obj: models.Model) -> AuditEventQuerySet:
    """The audit events of one object, oldest first, with the actor loaded."""
    return AuditEvent.objects.for_object(obj).select_related("actor").order_by("at", "id")
