from __future__ import annotations

from django.contrib import admin

from core.admin_site import AuditedInline, AuditedModelAdmin

from .models import PenaltySchedule, PenaltyTier


class PenaltyTierInline(AuditedInline):
    model = PenaltyTier


@admin.register(PenaltySchedule)
class PenaltyScheduleAdmin(AuditedModelAdmin):
    list_display = ["name", "effective_from", "is_provisional"]
    inlines = [PenaltyTierInline]
