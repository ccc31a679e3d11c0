from __future__ import annotations

import django_filters

from core.filters import StableOrderingFilter, port_filter, status_filter

from .models import InvoiceStatus


class InvoiceFilter(django_filters.FilterSet):
    port = port_filter()
    status = status_filter(InvoiceStatus.choices)
    ordering = StableOrderingFilter(
        fields=["period_end", "due_on", "amount", ("party__code", "port"), "id"],
    )
