"""How defaults, penalties, requests and the fund read in the API, and the requests that
change them.  Render and parse only: the services (``services.py``, ``determinations.py``,
``milestone_requests.py``) decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.models import Document
from core.serializers import port_code, username

from .models import (
    CompletionReport,
    Default,
    ExtensionRequest,
    FlexibilityClaim,
    FundEntry,
    Penalty,
    PenaltySchedule,
    PenaltyTier,
    TargetActual,
)


def _money() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


class PenaltyTierSerializer(serializers.ModelSerializer):
    class Meta:
        model = PenaltyTier
        fields = ["default_ordinal", "amount"]


class PenaltyScheduleSerializer(serializers.ModelSerializer):
    tiers = PenaltyTierSerializer(many=True, read_only=True)

    class Meta:
        model = PenaltySchedule
        fields = ["id", "name", "effective_from", "is_provisional", "tiers"]


class DefaultPenaltySerializer(serializers.ModelSerializer):
    is_provisional = serializers.BooleanField(
        read_only=True, help_text=_("The amount comes from a provisional schedule.")
    )

    class Meta:
        model = Penalty
        fields = ["id", "amount", "status", "is_provisional"]


class DefaultSerializer(serializers.ModelSerializer):
    port = port_code()
    milestone_title = serializers.CharField(source="milestone.title", read_only=True)
    cured_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("When the milestone was met late.")
    )
    is_cured = serializers.BooleanField(read_only=True)
    penalty = DefaultPenaltySerializer(
        read_only=True, allow_null=True, help_text=_("Assessed when AQMD confirms the default.")
    )
    proposed_amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=_("The penalty the sweep proposed when it flagged the miss."),
    )
    proposal_is_provisional = serializers.BooleanField(
        read_only=True, help_text=_("The proposal comes from a provisional schedule.")
    )
    determined_by = username(allow_null=True)

    class Meta:
        model = Default
        fields = [
            "id",
            "port",
            "milestone",
            "milestone_title",
            "ordinal",
            "due_date",
            "status",
            "detected_at",
            "proposed_amount",
            "proposal_is_provisional",
            "determined_by",
            "determination_reason",
            "confirmed_at",
            "dismissed_at",
            "withdrawn_at",
            "is_cured",
            "cured_at",
            "penalty",
        ]


class DeterminationSerializer(serializers.Serializer):
    """AQMD's determination of a flagged default."""

    decision = serializers.ChoiceField(choices=["confirmed", "dismissed"])
    reason = serializers.CharField(
        max_length=5000,
        required=False,
        default="",
        allow_blank=True,
        help_text=_("Required to dismiss; sent to the port."),
    )


class PenaltySerializer(serializers.ModelSerializer):
    port = port_code()
    milestone = serializers.IntegerField(source="default.milestone_id", read_only=True)
    milestone_title = serializers.CharField(source="default.milestone.title", read_only=True)

    class Meta:
        model = Penalty
        fields = [
            "id",
            "default",
            "port",
            "milestone",
            "milestone_title",
            "amount",
            "schedule",
            "tier_ordinal",
            "status",
            "assessed_at",
            "notice_sent_at",
            "paid_at",
            "payment_reference",
            "waived_at",
            "waiver_reason",
            "withdrawn_at",
            "is_provisional",
        ]


class PaymentSerializer(serializers.Serializer):
    paid_at = serializers.DateTimeField(help_text=_("When the port paid (not in the future)."))
    reference = serializers.CharField(
        max_length=100, help_text=_("Check or transfer number."), trim_whitespace=True
    )


class WaiverSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text=_("Why the penalty is waived."))


class DocumentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)

    class Meta:
        model = Document
        fields = ["id", "name", "size_bytes", "sha256", "uploaded_at"]


