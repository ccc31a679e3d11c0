from __future__ import annotations

from django.contrib import admin

from core.admin_site import ImmutableRecordAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ImmutableRecordAdmin):
    list_display = ["id", "at", "actor_label", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "actor_label", "note"]
    readonly_fields = ["hash", "prev_hash"]
