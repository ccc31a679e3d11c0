"""The new list endpoints and pages make as many queries for many rows as for a few."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreement.amendments import amendment_propose
from agreement.models import Party
from cost_recovery.models import Invoice
from cost_recovery.services import invoice_issue, payment_record
from tests.clients import api_as
from tests.factories import MilestoneFactory

pytestmark = pytest.mark.django_db


def _count(fetch) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = fetch()
    assert response.status_code == 200
    return len(queries.captured_queries)


def _invoices(n: int, offset: int, admin) -> None:
    ports = list(Party.objects.ports())
    for i in range(offset, offset + n):
        start = dt.date(2026, 1, 1) + dt.timedelta(days=i)
        invoice = invoice_issue(
            party=ports[i % 2],
            period_start=start,
            period_end=start,
            amount=Decimal("100.00"),
            due_on=dt.date(2099, 1, 1),
            actor=admin,
        )
        payment_record(
            invoice=invoice, amount=Decimal("10.00"), received_on=dt.date(2026, 8, 1), actor=admin
        )


def test_the_cost_recovery_list_endpoint_and_page_do_not_grow_with_invoices(
    client, agreement, administrator, board_member
):
    _invoices(2, 0, administrator)
    api = api_as(board_member)
    client.force_login(board_member)
    few_api = _count(lambda: api.get("/api/v1/cost-recovery-invoices/"))
    few_page = _count(lambda: client.get(reverse("cost-recovery:list")))
    _invoices(10, 2, administrator)
    assert Invoice.objects.count() == 12
    assert _count(lambda: api.get("/api/v1/cost-recovery-invoices/")) == few_api
    assert _count(lambda: client.get(reverse("cost-recovery:list"))) == few_page


def test_the_amendments_list_does_not_grow_with_amendments(agreement, pola, administrator):
    def add(n: int) -> None:
        aqmd = Party.objects.get(code="AQMD")
        for _ in range(n):
            milestone = MilestoneFactory.create(party=pola)
            amendment_propose(
                milestone=milestone,
                new_due_date=dt.date(2027, 9, 30),
                reason="Amended.",
                actor=administrator,
                approvals={aqmd: dt.date(2026, 1, 9)},
            )

    api = api_as(administrator)
    add(2)
    few = _count(lambda: api.get("/api/v1/due-date-amendments/"))
    add(8)
    assert _count(lambda: api.get("/api/v1/due-date-amendments/")) == few
