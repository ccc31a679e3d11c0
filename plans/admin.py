"""Plans in the admin: read-only.  Every change to a plan goes through plans.services (the
transition table, the audit trail, the emails), so the admin only lets administrators look."""

from __future__ import annotations

from django.contrib import admin

from core.admin_site import ImmutableRecordAdmin

from .models import Plan, PlanVersion, ReviewDecision


@admin.register(Plan)
class PlanAdmin(ImmutableRecordAdmin):
    list_display = ["party", "phase", "created_at", "first_submitted_at"]
    list_filter = ["party", "phase"]


@admin.register(PlanVersion)
class PlanVersionAdmin(ImmutableRecordAdmin):
    list_display = ["plan", "number", "kind", "status", "submitted_at", "reviewer"]
    list_filter = ["status", "kind", "plan__party", "plan__phase"]
    list_select_related = ["plan__party", "plan__phase", "reviewer"]


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ImmutableRecordAdmin):
    list_display = ["version", "decision", "reviewer", "decided_at"]
    list_select_related = ["version__plan__party", "version__plan__phase", "reviewer"]
