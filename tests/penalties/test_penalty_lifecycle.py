"""A penalty goes assessed → notice sent → paid, or is waived (administrator, with a reason)
or withdrawn (accepted flexibility claim); nothing else."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from core.errors import Conflict, Forbidden, ServiceError
from penalties.models import (
    Default,
    FundEntry,
    FundEntryKind,
    MitigationFund,
    Penalty,
    PenaltyStatus,
)
from penalties.services import penalty_mark_notice_sent, penalty_record_payment, penalty_waive

from .conftest import pacific
from .helpers import recorded_default

NOW = pacific(2027, 2, 1, 10)


@pytest.fixture
def penalty(pola) -> Penalty:
    return recorded_default(pola).penalty


@pytest.fixture
def noticed(penalty) -> Penalty:
    penalty_mark_notice_sent(penalty=penalty, now=NOW)
    return penalty


@time_machine.travel(NOW, tick=False)
def test_a_new_penalty_is_assessed_and_in_range(penalty):
    assert penalty.status == PenaltyStatus.ASSESSED
    assert penalty.amount == Decimal("50000.00")


@time_machine.travel(NOW, tick=False)
def test_payment_after_the_notice_marks_it_paid_and_credits_the_fund(noticed, administrator):
    paid_at = pacific(2027, 1, 30, 15)
    penalty_record_payment(
        penalty=noticed, paid_at=paid_at, reference="CHK-1001", actor=administrator
    )
    noticed.refresh_from_db()
    assert noticed.status == PenaltyStatus.PAID
    assert noticed.paid_at == paid_at and noticed.payment_reference == "CHK-1001"
    receipt = FundEntry.objects.get(penalty=noticed)
    assert receipt.kind == FundEntryKind.RECEIPT
    assert receipt.amount == Decimal("50000.00")
    assert receipt.party_id == noticed.party_id
    assert receipt.occurred_on == dt.date(2027, 1, 30)
    assert MitigationFund.objects.get().balance == Decimal("50000.00")
    assert AuditEvent.objects.filter(action="penalty.paid", actor=administrator).count() == 1


@time_machine.travel(NOW, tick=False)
def test_recording_the_same_payment_twice_credits_the_fund_once(noticed, administrator):
    for _ in range(2):
        penalty_record_payment(
            penalty=noticed, paid_at=pacific(2027, 1, 30), reference="W-9", actor=administrator
        )
    assert FundEntry.objects.count() == 1
    assert MitigationFund.objects.get().balance == Decimal("50000.00")


@time_machine.travel(NOW, tick=False)
def test_payment_before_the_notice_is_refused(penalty, administrator):
    with pytest.raises(Conflict, match=r"(?i)cannot become paid"):
        penalty_record_payment(
            penalty=penalty, paid_at=pacific(2027, 1, 30), reference="X", actor=administrator
        )
    assert not FundEntry.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_payment_needs_a_reference_and_a_past_date(noticed, administrator):
    with pytest.raises(ServiceError, match="payment reference"):
        penalty_record_payment(
            penalty=noticed, paid_at=pacific(2027, 1, 30), reference=" ", actor=administrator
        )
    with pytest.raises(ServiceError, match="future"):
        penalty_record_payment(
            penalty=noticed, paid_at=pacific(2027, 3, 1), reference="X", actor=administrator
        )


@time_machine.travel(NOW, tick=False)
def test_only_an_administrator_records_payments_or_waives(noticed, reviewer, pola_staff):
    for actor in (reviewer, pola_staff, None):
        with pytest.raises(Forbidden):
            penalty_record_payment(
                penalty=noticed, paid_at=pacific(2027, 1, 30), reference="X", actor=actor
            )
        with pytest.raises(Forbidden):
            penalty_waive(penalty=noticed, reason="Because", actor=actor)


@time_machine.travel(NOW, tick=False)
def test_a_waiver_needs_a_reason_and_is_final(noticed, administrator):
    with pytest.raises(ServiceError, match="Say why"):
        penalty_waive(penalty=noticed, reason="", actor=administrator)
    penalty_waive(penalty=noticed, reason="Board resolution 27-4", actor=administrator)
    noticed.refresh_from_db()
    assert noticed.status == PenaltyStatus.WAIVED
    assert noticed.waiver_reason == "Board resolution 27-4"
    assert noticed.waived_by == administrator
    with pytest.raises(Conflict, match=r"(?i)waived"):
        penalty_record_payment(
            penalty=noticed, paid_at=pacific(2027, 1, 30), reference="X", actor=administrator
        )


@time_machine.travel(NOW, tick=False)
def test_a_paid_penalty_cannot_be_waived(noticed, administrator):
    penalty_record_payment(
        penalty=noticed, paid_at=pacific(2027, 1, 30), reference="X", actor=administrator
    )
    with pytest.raises(Conflict):
        penalty_waive(penalty=noticed, reason="Too late", actor=administrator)


def test_the_database_refuses_amounts_outside_the_range_and_paid_without_reference(penalty):
    with pytest.raises(IntegrityError), transaction.atomic():
        Penalty.objects.filter(pk=penalty.pk).update(amount=Decimal("200000.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Penalty.objects.filter(pk=penalty.pk).update(status=PenaltyStatus.PAID)
    with pytest.raises(IntegrityError), transaction.atomic():
        Penalty.objects.filter(pk=penalty.pk).update(status=PenaltyStatus.WAIVED)


def test_the_database_refuses_a_second_default_for_a_milestone(pola):
    default = recorded_default(pola)
    with pytest.raises(IntegrityError), transaction.atomic():
        Default.objects.create(
            milestone=default.milestone, party=pola, ordinal=2, due_date=default.due_date
        )
