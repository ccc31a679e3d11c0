"""Reads of cost recovery: invoices with their balances, scoped by the policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts import policy

from .models import ZERO, Invoice, InvoiceStatus, Payment

MONEY = DecimalField(max_digits=12, decimal_places=2)


def _paid() -> Coalesce:
    total = (
        Payment.objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def with_balances(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Each invoice with ``paid`` (the sum of its payments) and ``balance`` (amount minus paid)."""
    return queryset.annotate(paid=_paid()).annotate(balance=F("amount") - F("paid"))


def invoices_visible_to(user: Any) -> QuerySet[Invoice]:
    """AQMD and the board see every invoice, port staff their own port's, the public none."""
    return with_balances(
        policy.visible(
            user,
            policy.Action.COST_RECOVERY_VIEW,
            Invoice.objects.select_related("party", "issued_by").prefetch_related(
                Prefetch("payments", queryset=Payment.objects.select_related("recorded_by"))
            ),
        )
    ).order_by("-period_end", "party__code", "id")


@dataclass(frozen=True)
class PortBalance:
    code: str
    name: str
    invoiced: Decimal
    paid: Decimal

    @property
    def balance(self) -> Decimal:
        return self.invoiced - self.paid


def balances_by_port(user: Any = None, *, all_ports: bool = False) -> list[PortBalance]:
    """Per port: invoiced (void invoices left out), paid and the balance outstanding.

    ``all_ports`` reads every port (the board's report); otherwise what ``user`` may see.
    """
    base = Invoice.objects.all() if all_ports else invoices_visible_to(user)
    rows = (
        with_balances(base.exclude(status=InvoiceStatus.VOID).order_by())
        .values("party__code", "party__name")
        .annotate(invoiced=Sum("amount"), paid_total=Sum("paid"))
        .order_by("party__code")
    )
    return [
        PortBalance(
            code=r["party__code"],
            name=r["party__name"],
            invoiced=r["invoiced"] or ZERO,
            paid=r["paid_total"] or ZERO,
        )
        for r in rows
    ]


def balances_at(*, parties: list[Any], cutoff: dt.datetime) -> dict[int, PortBalance]:
    """For the annual report: per port (by id) what was invoiced and paid as recorded by the
    cut-off (invoices issued by then and not voided by then, payments recorded by then).
    One query."""
    paid = (
        Payment.objects.filter(invoice=OuterRef("pk"), recorded_at__lte=cutoff)
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    rows = (
        Invoice.objects.filter(party__in=parties, issued_at__lte=cutoff)
        .exclude(voided_at__lte=cutoff)
        .annotate(
            paid_by_cutoff=Coalesce(
                Subquery(paid, output_field=MONEY), Value(ZERO), output_field=MONEY
            )
        )
        .order_by()
        .values("party_id")
        .annotate(invoiced=Sum("amount"), paid_total=Sum("paid_by_cutoff"))
    )
    totals = {r["party_id"]: (r["invoiced"], r["paid_total"]) for r in rows}
    return {
        p.pk: PortBalance(
            code=p.code,
            name=p.name,
            invoiced=totals.get(p.pk, (ZERO, ZERO))[0] or ZERO,
            paid=totals.get(p.pk, (ZERO, ZERO))[1] or ZERO,
        )
        for p in parties
    }
