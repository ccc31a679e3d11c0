"""Illustrative demo data for ``make run``: one cost recovery invoice per port (idempotent).

The amounts are invented for the demo and labelled as such; AQMD's actual cost recovery
figures are not public.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.models import User
from agreement import deadlines
from agreement.models import Party

from .models import Invoice
from .services import invoice_issue, payment_record

LABEL = "Illustrative demo"
DEMO_AMOUNT = Decimal("12500.00")  # invented: not a real figure


def seed_cost_recovery_demo() -> None:
    admin = User.objects.filter(username="aqmd.admin").first()
    if admin is None:
        return
    today = deadlines.pacific_today()
    start = dt.date(today.year, 1, 1) if today.month > 1 else dt.date(today.year - 1, 1, 1)
    end = start.replace(month=12, day=31) if start.year < today.year else today
    for port in Party.objects.ports():
        if Invoice.objects.filter(party=port, is_illustrative=True).exists():
            continue
        invoice = invoice_issue(
            party=port,
            period_start=start,
            period_end=end,
            amount=DEMO_AMOUNT,
            due_on=today + dt.timedelta(days=30),
            description=f"{LABEL}: AQMD staff costs (invented amount, not a real invoice).",
            is_illustrative=True,
            actor=admin,
        )
        if port.code == "POLB":
            payment_record(
                invoice=invoice,
                amount=Decimal("5000.00"),
                received_on=today,
                reference=f"{LABEL} payment",
                actor=admin,
            )
