"""Each port's 1st, 2nd, 3rd, 4th confirmed default cost $50k, $100k, $200k, $200k from the
schedule in force at the miss; the ports count separately; withdrawn defaults, and misses AQMD
has not confirmed, do not count."""

import datetime as dt
from decimal import Decimal

import time_machine

from penalties.milestone_requests import request_decide, request_file
from penalties.models import Penalty, PenaltySchedule, PenaltyStatus, PenaltyTier

from .conftest import pacific
from .helpers import confirm, flagged_default, recorded_default


def _miss(party, due: dt.date):
    return recorded_default(party, due)


def test_a_ports_defaults_escalate_50k_100k_200k_200k(pola):
    days = [dt.date(2027, 1, 5), dt.date(2027, 1, 12), dt.date(2027, 1, 19), dt.date(2027, 1, 26)]
    defaults = [_miss(pola, d) for d in days]
    assert [d.ordinal for d in defaults] == [1, 2, 3, 4]
    assert [d.penalty.amount for d in defaults] == [
        Decimal("50000.00"),
        Decimal("100000.00"),
        Decimal("200000.00"),
        Decimal("200000.00"),
    ]
    assert [d.penalty.tier_ordinal for d in defaults] == [1, 2, 3, 3]
    seeded = PenaltySchedule.objects.get()
    assert all(d.penalty.schedule == seeded for d in defaults)


def test_the_other_ports_count_is_separate(pola, polb):
    _miss(pola, dt.date(2027, 1, 5))
    _miss(pola, dt.date(2027, 1, 6))
    first_polb = _miss(polb, dt.date(2027, 1, 7))
    assert first_polb.ordinal == 1
    assert first_polb.penalty.amount == Decimal("50000.00")


def test_a_withdrawn_default_does_not_count_toward_the_next(pola, pola_staff, reviewer):
    first = _miss(pola, dt.date(2027, 1, 5))
    with time_machine.travel(pacific(2027, 1, 8, 10), tick=False):
        claim = request_file(
            kind="flexibility",
            milestone=first.milestone,
            reason="Utility did not energize the substation",
            actor=pola_staff,
        )
        request_decide(request=claim, accept=True, note="Utility letter", actor=reviewer)
    first.refresh_from_db()
    assert first.status == "withdrawn"
    assert Penalty.objects.get(default=first).status == PenaltyStatus.WITHDRAWN

    second = _miss(pola, dt.date(2027, 1, 12))
    assert second.ordinal == 1
    assert second.penalty.amount == Decimal("50000.00")


def test_the_schedule_in_force_at_the_miss_applies_and_is_recorded(pola, administrator):
    amended = PenaltySchedule.objects.create(
        name="Amended schedule", effective_from=dt.date(2027, 1, 10), is_provisional=False
    )
    PenaltyTier.objects.create(schedule=amended, default_ordinal=1, amount=Decimal("75000.00"))
    before = _miss(pola, dt.date(2027, 1, 5))  # missed 2027-01-06
    after = _miss(pola, dt.date(2027, 1, 12))  # missed 2027-01-13, second default
    assert before.penalty.schedule.name == "Seed escalation schedule"
    assert before.penalty.amount == Decimal("50000.00")
    assert after.penalty.schedule == amended
    assert after.penalty.amount == Decimal("75000.00")
    assert after.penalty.tier_ordinal == 1


def test_the_schedule_is_that_of_the_miss_even_when_aqmd_confirms_after_a_change(pola):
    """AQMD confirms weeks later, under a new schedule: the miss's schedule still applies."""
    flagged = flagged_default(pola, dt.date(2027, 1, 5))
    amended = PenaltySchedule.objects.create(
        name="Amended schedule", effective_from=dt.date(2027, 1, 10), is_provisional=False
    )
    PenaltyTier.objects.create(schedule=amended, default_ordinal=1, amount=Decimal("75000.00"))
    confirmed = confirm(flagged, at=pacific(2027, 2, 1, 10))
    assert confirmed.penalty.schedule.name == "Seed escalation schedule"
    assert confirmed.penalty.amount == Decimal("50000.00")


def test_flagged_misses_do_not_count_and_the_number_is_given_at_confirmation(pola):
    """Two misses flagged; AQMD confirms the later one first: it is default #1."""
    early = flagged_default(pola, dt.date(2027, 1, 5))
    late = flagged_default(pola, dt.date(2027, 1, 12))
    assert early.proposed_amount == late.proposed_amount == Decimal("50000.00")
    late = confirm(late)
    early = confirm(early, at=late.confirmed_at + dt.timedelta(hours=1))
    assert (late.ordinal, late.penalty.amount) == (1, Decimal("50000.00"))
    assert (early.ordinal, early.penalty.amount) == (2, Decimal("100000.00"))
