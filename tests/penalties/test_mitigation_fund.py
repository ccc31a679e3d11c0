"""The Clean Air Mitigation Fund: receipts in, disbursements out, never below zero."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from core.errors import Forbidden, ServiceError
from penalties.models import FundEntry, FundEntryKind, MitigationFund
from penalties.selectors import fund_totals
from penalties.services import fund_disburse, penalty_mark_notice_sent, penalty_record_payment

from .conftest import pacific
from .helpers import recorded_default

NOW = pacific(2028, 6, 1, 10)


def _pay(default, administrator, paid_at):
    penalty_mark_notice_sent(penalty=default.penalty, now=paid_at)
    penalty_record_payment(
        penalty=default.penalty, paid_at=paid_at, reference=f"P-{default.pk}", actor=administrator
    )


def _disburse(administrator, amount: str, **kw):
    return fund_disburse(
        amount=Decimal(amount),
        occurred_on=kw.pop("occurred_on", dt.date(2028, 2, 1)),
        project_name=kw.pop("project_name", "Wilmington school air filters"),
        community=kw.pop("community", "Wilmington"),
        actor=administrator,
        **kw,
    )


@time_machine.travel(NOW, tick=False)
def test_disbursements_are_refused_beyond_the_balance(pola, administrator):
    _pay(recorded_default(pola), administrator, pacific(2027, 2, 1, 9))
    _disburse(administrator, "30000.00")
    with pytest.raises(ServiceError, match="overdraw"):
        _disburse(administrator, "20000.01")
    entry = _disburse(administrator, "20000.00")
    assert entry.balance_after == Decimal("0.00")
    assert MitigationFund.objects.get().balance == Decimal("0.00")
    assert FundEntry.objects.filter(kind=FundEntryKind.DISBURSEMENT).count() == 2


@time_machine.travel(NOW, tick=False)
def test_a_disbursement_names_the_project_and_community_and_is_positive(administrator, agreement):
    with pytest.raises(ServiceError, match="Name the project"):
        _disburse(administrator, "1.00", project_name=" ")
    with pytest.raises(ServiceError, match="Name the project"):
        _disburse(administrator, "1.00", community="")
    with pytest.raises(ServiceError, match="greater than zero"):
        _disburse(administrator, "0.00")


@time_machine.travel(NOW, tick=False)
def test_only_an_administrator_disburses(reviewer, pola_staff, board_member):
    for actor in (reviewer, pola_staff, board_member, None):
        with pytest.raises(Forbidden):
            _disburse(actor, "1.00")


def test_the_database_refuses_a_negative_balance(agreement):
    MitigationFund.objects.get_or_create(pk=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        MitigationFund.objects.filter(pk=1).update(balance=Decimal("-0.01"))


@time_machine.travel(NOW, tick=False)
def test_totals_by_port_and_by_year(pola, polb, administrator):
    _pay(recorded_default(pola, dt.date(2027, 1, 5)), administrator, pacific(2027, 3, 1))
    _pay(recorded_default(pola, dt.date(2027, 1, 6)), administrator, pacific(2028, 1, 2))
    _pay(recorded_default(polb, dt.date(2027, 1, 7)), administrator, pacific(2027, 12, 31, 23))
    _disburse(administrator, "25000.00", occurred_on=dt.date(2028, 3, 1), community="San Pedro")
    totals = fund_totals()
    assert totals.receipts == Decimal("200000.00")  # 50k + 100k (POLA 2nd) + 50k
    assert totals.disbursements == Decimal("25000.00")
    assert totals.balance == Decimal("175000.00")
    assert totals.by_year == [
        (2027, Decimal("100000.00"), Decimal("0.00")),
        (2028, Decimal("100000.00"), Decimal("25000.00")),
    ]
    by_port = {party.code: (years, total) for party, years, total in totals.by_port}
    assert by_port["POLA"] == (
        [(2027, Decimal("50000.00")), (2028, Decimal("100000.00"))],
        Decimal("150000.00"),
    )
    assert by_port["POLB"] == ([(2027, Decimal("50000.00"))], Decimal("50000.00"))


@pytest.mark.django_db(transaction=True)
def test_concurrent_disbursements_never_overdraw_the_fund(pola, administrator):
    """Five administrators disburse $20,000 at once from $50,000: two are refused."""
    with time_machine.travel(NOW, tick=False):
        _pay(recorded_default(pola), administrator, pacific(2027, 2, 1, 9))
    barrier = threading.Barrier(5)
    outcomes: list[str] = []

    def disburse() -> None:
        try:
            barrier.wait(timeout=10)
            _disburse(administrator, "20000.00")
            outcomes.append("ok")
        except ServiceError:
            outcomes.append("refused")
        except BaseException as exc:
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=disburse) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok", "ok", "refused", "refused", "refused"]
    assert MitigationFund.objects.get().balance == Decimal("10000.00")
    balances = list(FundEntry.objects.order_by("id").values_list("balance_after", flat=True))
    assert balances == [Decimal("50000.00"), Decimal("30000.00"), Decimal("10000.00")]
