from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .admin_site import AuditedModelAdmin
from .models import Document, OutboxMessage


@admin.register(Document)
class DocumentAdmin(AuditedModelAdmin):
    list_display = ["original_name", "party", "size_bytes", "sha256", "uploaded_by", "uploaded_at"]
    list_select_related = ["party", "uploaded_by"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(AuditedModelAdmin):
    """The outbox, to look at (what went out, what is retried, what was given up)."""

    list_display = ["event_key", "to_email", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["event_key", "to_email", "subject"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
