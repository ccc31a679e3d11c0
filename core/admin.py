from __future__ import annotations

from django.contrib import admin

from .admin_site import ImmutableRecordAdmin
from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ImmutableRecordAdmin):
    """The outbox, to look at (what went out, what is retried, what was given up)."""

    list_display = ["event_key", "to_email", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["event_key", "to_email", "subject"]
