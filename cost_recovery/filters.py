from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import StableOrderingFilter

from .models import Invoice, InvoiceStatus


class InvoiceFilter(django_filters.FilterSet):
    port = django_filters.CharFilter(
        field_name="party__code", lookup_expr="iexact", label=_("Port (code, e.g. POLA)")
    )
    status = django_filters.ChoiceFilter(choices=InvoiceStatus.choices, label=_("Status"))
    ordering = StableOrderingFilter(
        fields={
            "period_end": "period_end",
            "due_on": "due_on",
            "amount": "amount",
            "party__code": "port",
            "id": "id",
        },
        label=_("Order by"),
    )

    class Meta:
        model = Invoice
        fields = ["port", "status"]
