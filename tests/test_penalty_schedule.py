"""The penalty schedule is data; the database keeps every amount within $50,000..$200,000."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from penalties.models import PenaltySchedule, PenaltyTier


def test_seeded_schedule_escalates_50k_100k_then_200k(agreement):
    schedule = PenaltySchedule.objects.in_force(dt.date(2027, 1, 1))
    assert schedule is not None
    assert schedule.is_provisional
    assert [schedule.amount_for(n) for n in (1, 2, 3, 4, 10)] == [
        Decimal("50000.00"),
        Decimal("100000.00"),
        Decimal("200000.00"),
        Decimal("200000.00"),
        Decimal("200000.00"),
    ]


@pytest.mark.parametrize("amount", ["49999.99", "200000.01", "0", "-50000"])
def test_database_refuses_amounts_outside_the_range(agreement, amount):
    schedule = PenaltySchedule.objects.create(name="Test", effective_from=dt.date(2030, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        PenaltyTier.objects.create(schedule=schedule, default_ordinal=1, amount=Decimal(amount))


@pytest.mark.parametrize("amount", ["50000.00", "200000.00", "125000.50"])
def test_database_accepts_amounts_within_the_range(agreement, amount):
    schedule = PenaltySchedule.objects.create(name="Test", effective_from=dt.date(2030, 1, 1))
    tier = PenaltyTier.objects.create(schedule=schedule, default_ordinal=1, amount=Decimal(amount))
    tier.refresh_from_db()
    assert tier.amount == Decimal(amount)


def test_a_later_schedule_takes_over_from_its_start_date(agreement):
    newer = PenaltySchedule.objects.create(name="Amended", effective_from=dt.date(2028, 1, 1))
    PenaltyTier.objects.create(schedule=newer, default_ordinal=1, amount=Decimal("75000"))
    older = PenaltySchedule.objects.in_force(dt.date(2027, 12, 31))
    assert older is not None and older.name != "Amended"
    in_force = PenaltySchedule.objects.in_force(dt.date(2028, 1, 1))
    assert in_force is not None and in_force == newer
    assert in_force.amount_for(5) == Decimal("75000")


def test_no_schedule_is_in_force_before_the_agreement(agreement):
    assert PenaltySchedule.objects.in_force(dt.date(2020, 1, 1)) is None


def test_ordinals_start_at_one(agreement):
    schedule = PenaltySchedule.objects.in_force(dt.date(2027, 1, 1))
    assert schedule is not None
    with pytest.raises(ValueError, match="start at 1"):
        schedule.amount_for(0)
