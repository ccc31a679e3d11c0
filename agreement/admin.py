from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin_site import (
    AuditedInline,
    AuditedModelAdmin,
    ImmutableRecordAdmin,
    ImmutableRecordMixin,
)
from core.errors import ServiceError

from . import amendments, services
from .models import (
    Agreement,
    AgreementTerm,
    AmendmentApproval,
    Approval,
    DateChangeKind,
    DueDateAmendment,
    EmissionCategory,
    Milestone,
    MilestoneDateChange,
    Party,
    Phase,
    RulemakingPause,
    WithdrawalNotice,
)


@admin.register(Party)
class PartyAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "governing_body"]


class ApprovalInline(AuditedInline):
    model = Approval


class AgreementTermInline(AuditedInline):
    model = AgreementTerm


class RulemakingPauseInline(AuditedInline):
    model = RulemakingPause
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(AuditedModelAdmin):
    list_display = [
        "title",
        "title_is_provisional",
        "signed_on",
        "effective_on",
        "withdrawal_notice_days",
        "rulemaking_pause_years",
    ]
    inlines = [ApprovalInline, AgreementTermInline, RulemakingPauseInline]


class CategoryInline(AuditedInline):
    model = EmissionCategory


@admin.register(Phase)
class PhaseAdmin(AuditedModelAdmin):
    list_display = ["number", "title"]
    inlines = [CategoryInline]


@admin.register(EmissionCategory)
class EmissionCategoryAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "phase"]


class MilestoneAdminForm(forms.ModelForm):
    """On an existing milestone the due date moves only by a recorded amendment."""

    new_due_date = forms.DateField(
        label=_("New due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    new_is_provisional = forms.NullBooleanField(
        label=_("New date is provisional"),
        required=False,
        widget=forms.NullBooleanSelect,
        help_text=_("Leave unknown to keep the current flag."),
    )
    change_reason = forms.CharField(
        label=_("Reason for the amendment"), required=False, widget=forms.Textarea
    )

    class Meta:
        model = Milestone
        fields = [
            "party",
            "kind",
            "phase",
            "reporting_year",
            "title",
            "due_date",
            "is_provisional",
            "within_port_control",
            "status",
            "completed_at",
            "created_at",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        wants_change = data.get("new_due_date") or data.get("new_is_provisional") is not None
        if self.instance.pk and wants_change and not (data.get("change_reason") or "").strip():
            self.add_error("change_reason", _("Say why the due date changes."))
        return data


class DateChangeInline(ImmutableRecordMixin, AuditedInline):
    model = MilestoneDateChange
    fk_name = "milestone"
    can_delete = False
    readonly_fields = [
        "kind",
        "old_due_date",
        "new_due_date",
        "old_is_provisional",
        "new_is_provisional",
        "reason",
        "actor",
        "changed_at",
    ]


@admin.register(Milestone)
class MilestoneAdmin(AuditedModelAdmin):
    form = MilestoneAdminForm
    list_display = ["title", "party", "kind", "phase", "due_date", "is_provisional", "status"]
    list_filter = ["party", "kind", "phase", "status", "is_provisional"]
    list_select_related = ["party", "phase"]
    inlines = [DateChangeInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        # What a milestone is (whose, which deadline, since when) does not change once made;
        # its date moves only by a recorded amendment, its status only through the workflow.
        return [
            "party",
            "kind",
            "created_at",
            "due_date",
            "is_provisional",
            "status",
            "completed_at",
        ]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_fields(request, obj))
        extra = ["new_due_date", "new_is_provisional", "change_reason"]
        if obj is None:
            return [f for f in fields if f not in extra]
        return [f for f in fields if f not in extra] + extra

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        data = form.cleaned_data
        new_date = data.get("new_due_date")
        new_flag = data.get("new_is_provisional")
        if change and (new_date or new_flag is not None) and not obj.is_provisional:
            # A fixed date moves only by an amendment all three parties approve.
            amendments.amendment_propose(
                milestone=obj,
                new_due_date=new_date or obj.due_date,
                is_provisional=new_flag,
                reason=data.get("change_reason", ""),
                actor=request.user,
            )
            self.message_user(
                request,
                _(
                    "The amendment is recorded, pending the approval of AQMD and both ports; "
                    "the due date moves when all three are recorded."
                ),
            )
        elif change and (new_date or new_flag is not None):
            try:
                services.milestone_change_due_date(
                    milestone=obj,
                    new_due_date=new_date or obj.due_date,
                    is_provisional=new_flag,
                    kind=DateChangeKind.AMENDMENT,
                    reason=data.get("change_reason", ""),
                    actor=request.user,
                )
            except ServiceError as exc:  # pragma: no cover - the form validates first
                self.message_user(request, str(exc), level="error")
                raise


@admin.register(MilestoneDateChange)
class MilestoneDateChangeAdmin(ImmutableRecordAdmin):
    list_display = ["milestone", "kind", "old_due_date", "new_due_date", "actor", "changed_at"]
    list_select_related = ["milestone__party", "actor"]


@admin.register(WithdrawalNotice)
class WithdrawalNoticeAdmin(ImmutableRecordAdmin):
    """Recorded and rescinded on the withdrawal page or through the API (audited)."""

    list_display = ["party", "received_on", "effective_on", "status", "recorded_by"]
    list_select_related = ["party", "recorded_by"]


class AmendmentApprovalInline(ImmutableRecordMixin, AuditedInline):
    model = AmendmentApproval
    readonly_fields = ["party", "approved_on", "recorded_by", "recorded_at"]


@admin.register(DueDateAmendment)
class DueDateAmendmentAdmin(ImmutableRecordAdmin):
    """Approvals are recorded on the amendment's page (``/agreement/amendments/<id>/``) or
    through the API (``/api/v1/due-date-amendments/<id>/approvals/``)."""

    list_display = ["milestone", "new_due_date", "status", "proposed_by", "proposed_at"]
    list_filter = ["status", "milestone__party"]
    list_select_related = ["milestone__party", "proposed_by"]
    inlines = [AmendmentApprovalInline]
