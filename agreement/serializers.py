"""How the agreement's data reads in the API (render only; writes go through services)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.serializers import CodeField, party_code, port_code, username

from .models import (
    AmendmentApproval,
    DueDateAmendment,
    EmissionCategory,
    Milestone,
    MilestoneDateChange,
    Party,
    Phase,
    WithdrawalNotice,
)


def party_input() -> CodeField:
    """A request's party, by its code."""
    return CodeField(queryset=Party.objects.all(), help_text=_("AQMD, POLA or POLB."))


def port_input(**options: Any) -> CodeField:
    """A request's port, by its code."""
    options.setdefault("help_text", _("POLA or POLB."))
    return CodeField(queryset=Party.objects.ports(), **options)


class PartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["code", "name", "kind", "governing_body"]


class EmissionCategorySerializer(serializers.ModelSerializer):
    phase = serializers.IntegerField(source="phase.number", read_only=True)

    class Meta:
        model = EmissionCategory
        fields = ["code", "name", "phase"]


class PhaseCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = EmissionCategory
        fields = ["code", "name"]


class PhaseSerializer(serializers.ModelSerializer):
    categories = PhaseCategorySerializer(many=True, read_only=True)

    class Meta:
        model = Phase
        fields = ["number", "title", "categories"]


class MilestoneDateChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = MilestoneDateChange
        fields = [
            "kind",
            "old_due_date",
            "new_due_date",
            "old_is_provisional",
            "new_is_provisional",
            "reason",
            "changed_at",
        ]


class MilestoneSerializer(serializers.ModelSerializer):
    port = port_code()
    phase = serializers.IntegerField(source="phase.number", read_only=True, allow_null=True)
    due_moment = serializers.DateTimeField(
        read_only=True, help_text=_("The last on-time second: 23:59:59 Pacific on the due date.")
    )
    is_overdue = serializers.BooleanField(read_only=True)
    date_changes = MilestoneDateChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Milestone
        fields = [
            "id",
            "port",
            "kind",
            "phase",
            "reporting_year",
            "title",
            "due_date",
            "due_moment",
            "is_provisional",
            "within_port_control",
            "status",
            "completed_at",
            "is_overdue",
            "date_changes",
        ]


class ApprovalInputSerializer(serializers.Serializer):
    """One party's approval of an amendment."""

    party = party_input()
    approved_on = serializers.DateField(help_text=_("The date its governing body approved."))


class AmendmentApprovalSerializer(serializers.ModelSerializer):
    party = party_code()

    class Meta:
        model = AmendmentApproval
        fields = ["party", "approved_on", "recorded_at"]


class AmendmentSerializer(serializers.ModelSerializer):
    """A due-date amendment: pending the parties' approvals, in effect, or abandoned."""

    milestone: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    port = serializers.CharField(source="milestone.party.code", read_only=True)
    approvals = AmendmentApprovalSerializer(many=True, read_only=True)
    proposed_by = username()

    class Meta:
        model = DueDateAmendment
        fields = [
            "id",
            "milestone",
            "port",
            "new_due_date",
            "new_is_provisional",
            "reason",
            "status",
            "approvals",
            "proposed_by",
            "proposed_at",
            "took_effect_at",
        ]


class DueDateAmendmentSerializer(serializers.Serializer):
    """The request to move a due date by an amendment of the agreement."""

    new_due_date = serializers.DateField(help_text=_("The new Pacific due date."))
    reason = serializers.CharField(
        max_length=2000, help_text=_("Why the date moves (kept with the change).")
    )
    is_provisional = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Whether the new date is a placeholder; leave out to keep the flag."),
    )
    approvals = serializers.ListField(
        child=ApprovalInputSerializer(),
        required=False,
        default=list,
        help_text=_(
            "The parties' approvals so far (a date each). The due date moves when AQMD and "
            "both ports have approved; until then the amendment is pending. Not needed to "
            "correct a provisional date."
        ),
    )


class WithdrawalNoticeSerializer(serializers.ModelSerializer):
    party = party_code()
    recorded_by = username()
    document_name = serializers.CharField(source="document.original_name", read_only=True)
    document_sha256 = serializers.CharField(source="document.sha256", read_only=True)

    class Meta:
        model = WithdrawalNotice
        fields = [
            "id",
            "party",
            "received_on",
            "notice_days",
            "effective_on",
            "status",
            "note",
            "document_name",
            "document_sha256",
            "recorded_by",
            "recorded_at",
            "rescinded_at",
            "rescind_reason",
        ]


class WithdrawalNoticeRecordSerializer(serializers.Serializer):
    """Record a party's written notice of withdrawal (multipart/form-data with the PDF)."""

    party = party_input()
    received_on = serializers.DateField(help_text=_("The date the written notice was received."))
    document = serializers.FileField(help_text=_("The written notice, PDF only."))
    note = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