class _FiledSerializer(serializers.ModelSerializer):
    """What every kind of request shows: port, documents, who filed and decided."""

    port = port_code()
    documents = DocumentSerializer(many=True, read_only=True)
    filed_by = username()
    decided_by = username(allow_null=True)

    TAIL = ["documents", "status", "filed_by", "filed_at", "decided_by", "decided_at"]


class _RequestSerializer(_FiledSerializer):
    milestone_title = serializers.CharField(source="milestone.title", read_only=True)

    HEAD = ["id", "port", "milestone", "milestone_title"]


class ExtensionRequestSerializer(_RequestSerializer):
    requested_by = username(source="filed_by")
    requested_at = serializers.DateTimeField(source="filed_at", read_only=True)

    class Meta:
        model = ExtensionRequest
        fields = [
            *_RequestSerializer.HEAD,
            "current_due_date",
            "requested_due_date",
            "reason",
            "documents",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]


class FlexibilityClaimSerializer(_RequestSerializer):
    class Meta:
        model = FlexibilityClaim
        fields = [
            *_RequestSerializer.HEAD,
            "default",
            "reason",
            *_RequestSerializer.TAIL,
            "decision_note",
            "new_due_date",
        ]


class CompletionReportSerializer(_RequestSerializer):
    note = serializers.CharField(source="reason", read_only=True)

    class Meta:
        model = CompletionReport
        fields = [
            *_RequestSerializer.HEAD,
            "completed_on",
            "note",
            "filed_on_time",
            *_RequestSerializer.TAIL,
            "decision_note",
        ]


class TargetActualSerializer(_FiledSerializer):
    plan = serializers.IntegerField(source="target.version.plan_id", read_only=True)
    phase = serializers.IntegerField(source="target.version.plan.phase.number", read_only=True)
    category = serializers.CharField(source="target.category.code", read_only=True)
    metric = serializers.CharField(source="target.metric", read_only=True)
    unit = serializers.CharField(source="target.unit", read_only=True)
    note = serializers.CharField(source="reason", read_only=True)

    class Meta:
        model = TargetActual
        fields = [
            "id",
            "port",
            "plan",
            "phase",
            "category",
            "target",
            "metric",
            "unit",
            "year",
            "actual_value",
            "note",
            *_FiledSerializer.TAIL,
            "decision_note",
        ]


def _documents_field(help_text: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=20,
        help_text=help_text,
    )


class _FilingSerializer(serializers.Serializer):
    api_names: dict[str, str] = {}  # the service's name → this request's

    def service_fields(self) -> dict[str, Any]:
        """The request as the service takes it: the text as ``reason`` (named
        ``api_names["reason"]`` here when the API calls it otherwise), the PDFs as
        ``uploads``, every other field under its own name."""
        data = dict(self.validated_data)
        text = data.pop(self.api_names.get("reason", "reason"))
        return {"reason": text, "uploads": data.pop("documents"), **data}


class ExtensionRequestFileSerializer(_FilingSerializer):
    """Ask to move a due date (multipart/form-data to attach PDF documents)."""

    requested_due_date = serializers.DateField(help_text=_("The new Pacific due date asked for."))
    reason = serializers.CharField(max_length=5000, help_text=_("Why the port needs more time."))
    documents = _documents_field(_("Supporting documents, PDF only."))


class FlexibilityClaimFileSerializer(_FilingSerializer):
    """Claim a missed deadline was outside the port's control (multipart for PDFs)."""

    reason = serializers.CharField(
        max_length=5000, help_text=_("What outside the port's control caused the miss.")
    )
    documents = _documents_field(_("Evidence, PDF only."))


class CompletionReportFileSerializer(_FilingSerializer):
    """Report a milestone complete (JSON, or multipart to attach PDF evidence)."""

    completed_on = serializers.DateField(
        help_text=_("The Pacific date it was completed; not in the future.")
    )
    note = serializers.CharField(max_length=5000, help_text=_("What was completed."))
    documents = _documents_field(_("Evidence, PDF only (the report itself for an annual report)."))
    api_names = {"reason": "note"}


