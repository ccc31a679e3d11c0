from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin_site import AuditedInline, AuditedModelAdmin

from .models import (
    CompletionReport,
    Default,
    ExtensionRequest,
    FlexibilityClaim,
    FundEntry,
    Notice,
    Penalty,
    PenaltySchedule,
    PenaltyTier,
    SweepFailure,
)


class PenaltyTierInline(AuditedInline):
    model = PenaltyTier


@admin.register(PenaltySchedule)
class PenaltyScheduleAdmin(AuditedModelAdmin):
    list_display = ["name", "effective_from", "is_provisional"]
    inlines = [PenaltyTierInline]


class RecordAdmin(AuditedModelAdmin):
    """View only: these records change through their workflows (pages and services), which
    check the transition tables and write the audit trail."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Default)
class DefaultAdmin(RecordAdmin):
    list_display = ["party", "ordinal", "milestone", "due_date", "status", "detected_at"]
    list_filter = ["party", "status"]


@admin.register(Penalty)
class PenaltyAdmin(RecordAdmin):
    list_display = ["party", "default", "amount", "status", "assessed_at"]
    list_filter = ["party", "status"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(RecordAdmin):
    list_display = ["milestone", "requested_due_date", "status", "filed_at"]
    list_filter = ["status"]


@admin.register(FlexibilityClaim)
class FlexibilityClaimAdmin(RecordAdmin):
    list_display = ["milestone", "status", "filed_at"]
    list_filter = ["status"]


@admin.register(CompletionReport)
class CompletionReportAdmin(RecordAdmin):
    list_display = ["milestone", "completed_on", "status", "filed_at", "filed_on_time"]
    list_filter = ["status"]


@admin.register(SweepFailure)
class SweepFailureAdmin(RecordAdmin):
    list_display = ["milestone", "due_date", "attempts", "last_failed_at", "resolved_at"]


@admin.register(FundEntry)
class FundEntryAdmin(RecordAdmin):
    list_display = ["occurred_on", "kind", "amount", "balance_after", "project_name", "party"]
    list_filter = ["kind"]


@admin.register(Notice)
class NoticeAdmin(RecordAdmin):
    list_display = ["milestone", "kind", "due_date", "created_at", "sent_at"]
    list_filter = ["kind"]
