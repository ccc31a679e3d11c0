"""How cost recovery reads in the API (render only) and what its writes accept."""

from __future__ import annotations

from rest_framework import serializers

from agreement.serializers import port_input
from core.serializers import port_code, username

from .models import Invoice, Payment


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "amount", "received_on", "reference", "recorded_at"]


class InvoiceSerializer(serializers.ModelSerializer):
    port = port_code()
    paid = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    balance = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    issued_by = username()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "port",
            "period_start",
            "period_end",
            "amount",
            "paid",
            "balance",
            "issued_on",
            "due_on",
            "status",
            "description",
            "is_illustrative",
            "issued_by",
            "payments",
        ]


class InvoiceIssueSerializer(serializers.Serializer):
    port = port_input()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    due_on = serializers.DateField()
    description = serializers.CharField(max_length=5000, required=False, default="")


class PaymentRecordSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    received_on = serializers.DateField()
    reference = serializers.CharField(max_length=200, required=False, default="")
