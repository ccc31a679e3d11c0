"""Cost recovery: AQMD recovers its reasonable staff costs from the ports.

An :class:`Invoice` bills one port for one period; :class:`Payment` rows record what the
port paid.  The balance is computed (:mod:`cost_recovery.selectors`); the database keeps
what was paid within the invoiced amount (``amount_paid``, written only by the payment
service under the invoice's row lock).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import port_fk, status_field, user_fk
from core.workflow import can_move, decided_once, workflow

ZERO = Decimal("0.00")


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    PAID = "paid", _("Paid")
    VOID = "void", _("Void")


class Invoice(models.Model):
    party = port_fk()
    number = models.CharField(_("invoice number"), max_length=40, unique=True)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    amount_paid = models.DecimalField(
        _("amount paid"), max_digits=12, decimal_places=2, default=ZERO, editable=False
    )
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    description = models.TextField(_("description"), blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative"), default=False, help_text=_("Demo data, not a real invoice.")
    )
    status = status_field(InvoiceStatus, default=InvoiceStatus.ISSUED)
    issued_by = user_fk(_("issued by"))
    issued_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.TextField(_("why it was voided"), blank=True)

    class Meta:
        verbose_name = _("cost recovery invoice")
        verbose_name_plural = _("cost recovery invoices")
        ordering = ["-period_end", "party__code", "id"]
        constraints = [
            models.CheckConstraint(name="invoice_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="invoice_paid_within_amount",
                condition=Q(amount_paid__gte=0) & Q(amount_paid__lte=F("amount")),
            ),
            models.CheckConstraint(
                name="invoice_period_in_order", condition=Q(period_end__gte=F("period_start"))
            ),
            models.CheckConstraint(
                name="invoice_due_not_before_issue", condition=Q(due_on__gte=F("issued_on"))
            ),
            models.CheckConstraint(
                name="invoice_paid_status_when_settled",
                condition=~Q(status="paid") | Q(amount_paid=F("amount")),
            ),
            models.CheckConstraint(
                name="invoice_void_has_reason_and_no_payment",
                condition=~Q(status="void") | (~Q(void_reason="") & Q(amount_paid=0)),
            ),
            # Only a voided invoice has the moment it was voided (for as-of reports).
            models.CheckConstraint(
                name="invoice_voided_at_only_when_void",
                condition=Q(status="void") | Q(voided_at__isnull=True),
            ),
            # One invoice per port per period (a voided one may be issued again).
            models.UniqueConstraint(
                fields=["party", "period_start", "period_end"],
                condition=~Q(status="void"),
                name="one_invoice_per_port_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.party_id and self.party.code})"

    @property
    def voidable(self) -> bool:
        """Issued (in error) and none of it paid: it may be voided."""
        return can_move(self, InvoiceStatus.VOID) and not self.amount_paid


INVOICE_WORKFLOW = workflow(
    Invoice,
    states=InvoiceStatus,
    action="cost_recovery_invoice",
    moves=decided_once(InvoiceStatus.ISSUED, InvoiceStatus.PAID, InvoiceStatus.VOID),
    audited_fields=("amount_paid", "voided_at"),
)


class Payment(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    recorded_by = user_fk(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("cost recovery payment")
        verbose_name_plural = _("cost recovery payments")
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(name="payment_amount_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.invoice.number}: {self.amount}"

    @property
    def party_id(self) -> int:
        return self.invoice.party_id
