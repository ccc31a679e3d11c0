"""Cost recovery: invoices per port per period, payments, balances, and who sees what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from core.errors import Conflict, Forbidden, ServiceError
from core.models import OutboxMessage
from cost_recovery.models import Invoice, InvoiceStatus
from cost_recovery.selectors import balances_by_port, invoices_visible_to
from cost_recovery.services import invoice_issue, invoice_void, payment_record
from tests.clients import api_as

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
PAID_ON = dt.date(2026, 8, 1)


def issue(party, actor, amount: str = "10000.00", **kwargs) -> Invoice:
    values = {
        "period_start": START,
        "period_end": END,
        "amount": Decimal(amount),
        "due_on": dt.date(2026, 8, 31),
        "issued_on": dt.date(2026, 7, 15),
        **kwargs,
    }
    return invoice_issue(party=party, actor=actor, **values)


def test_issuing_an_invoice_numbers_it_audits_it_and_mails_the_ports_staff(
    pola, administrator, pola_staff, polb_staff
):
    invoice = issue(pola, administrator)
    assert invoice.number == f"CR-{invoice.pk:06d}"
    assert AuditEvent.objects.filter(action="cost_recovery_invoice.issued").count() == 1
    recipients = set(OutboxMessage.objects.values_list("recipient_id", flat=True))
    assert recipients == {pola_staff.pk}


def test_the_balance_is_the_amount_less_the_payments_and_full_payment_marks_it_paid(
    pola, administrator
):
    invoice = issue(pola, administrator)
    payment_record(
        invoice=invoice, amount=Decimal("2500.00"), received_on=PAID_ON, actor=administrator
    )
    row: Any = invoices_visible_to(administrator).get(pk=invoice.pk)
    assert (row.paid, row.balance, row.status) == (
        Decimal("2500.00"),
        Decimal("7500.00"),
        InvoiceStatus.ISSUED,
    )
    payment_record(
        invoice=invoice, amount=Decimal("7500.00"), received_on=PAID_ON, actor=administrator
    )
    row = invoices_visible_to(administrator).get(pk=invoice.pk)
    assert row.balance == Decimal("0.00") and row.status == InvoiceStatus.PAID
    assert AuditEvent.objects.filter(action="cost_recovery_invoice.paid").count() == 1


def test_a_payment_over_the_balance_is_refused_and_nothing_is_recorded(pola, administrator):
    invoice = issue(pola, administrator)
    with pytest.raises(ServiceError) as refused:
        payment_record(
            invoice=invoice, amount=Decimal("10000.01"), received_on=PAID_ON, actor=administrator
        )
    assert "amount" in refused.value.fields
    assert not invoice.payments.exists()


def test_no_payment_on_a_paid_invoice(pola, administrator):
    invoice = issue(pola, administrator, amount="100.00")
    payment_record(
        invoice=invoice, amount=Decimal("100.00"), received_on=PAID_ON, actor=administrator
    )
    with pytest.raises(Conflict):
        payment_record(
            invoice=invoice, amount=Decimal("1.00"), received_on=PAID_ON, actor=administrator
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": Decimal("0.00")}, "amount"),
        ({"amount": Decimal("-5.00")}, "amount"),
        ({"period_end": dt.date(2025, 12, 31)}, "period_end"),
        ({"due_on": dt.date(2026, 7, 1)}, "due_on"),
    ],
)
def test_bad_invoices_are_refused_with_the_field_named(pola, administrator, changes, field):
    with pytest.raises(ServiceError) as refused:
        issue(pola, administrator, **{"amount": Decimal("10.00"), **changes})
    assert field in refused.value.fields
    assert not Invoice.objects.exists()


def test_the_database_refuses_a_payment_beyond_the_amount(pola, administrator):
    invoice = issue(pola, administrator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(amount_paid=Decimal("10000.01"))


def test_one_invoice_per_port_per_period_unless_voided(pola, polb, administrator):
    first = issue(pola, administrator)
    with pytest.raises(Conflict):
        issue(pola, administrator)
    issue(polb, administrator)  # the other port, same period
    invoice_void(invoice=first, reason="Wrong amount.", actor=administrator)
    assert issue(pola, administrator, amount="9000.00").status == InvoiceStatus.ISSUED


def test_an_overlapping_period_is_refused_and_names_the_invoice_it_overlaps(
    pola, polb, administrator
):
    first = issue(pola, administrator)  # 2026-01-01 to 2026-06-30
    with pytest.raises(Conflict, match=first.number) as refused:
        issue(
            pola, administrator, period_start=dt.date(2026, 6, 1), period_end=dt.date(2026, 12, 31)
        )
    assert "period_start" in refused.value.fields
    issue(polb, administrator, period_start=dt.date(2026, 6, 1), period_end=dt.date(2026, 12, 31))
    # The next period, from the day after, is its own.
    issue(pola, administrator, period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 12, 31))
    assert Invoice.objects.filter(party=pola).count() == 2


def test_invoices_go_to_ports_only(agreement, administrator):
    from agreement.models import Party

    with pytest.raises(ServiceError):
        issue(Party.objects.get(code="AQMD"), administrator)


def test_only_administrators_issue_and_record(pola, administrator, reviewer, pola_staff):
    with pytest.raises(Forbidden):
        issue(pola, reviewer)
    invoice = issue(pola, administrator)
    with pytest.raises(Forbidden):
        payment_record(
            invoice=invoice, amount=Decimal("1.00"), received_on=PAID_ON, actor=pola_staff
        )


def test_balances_by_port_leave_out_void_invoices(pola, polb, administrator):
    issue(pola, administrator)
    wrong = issue(polb, administrator, amount="500.00")
    invoice_void(invoice=wrong, reason="Issued in error.", actor=administrator)
    issue(
        polb,
        administrator,
        amount="3000.00",
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 7, 31),
    )
    payment_record(
        invoice=Invoice.objects.get(party=pola),
        amount=Decimal("4000.00"),
        received_on=PAID_ON,
        actor=administrator,
    )
    balances = {b.code: (b.invoiced, b.paid, b.balance) for b in balances_by_port(all_ports=True)}
    assert balances == {
        "POLA": (Decimal("10000.00"), Decimal("4000.00"), Decimal("6000.00")),
        "POLB": (Decimal("3000.00"), Decimal("0.00"), Decimal("3000.00")),
    }


API = "/api/v1/cost-recovery-invoices/"


def test_port_staff_see_only_their_own_ports_invoices(
    pola, polb, administrator, pola_staff, board_member, reviewer
):
    mine = issue(pola, administrator)
    theirs = issue(polb, administrator)
    body = api_as(pola_staff).get(API).json()
    assert {r["id"] for r in body["results"]} == {mine.pk}
    assert api_as(pola_staff).get(f"{API}{theirs.pk}/").status_code == 404
    for reader in (board_member, reviewer, administrator):
        assert {r["id"] for r in api_as(reader).get(API).json()["results"]} == {mine.pk, theirs.pk}
    assert api_as(None).get(API).status_code == 401


def test_a_port_cannot_see_another_ports_invoice_page(
    client, pola, polb, administrator, pola_staff
):
    theirs = issue(polb, administrator)
    client.force_login(pola_staff)
    assert client.get(reverse("cost-recovery:invoice", args=[theirs.pk])).status_code == 404
    assert theirs.number not in client.get(reverse("cost-recovery:list")).text


@pytest.mark.parametrize(
    ("role", "expected"),
    [("pola_staff", 403), ("reviewer", 403), ("board_member", 403), ("administrator", 201)],
)
def test_only_administrators_issue_through_the_api(agreement, request, role, expected):
    response = api_as(request.getfixturevalue(role)).post(
        API,
        {
            "port": "POLA",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "amount": "10000.00",
            "due_on": "2099-01-31",
        },
        format="json",
    )
    assert response.status_code == expected, response.content
    if expected == 201:
        assert response.json()["balance"] == "10000.00"


def test_the_api_records_a_payment_and_refuses_an_overpayment(pola, administrator):
    invoice = issue(pola, administrator)
    client = api_as(administrator)
    url = f"{API}{invoice.pk}/payments/"
    over = client.post(url, {"amount": "20000.00", "received_on": "2026-08-01"}, format="json")
    assert over.status_code == 400 and "amount" in over.json()["error"]["fields"]
    paid = client.post(url, {"amount": "2000.00", "received_on": "2026-08-01"}, format="json")
    assert paid.status_code == 201 and paid.json()["balance"] == "8000.00"


def test_the_administrator_issues_and_records_a_payment_on_the_pages(
    client, agreement, administrator
):
    client.force_login(administrator)
    response = client.post(
        reverse("cost-recovery:list"),
        {
            "port": "POLB",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "amount": "1500.00",
            "due_on": "2099-01-31",
        },
    )
    invoice = Invoice.objects.get()
    assert response.status_code == 302
    page = reverse("cost-recovery:invoice", args=[invoice.pk])
    assert "Void the invoice" in client.get(page).text  # nothing paid yet
    pay = {"action": "pay", "pay-received_on": "2026-08-01"}
    bad = client.post(page, {**pay, "pay-amount": "1500.01"})
    assert bad.status_code == 200 and "more than the balance" in bad.text
    assert client.post(page, {**pay, "pay-amount": "1500.00"}).status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert "Void the invoice" not in client.get(page).text


def test_the_administrator_voids_an_invoice_on_its_page_with_a_reason(
    client, pola, administrator, pola_staff
):
    invoice = issue(pola, administrator)
    page = reverse("cost-recovery:invoice", args=[invoice.pk])
    staff = Client()
    staff.force_login(pola_staff)
    assert "Void the invoice" not in staff.get(page).text
    assert staff.post(page, {"action": "void", "void-reason": "No."}).status_code == 403
    assert staff.post(page, {"action": "void", "void-reason": ""}).status_code == 403
    client.force_login(administrator)
    missing = client.post(page, {"action": "void", "void-reason": ""})
    assert missing.status_code == 200 and "This field is required." in missing.text
    done = client.post(page, {"action": "void", "void-reason": "Issued twice."})
    assert done.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID and invoice.void_reason == "Issued twice."
    assert AuditEvent.objects.filter(object_id=str(invoice.pk), action__contains="void").exists()
    assert "Void the invoice" not in client.get(page).text


def test_the_demo_seeds_one_illustrative_invoice_per_port(agreement):
    from accounts.demo import seed_demo_users
    from cost_recovery.demo import seed_cost_recovery_demo

    seed_demo_users()
    seed_cost_recovery_demo()
    seed_cost_recovery_demo()
    invoices = Invoice.objects.all()
    assert sorted(i.party.code for i in invoices) == ["POLA", "POLB"]
    assert all(i.is_illustrative and "Illustrative" in i.description for i in invoices)


def test_balances_as_recorded_by_a_cut_off_leave_out_later_payments_and_voids(
    pola, polb, administrator
):
    """For the annual report: what was invoiced and paid as the record stood at its cut-off."""
    import time_machine

    from cost_recovery.selectors import balances_at

    from ..penalties.conftest import pacific

    with time_machine.travel(pacific(2027, 1, 10), tick=False):
        invoice = issue(pola, administrator, amount="8000.00")
        payment_record(
            invoice=invoice, amount=Decimal("3000.00"), received_on=PAID_ON, actor=administrator
        )
        wrong = issue(polb, administrator, amount="700.00")
    with time_machine.travel(pacific(2027, 6, 1), tick=False):  # after the cut-off
        payment_record(
            invoice=invoice, amount=Decimal("1000.00"), received_on=PAID_ON, actor=administrator
        )
        invoice_void(invoice=wrong, reason="Issued in error.", actor=administrator)
    at_cutoff = balances_at(parties=[pola, polb], cutoff=pacific(2027, 3, 1))
    assert (at_cutoff[pola.pk].invoiced, at_cutoff[pola.pk].paid) == (
        Decimal("8000.00"),
        Decimal("3000.00"),
    )
    assert at_cutoff[pola.pk].balance == Decimal("5000.00")
    # Voided after the cut-off: still owed as the record stood then.
    assert at_cutoff[polb.pk].invoiced == Decimal("700.00")
    now = balances_at(parties=[pola, polb], cutoff=pacific(2027, 7, 1))
    assert now[pola.pk].paid == Decimal("4000.00") and now[polb.pk].invoiced == Decimal("0.00")


def test_the_api_voids_an_unpaid_invoice_with_a_reason_and_refuses_a_partly_paid_one(
    pola, polb, administrator, pola_staff
):
    wrong = issue(pola, administrator)
    url = f"{API}{wrong.pk}/void/"
    assert api_as(pola_staff).post(url, {"reason": "x"}, format="json").status_code == 403
    voided = api_as(administrator).post(url, {"reason": "Wrong amount."}, format="json")
    assert voided.status_code == 200 and voided.json()["status"] == "void"
    assert AuditEvent.objects.filter(action="cost_recovery_invoice.void").exists()
    # Voided, the period may be invoiced again.
    assert issue(pola, administrator, amount="9000.00").status == InvoiceStatus.ISSUED
    partly = issue(polb, administrator)
    api_as(administrator).post(
        f"{API}{partly.pk}/payments/",
        {"amount": "10.00", "received_on": "2026-08-01"},
        format="json",
    )
    refused = api_as(administrator).post(f"{API}{partly.pk}/void/", {"reason": "x"}, format="json")
    assert refused.status_code == 409


def test_voiding_an_invoice_paid_meanwhile_says_why_instead_of_a_silent_page(
    client, pola, administrator
):
    invoice = issue(pola, administrator)
    page = reverse("cost-recovery:invoice", args=[invoice.pk])
    client.force_login(administrator)
    assert "Void the invoice" in client.get(page).text
    # another administrator records a part payment before this one's void arrives
    payment_record(
        invoice=invoice, amount=Decimal("10.00"), received_on=PAID_ON, actor=administrator
    )
    answer = client.post(page, {"action": "void", "void-reason": "Issued twice."}, follow=True)
    assert answer.status_code == 200
    assert [str(m) for m in answer.context["messages"]] != []
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED
