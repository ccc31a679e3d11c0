from __future__ import annotations

from django.contrib import admin

from core.admin_site import AuditedInline, AuditedModelAdmin, ImmutableRecordAdmin

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
    TargetActual,
)


class PenaltyTierInline(AuditedInline):
    model = PenaltyTier


@admin.register(PenaltySchedule)
class PenaltyScheduleAdmin(AuditedModelAdmin):
    list_display = ["name", "effective_from", "is_provisional"]
    inlines = [PenaltyTierInline]


# View only: these records change through their workflows (pages and services), which
# check the transition tables and write the audit trail.
@admin.register(Default)
class DefaultAdmin(ImmutableRecordAdmin):
    list_display = ["party", "ordinal", "milestone", "due_date", "status", "detected_at"]
    list_filter = ["party", "status"]


@admin.register(Penalty)
class PenaltyAdmin(ImmutableRecordAdmin):
    list_display = ["party", "default", "amount", "status", "assessed_at"]
    list_filter = ["party", "status"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ImmutableRecordAdmin):
    list_display = ["milestone", "requested_due_date", "status", "filed_at"]
    list_filter = ["status"]


@admin.register(FlexibilityClaim)
class FlexibilityClaimAdmin(ImmutableRecordAdmin):
    list_display = ["milestone", "status", "filed_at"]
    list_filter = ["status"]


@admin.register(CompletionReport)
class CompletionReportAdmin(ImmutableRecordAdmin):
    list_display = ["milestone", "completed_on", "status", "filed_at", "filed_on_time"]
    list_filter = ["status"]


@admin.register(TargetActual)
class TargetActualAdmin(ImmutableRecordAdmin):
    list_display = ["target", "party", "year", "actual_value", "status", "filed_at"]
    list_filter = ["status", "party"]


@admin.register(SweepFailure)
class SweepFailureAdmin(ImmutableRecordAdmin):
    list_display = ["milestone", "due_date", "attempts", "last_failed_at", "resolved_at"]


@admin.register(FundEntry)
class FundEntryAdmin(ImmutableRecordAdmin):
    list_display = ["occurred_on", "kind", "amount", "balance_after", "project_name", "party"]
    list_filter = ["kind"]


@admin.register(Notice)
class NoticeAdmin(ImmutableRecordAdmin):
    list_display = ["milestone", "kind", "due_date", "created_at", "sent_at"]
    list_filter = ["kind"]
