from __future__ import annotations

from django.contrib import admin

from core.admin_site import AuditedInline, ImmutableRecordAdmin, ImmutableRecordMixin

from .models import Invoice, Payment


class PaymentInline(ImmutableRecordMixin, AuditedInline):
    model = Payment
    readonly_fields = ["amount", "received_on", "reference", "recorded_by", "recorded_at"]


@admin.register(Invoice)
class InvoiceAdmin(ImmutableRecordAdmin):
    """Issued, paid and voided through the cost recovery pages and API (audited)."""

    list_display = ["number", "party", "period_start", "period_end", "amount", "status"]
    list_filter = ["party", "status", "is_illustrative"]
    list_select_related = ["party"]
    inlines = [PaymentInline]