class TargetActualFileSerializer(_FilingSerializer):
    """Report the actual reached for a target of your port's approved plan in one year."""

    year = serializers.IntegerField(help_text=_("The calendar year; not a future year."))
    actual_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=_("In the target's unit; zero or more.")
    )
    note = serializers.CharField(max_length=5000, help_text=_("How the actual was counted."))
    documents = _documents_field(_("Evidence, PDF only."))
    api_names = {"reason": "note"}


def _note(help_text: Any) -> serializers.CharField:
    return serializers.CharField(
        max_length=5000, required=False, default="", allow_blank=True, help_text=help_text
    )


class _DecisionSerializer(serializers.Serializer):
    accepting: str  # the ``decision`` that accepts the request
    api_names: dict[str, str] = {}  # the service's name → this request's

    def service_fields(self) -> dict[str, Any]:
        """AQMD's decision as the service takes it: ``accept``, the text as ``note`` (named
        ``api_names["note"]`` here when the API calls it otherwise), every other field under
        its own name."""
        data = dict(self.validated_data)
        accept = data.pop("decision") == self.accepting
        return {"accept": accept, "note": data.pop(self.api_names.get("note", "note")), **data}


class ExtensionDecisionSerializer(_DecisionSerializer):
    decision = serializers.ChoiceField(choices=["grant", "refuse"])
    note = _note(_("Required to refuse."))
    accepting = "grant"


class FlexibilityDecisionSerializer(_DecisionSerializer):
    decision = serializers.ChoiceField(choices=["accept", "reject"])
    note = _note(_("Required to reject."))
    new_due_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Accepting: a new due date instead of excusing the milestone."),
    )
    accepting = "accept"


class CompletionDecisionSerializer(_DecisionSerializer):
    decision = serializers.ChoiceField(choices=["accepted", "rejected"])
    reason = _note(_("Required to reject."))
    accepting = "accepted"
    api_names = {"note": "reason"}


class FundEntrySerializer(serializers.ModelSerializer):
    port = port_code(allow_null=True)

    class Meta:
        model = FundEntry
        fields = [
            "id",
            "kind",
            "occurred_on",
            "amount",
            "balance_after",
            "port",
            "penalty",
            "project_name",
            "community",
            "description",
            "entered_at",
        ]


class DisbursementSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), help_text=_("USD.")
    )
    occurred_on = serializers.DateField(help_text=_("The Pacific date it was paid out."))
    project_name = serializers.CharField(max_length=200)
    community = serializers.CharField(
        max_length=100, help_text=_("For example Wilmington, San Pedro or West Long Beach.")
    )
    description = serializers.CharField(
        max_length=5000, required=False, default="", allow_blank=True
    )


class FundYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    received = _money()
    disbursed = _money()


class FundPortYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    received = _money()


class FundPortSerializer(serializers.Serializer):
    port = serializers.CharField()
    received = _money()
    by_year = FundPortYearSerializer(many=True)


class FundTotalsSerializer(serializers.Serializer):
    """The fund's balance, and receipts and disbursements by year and by port."""

    balance = _money()
    receipts = _money()
    disbursements = _money()
    by_year = FundYearSerializer(many=True, read_only=True)
    by_port = FundPortSerializer(many=True, read_only=True)

    @staticmethod
    def shape(totals: Any) -> dict[str, Any]:
        """The selector's :class:`~penalties.selectors.FundTotals` as this serializer reads it."""
        return {
            "balance": totals.balance,
            "receipts": totals.receipts,
            "disbursements": totals.disbursements,
            "by_year": [{"year": y, "received": r, "disbursed": d} for y, r, d in totals.by_year],
            "by_port": [
                {
                    "port": party.code,
                    "received": total,
                    "by_year": [{"year": y, "received": r} for y, r in per_year],
                }
                for party, per_year, total in totals.by_port
            ],
        }
