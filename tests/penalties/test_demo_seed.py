"""The illustrative demo data for ``make run`` is labelled and never duplicated."""

from decimal import Decimal

from django.core.management import call_command

from agreement.models import Milestone
from penalties.models import Default, FundEntry, MitigationFund, Penalty, PenaltyStatus


def test_seed_demo_twice_gives_the_same_labelled_records(agreement):
    call_command("seed_demo")
    call_command("seed_demo")
    demo = Milestone.objects.filter(title__startswith="Illustrative demo: ")
    assert demo.count() == 5
    assert Default.objects.count() == 2  # the POLB miss is outside the port's control
    assert sorted(Penalty.objects.values_list("status", flat=True)) == sorted(
        [PenaltyStatus.PAID, PenaltyStatus.ASSESSED]
    )
    assert FundEntry.objects.count() == 2
    assert MitigationFund.objects.get().balance == Decimal("30000.00")
