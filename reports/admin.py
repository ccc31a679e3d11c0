"""Read-only admin views: changes to inventories and runs go through the services (pages,
commands), so that review status, versions and the audit trail stay consistent."""

from __future__ import annotations

from django.contrib import admin

from core.admin_site import (
    AuditedInline,
    AuditedModelAdmin,
    ImmutableRecordAdmin,
    ImmutableRecordMixin,
)

from .models import CaapTarget, CategoryFigure, EmissionsInventory, InventoryFigure, ReportRun


class InventoryFigureInline(ImmutableRecordMixin, AuditedInline):
    model = InventoryFigure
    can_delete = False


@admin.register(EmissionsInventory)
class EmissionsInventoryAdmin(ImmutableRecordAdmin):
    list_display = ["party", "year", "status", "submitted_by", "reviewed_by", "reviewed_at"]
    list_filter = ["party", "status"]
    inlines = [InventoryFigureInline]


@admin.register(ReportRun)
class ReportRunAdmin(ImmutableRecordAdmin):
    list_display = ["year", "party", "version", "status", "is_published", "data_cutoff", "sha256"]
    list_filter = ["status", "is_published", "party"]


# Data AQMD administrators keep (audited like every admin change): the CAAP targets, and the
# source-category figures of the ports' published inventories.
@admin.register(CaapTarget)
class CaapTargetAdmin(AuditedModelAdmin):
    list_display = ["title", "measure", "category", "metric", "target_year", "target_value"]


@admin.register(CategoryFigure)
class CategoryFigureAdmin(AuditedModelAdmin):
    list_display = ["inventory", "category", "metric", "value", "change_vs_2005_pct", "basis"]
    list_filter = ["category", "metric", "inventory__party"]
