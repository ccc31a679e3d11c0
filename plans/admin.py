"""Plans in the admin: read-only.  Every change to a plan goes through plans.services (the
transition table, the audit trail, the emails), so the admin only lets administrators look."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin_site import AuditedModelAdmin

from .models import Plan, PlanVersion, ReviewDecision


class ReadOnlyAdmin(AuditedModelAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["party", "phase", "created_at", "first_submitted_at"]
    list_filter = ["party", "phase"]


@admin.register(PlanVersion)
class PlanVersionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "number", "kind", "status", "submitted_at", "reviewer"]
    list_filter = ["status", "kind", "plan__party", "plan__phase"]
    list_select_related = ["plan__party", "plan__phase", "reviewer"]


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ReadOnlyAdmin):
    list_display = ["version", "decision", "reviewer", "decided_at"]
    list_select_related = ["version__plan__party", "version__plan__phase", "reviewer"]
