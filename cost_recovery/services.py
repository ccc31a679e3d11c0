"""Writes of cost recovery: AQMD administrators issue invoices and record payments.

Each is atomic, permission-checked and audited; issuing an invoice mails the port's staff
through the outbox.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from agreement import deadlines
from agreement.models import Party, PartyKind
from audit.services import audit_record, snapshot
from core.errors import Conflict, ServiceError
from core.outbox import Mail, absolute_url, mail_language, outbox_put, port_staff
from core.workflow import lock, required_reason, transition

from .models import ZERO, Invoice, InvoiceStatus, Payment

CENT = Decimal("0.01")


def _money(value: Decimal, field: str) -> Decimal:
    if value is None or value <= ZERO:
        raise ServiceError(
            _("The amount must be more than zero."), fields={field: _("More than $0.00.")}
        )
    if value != value.quantize(CENT):
        raise ServiceError(
            _("Amounts are in dollars and cents."), fields={field: _("At most two decimals.")}
        )
    return value


@transaction.atomic
def invoice_issue(
    *,
    party: Party,
    period_start: dt.date,
    period_end: dt.date,
    amount: Decimal,
    due_on: dt.date,
    actor: Any,
    description: str = "",
    issued_on: dt.date | None = None,
    is_illustrative: bool = False,
    now: dt.datetime | None = None,
) -> Invoice:
    """Bill a port for AQMD's staff costs over one period; mails the port's staff."""
    policy.require(actor, policy.Action.COST_RECOVERY_MANAGE)
    now = now or timezone.now()
    issued_on = issued_on or deadlines.pacific_today(now)
    if party.kind != PartyKind.PORT:
        raise ServiceError(_("Invoices are issued to a port."), fields={"party": _("A port.")})
    amount = _money(amount, "amount")
    if period_end < period_start:
        raise ServiceError(
            _("The period ends before it starts."),
            fields={"period_end": _("On or after the start of the period.")},
        )
    if due_on < issued_on:
        raise ServiceError(
            _("The invoice cannot be due before it is issued."),
            fields={"due_on": _("On or after the issue date.")},
        )
    # The port's row is locked first, so that of two invoices issued at once the second sees
    # the first; a period is billed once (a voided invoice bills nothing).
    lock(party)
    clash = (
        Invoice.objects.filter(
            party=party, period_start__lte=period_end, period_end__gte=period_start
        )
        .exclude(status=InvoiceStatus.VOID)
        .order_by("period_start")
        .first()
    )
    if clash is not None:
        raise Conflict(
            _(
                "%(port)s already has invoice %(number)s for %(start)s to %(end)s, which "
                "overlaps this period. Void it first to bill the period again."
            )
            % {
                "port": party.name,
                "number": clash.number,
                "start": clash.period_start.isoformat(),
                "end": clash.period_end.isoformat(),
            },
            fields={"period_start": _("Overlaps an invoice already issued.")},
        )
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                party=party,
                number=uuid.uuid4().hex[:40],
                period_start=period_start,
                period_end=period_end,
                amount=amount,
                issued_on=issued_on,
                due_on=due_on,
                description=(description or "").strip(),
                is_illustrative=is_illustrative,
                issued_by=actor,
                issued_at=now,
            )
    except IntegrityError as exc:  # a concurrent invoice for the same period
        raise Conflict(
            _("%(port)s already has an invoice for this period.") % {"port": party.name}
        ) from exc
    invoice.number = f"CR-{invoice.pk:06d}"
    invoice.save(update_fields=["number"])
    audit_record(
        actor=actor, action="cost_recovery_invoice.issued", obj=invoice, after=snapshot(invoice)
    )
    with mail_language():
        outbox_put(
            Mail(
                event_key=f"cost_recovery_invoice.{invoice.pk}.issued",
                recipients=port_staff(party.pk),
                subject=_("Cost recovery invoice %(number)s") % {"number": invoice.number},
                body=_(
                    "South Coast AQMD issued invoice %(number)s for its staff costs from "
                    "%(start)s to %(end)s: $%(amount)s, due %(due)s.\n%(url)s\n"
                )
                % {
                    "number": invoice.number,
                    "start": period_start.isoformat(),
                    "end": period_end.isoformat(),
                    "amount": f"{amount:,.2f}",
                    "due": due_on.isoformat(),
                    "url": absolute_url(reverse("cost-recovery:invoice", args=[invoice.pk])),
                },
            )
        )
    return invoice


@transaction.atomic
def payment_record(
    *,
    invoice: Invoice,
    amount: Decimal,
    received_on: dt.date,
    actor: Any,
    reference: str = "",
    now: dt.datetime | None = None,
) -> Payment:
    """Record a port's payment; the invoice is paid when nothing remains.  A payment larger
    than the balance is refused; so is one on a paid or void invoice (409)."""
    policy.require(actor, policy.Action.COST_RECOVERY_MANAGE, invoice)
    now = now or timezone.now()
    amount = _money(amount, "amount")
    if received_on > deadlines.pacific_today(now):
        raise ServiceError(
            _("A payment cannot be received in the future."),
            fields={"received_on": _("Today or earlier.")},
        )
    locked = lock(invoice)
    if locked.status != InvoiceStatus.ISSUED:
        raise Conflict(
            _("Invoice %(number)s is %(status)s: no payment can be recorded.")
            % {"number": locked.number, "status": locked.get_status_display().lower()}
        )
    balance = locked.amount - locked.amount_paid
    if amount > balance:
        raise ServiceError(
            _("The payment is more than the balance of $%(balance)s.")
            % {"balance": f"{balance:,.2f}"},
            fields={"amount": _("At most the balance.")},
        )
    payment = Payment.objects.create(
        invoice=locked,
        amount=amount,
        received_on=received_on,
        reference=(reference or "").strip(),
        recorded_by=actor,
        recorded_at=now,
    )
    paid = locked.amount_paid + amount
    audit_record(
        actor=actor,
        action="cost_recovery_invoice.payment_recorded",
        obj=locked,
        before={"amount_paid": str(locked.amount_paid)},
        after={"amount_paid": str(paid), "payment": payment.pk, "amount": str(amount)},
    )
    if paid == locked.amount:
        transition(
            locked, InvoiceStatus.PAID, actor=actor, changes={"amount_paid": paid}, locked=True
        )
    else:
        locked.amount_paid = paid
        locked.save(update_fields=["amount_paid"])
    invoice.amount_paid, invoice.status = locked.amount_paid, locked.status
    return payment


@transaction.atomic
def invoice_void(*, invoice: Invoice, reason: str, actor: Any) -> Invoice:
    """Void an invoice issued in error (none of it paid); it stays on record."""
    policy.require(actor, policy.Action.COST_RECOVERY_MANAGE, invoice)
    reason = required_reason(reason, missing=_("Say why the invoice is voided."))
    locked = lock(invoice)
    if locked.status == InvoiceStatus.ISSUED and not locked.voidable:
        raise Conflict(_("Part of this invoice is paid: it cannot be voided."))
    return transition(
        locked,
        InvoiceStatus.VOID,
        actor=actor,
        changes={"void_reason": reason, "voided_at": timezone.now()},
        note=reason,
        locked=True,
    ).obj
