"""The illustrative demo data for ``make run`` is labelled and never duplicated."""

from decimal import Decimal

from django.core.management import call_command

from agreement import deadlines
from agreement.models import Milestone
from penalties.models import (
    CompletionReport,
    Default,
    FundEntry,
    MitigationFund,
    Penalty,
    PenaltyStatus,
)


def test_seed_demo_twice_gives_the_same_labelled_records(agreement):
    call_command("seed_demo")
    call_command("seed_demo")
    demo = Milestone.objects.filter(title__startswith="Illustrative demo: ")
    assert demo.count() == 6
    # The POLB miss is outside the port's control: no default.  Of POLA's two misses AQMD
    # confirmed the older (its penalty paid); the other awaits AQMD's determination.
    assert sorted(Default.objects.values_list("status", flat=True)) == ["confirmed", "flagged"]
    assert list(Penalty.objects.values_list("status", flat=True)) == [PenaltyStatus.PAID]
    # Each port has an open project milestone due in the future; POLB reported one complete.
    future = demo.filter(status="open", due_date__gt=deadlines.pacific_today())
    assert set(future.values_list("party__code", flat=True)) == {"POLA", "POLB"}
    assert CompletionReport.objects.filter(status="pending").count() == 1
    assert FundEntry.objects.count() == 2
    assert MitigationFund.objects.get().balance == Decimal("30000.00")
