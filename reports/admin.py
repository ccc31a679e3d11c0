"""Read-only admin views: changes to inventories and runs go through the services (pages,
commands), so that review status, versions and the audit trail stay consistent."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin_site import AuditedModelAdmin

from .models import EmissionsInventory, InventoryFigure, ReportRun


class ReadOnlyAdmin(AuditedModelAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InventoryFigureInline(admin.TabularInline):
    model = InventoryFigure
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EmissionsInventory)
class EmissionsInventoryAdmin(ReadOnlyAdmin):
    list_display = ["party", "year", "status", "submitted_by", "reviewed_by", "reviewed_at"]
    list_filter = ["party", "status"]
    inlines = [InventoryFigureInline]


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyAdmin):
    list_display = ["year", "party", "version", "status", "is_published", "data_cutoff", "sha256"]
    list_filter = ["status", "is_published", "party"]
