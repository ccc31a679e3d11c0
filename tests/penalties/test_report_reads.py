"""Reads of defaults, penalties and the fund at a data cut-off (for the reports): only what
was recorded by then, with the statuses it had then."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import time_machine

from penalties.models import Default, PenaltyStatus
from penalties.selectors import defaults_at, fund_at, penalties_assessed_in
from penalties.services import (
    default_withdraw_with_penalty,
    fund_disburse,
    penalty_mark_notice_sent,
    penalty_record_payment,
)
from penalties.sweep import sweep_deadlines
from tests.factories import MilestoneFactory

from .conftest import pacific
from .helpers import confirm, recorded_default


def test_a_payment_counts_from_when_it_was_recorded_not_from_its_date(pola, administrator):
    default = recorded_default(pola)  # due 2027-01-05, flagged 01-06 09:00, confirmed 10:00
    penalty = default.penalty
    with time_machine.travel(pacific(2027, 1, 7, 9), tick=False):
        penalty_mark_notice_sent(penalty=penalty, now=pacific(2027, 1, 7, 9))
    with time_machine.travel(pacific(2027, 3, 1, 9), tick=False):
        penalty_record_payment(
            penalty=penalty, paid_at=pacific(2027, 2, 1, 9), reference="CHK-9", actor=administrator
        )
    penalty.refresh_from_db()
    assert penalty.status_at(pacific(2027, 1, 6, 9, 59)) is None
    assert penalty.status_at(pacific(2027, 1, 6, 10)) == PenaltyStatus.ASSESSED
    assert penalty.status_at(pacific(2027, 1, 8)) == PenaltyStatus.NOTICE_SENT
    assert penalty.status_at(pacific(2027, 2, 15)) == PenaltyStatus.NOTICE_SENT  # not recorded
    assert penalty.status_at(pacific(2027, 3, 1, 9)) == PenaltyStatus.PAID


def test_defaults_at_a_cutoff_leave_out_later_ones_and_show_withdrawal_and_cure(
    pola, polb, administrator, django_assert_num_queries
):
    first = recorded_default(pola, dt.date(2027, 1, 5))
    second = recorded_default(pola, dt.date(2027, 2, 5))
    recorded_default(polb, dt.date(2027, 4, 5))
    with time_machine.travel(pacific(2027, 3, 1), tick=False):
        default_withdraw_with_penalty(default=second, actor=administrator, reason="Accepted")

    with django_assert_num_queries(1):
        rows = defaults_at(
            parties=[pola, polb], cutoff=pacific(2027, 2, 10), through=dt.date(2027, 12, 31)
        )
    assert [r.default.pk for r in rows] == [first.pk, second.pk]
    assert [(r.withdrawn, r.penalty_status) for r in rows] == [
        (False, PenaltyStatus.ASSESSED),
        (False, PenaltyStatus.ASSESSED),
    ]
    later = defaults_at(parties=[pola], cutoff=pacific(2027, 3, 2), through=dt.date(2027, 12, 31))
    assert [(r.withdrawn, r.penalty_status) for r in later] == [
        (False, PenaltyStatus.ASSESSED),
        (True, PenaltyStatus.WITHDRAWN),
    ]
    assert defaults_at(parties=[pola], cutoff=pacific(2027, 3, 2), through=dt.date(2027, 1, 31))[
        0
    ].default == Default.objects.get(pk=first.pk)


def test_the_fund_at_a_cutoff_counts_entries_by_date_and_recording_time(pola, polb, administrator):
    default = recorded_default(pola)
    with time_machine.travel(pacific(2027, 2, 1), tick=False):
        penalty_mark_notice_sent(penalty=default.penalty, now=pacific(2027, 2, 1))
        penalty_record_payment(
            penalty=default.penalty,
            paid_at=pacific(2027, 2, 1),
            reference="CHK-1",
            actor=administrator,
        )
        fund_disburse(
            amount=Decimal("10000.00"),
            occurred_on=dt.date(2027, 2, 1),
            project_name="Wilmington air filters",
            community="Wilmington",
            actor=administrator,
        )
    with time_machine.travel(pacific(2028, 1, 10), tick=False):
        fund_disburse(  # recorded in 2028 for a 2027 date
            amount=Decimal("15000.00"),
            occurred_on=dt.date(2027, 12, 20),
            project_name="San Pedro bus stop shelters",
            community="San Pedro",
            actor=administrator,
        )
        fund_disburse(  # dated in 2028: not part of the 2027 totals
            amount=Decimal("1000.00"),
            occurred_on=dt.date(2028, 1, 10),
            project_name="West Long Beach trees",
            community="West Long Beach",
            actor=administrator,
        )

    at_year_end = fund_at(year=2027, cutoff=pacific(2027, 12, 31, 23), ports=[pola, polb])
    assert (at_year_end.received_in_year, at_year_end.disbursed_in_year) == (
        Decimal("50000.00"),
        Decimal("10000.00"),
    )
    assert at_year_end.balance == Decimal("40000.00")
    assert [(line.party, line.received_total) for line in at_year_end.by_port] == [
        (pola, Decimal("50000.00")),
        (polb, Decimal("0.00")),
    ]
    later = fund_at(year=2027, cutoff=pacific(2028, 2, 1), ports=[pola, polb])
    assert later.disbursed_in_year == Decimal("25000.00")
    assert [e.project_name for e in later.disbursements] == [
        "Wilmington air filters",
        "San Pedro bus stop shelters",
    ]
    assert later.balance == Decimal("25000.00")
    empty = fund_at(year=2027, cutoff=pacific(2027, 1, 1), ports=[pola])
    assert not empty.has_entries and empty.balance == Decimal("0.00")


def test_penalties_of_a_year_are_counted_by_the_pacific_calendar(pola, agreement):
    for due in (dt.date(2026, 12, 30), dt.date(2026, 12, 31)):
        MilestoneFactory.create(party=pola, due_date=due, title=f"Due {due}")
    # Assessed when AQMD confirms: 23:30 Pacific on Dec 31 is already Jan 1 in UTC.
    sweep_deadlines(pacific(2027, 1, 1, 0, 30))
    first, second = Default.objects.order_by("due_date")
    confirm(first, at=pacific(2026, 12, 31, 23, 30))
    confirm(second, at=pacific(2027, 1, 1, 0, 30))
    now = pacific(2027, 6, 1)
    in_2026 = penalties_assessed_in(parties=[pola], year=2026, now=now)
    in_2027 = penalties_assessed_in(parties=[pola], year=2027, now=now)
    assert [p.default.milestone.title for p in in_2026] == ["Due 2026-12-30"]
    assert [p.default.milestone.title for p in in_2027] == ["Due 2026-12-31"]
    assert penalties_assessed_in(parties=[pola], year=2027, now=pacific(2027, 1, 1)) == []
