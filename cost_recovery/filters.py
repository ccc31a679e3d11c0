from __future__ import annotations

import django_filters

from core.filters import StableOrderingFilter, port_filter, status_filter

from .models import Invoice, InvoiceStatus


class InvoiceFilter(django_filters.FilterSet):
    port = port_filter()
    status = status_filter(InvoiceStatus.choices)
    ordering = StableOrderingFilter(
        fields={
            "period_end": "period_end",
            "due_on": "due_on",
            "amount": "amount",
            "party__code": "port",
            "id": "id",
        },
    )

    class Meta:
        model = Invoice
        fields = ["port", "status"]
