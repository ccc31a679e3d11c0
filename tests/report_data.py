"""A reporting year of plans, defaults, penalties and fund entries, built the way production
builds them: plan services, the deadline sweep and the penalty and fund services, each at a
frozen moment.  Used by the report tests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from agreement.models import EmissionCategory, Milestone, Party, Phase
from agreement.services import milestone_complete
from penalties.models import Default
from penalties.services import (
    fund_disburse,
    penalty_mark_notice_sent,
    penalty_record_payment,
    penalty_waive,
)
from penalties.sweep import sweep_deadlines
from plans import services as plan_services
from plans.models import Decision, PlanVersion, VersionKind
from tests.penalties.helpers import confirm

from .factories import MilestoneFactory
from .plans.factories import InfrastructureProjectFactory

PACIFIC = ZoneInfo("America/Los_Angeles")

# The data cut-off of the 2027 report in these tests.
CUTOFF = dt.datetime(2027, 6, 1, 12, 0, tzinfo=PACIFIC)


def pacific(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=PACIFIC)


def missed_and_swept(party: Party, title: str, due: dt.date) -> Default:
    """A project milestone within the port's control, missed, flagged by the sweep the next
    morning and confirmed by AQMD an hour later."""
    milestone = MilestoneFactory.create(party=party, title=title, due_date=due)
    now = pacific(due.year, due.month, due.day, 9) + dt.timedelta(days=1)
    with time_machine.travel(now, tick=False):
        sweep_deadlines(now)
    return confirm(Default.objects.get(milestone=milestone))


@dataclass
class Year2027:
    pola_paid: Default
    pola_waived: Default
    polb_assessed: Default
    approved: PlanVersion
    latest: PlanVersion


def build_2027(*, pola: Party, polb: Party, pola_staff, reviewer, administrator) -> Year2027:
    """Everything recorded before :data:`CUTOFF`.

    POLA: default 1 ($50,000) paid and cured, default 2 ($100,000) waived; phase 1 plan
    version 1 (draft plan, 3 projects) submitted on time and approved, version 2 (final
    plan) submitted and not decided.  POLB: default 1 ($50,000) assessed.  The fund: the
    $50,000 payment in, $20,000 out to a Wilmington project.
    """
    paid = missed_and_swept(pola, "Berth 100 chargers energised", dt.date(2027, 1, 5))
    with time_machine.travel(pacific(2027, 1, 7), tick=False):
        penalty_mark_notice_sent(penalty=paid.penalty, now=pacific(2027, 1, 7))
    with time_machine.travel(pacific(2027, 2, 1), tick=False):
        penalty_record_payment(
            penalty=paid.penalty,
            paid_at=pacific(2027, 2, 1),
            reference="CHK-1",
            actor=administrator,
        )
    with time_machine.travel(pacific(2027, 2, 15), tick=False):
        milestone_complete(
            milestone=paid.milestone, completed_at=pacific(2027, 2, 15), actor=administrator
        )
    waived = missed_and_swept(pola, "Pier 300 crane conversion", dt.date(2027, 2, 9))
    with time_machine.travel(pacific(2027, 3, 1), tick=False):
        penalty_waive(penalty=waived.penalty, reason="Supplier bankruptcy", actor=administrator)
    assessed = missed_and_swept(polb, "Pier J substation", dt.date(2027, 3, 1))
    with time_machine.travel(pacific(2027, 3, 15), tick=False):
        fund_disburse(
            amount=Decimal("20000.00"),
            occurred_on=dt.date(2027, 3, 15),
            project_name="Wilmington school air filters",
            community="Wilmington",
            actor=administrator,
        )

    phase1 = Phase.objects.get(number=1)
    che = EmissionCategory.objects.get(code="che_container")
    drayage = EmissionCategory.objects.get(code="drayage")
    with time_machine.travel(pacific(2027, 4, 1), tick=False):
        plan, _created = plan_services.plan_start(party=pola, phase=phase1, actor=pola_staff)
        v1 = plan.versions.get(number=1)
        if v1.kind != VersionKind.DRAFT:
            v1 = plan_services.version_update(
                version=v1, kind=VersionKind.DRAFT, summary="", actor=pola_staff
            )
        for name in ("Pier 400 chargers", "Pier 300 chargers"):
            InfrastructureProjectFactory.create(
                version=v1, name=name, category=che, estimated_cost=Decimal("45000000.00")
            )
        InfrastructureProjectFactory.create(
            version=v1,
            name="Drayage truck chargers",
            category=drayage,
            estimated_cost=Decimal("12345678.90"),
        )
        plan_services.version_submit(version=v1, actor=pola_staff)
    with time_machine.travel(pacific(2027, 4, 10), tick=False):
        plan_services.version_start_review(version=v1, actor=reviewer)
    with time_machine.travel(pacific(2027, 4, 20), tick=False):
        plan_services.version_decide(
            version=v1, decision=Decision.APPROVED, reasons="", actor=reviewer
        )
    with time_machine.travel(pacific(2027, 5, 1), tick=False):
        v2, _created = plan_services.plan_revise(plan=plan, actor=pola_staff)
        v2 = plan_services.version_update(
            version=v2, kind=VersionKind.FINAL, summary="Final plan", actor=pola_staff
        )
    with time_machine.travel(pacific(2027, 5, 5), tick=False):
        plan_services.version_submit(version=v2, actor=pola_staff)
    return Year2027(
        pola_paid=paid,
        pola_waived=waived,
        polb_assessed=assessed,
        approved=PlanVersion.objects.get(pk=v1.pk),
        latest=PlanVersion.objects.get(pk=v2.pk),
    )


def record_after_cutoff(*, data: Year2027, polb: Party, pola: Party, reviewer, administrator):
    """Rows recorded after :data:`CUTOFF`, some dated before it (backdated payments and
    disbursements): a report with that cut-off must not show any of them."""
    late = missed_and_swept(pola, "Pier 500 cranes", dt.date(2027, 6, 8))
    with time_machine.travel(pacific(2027, 6, 9, 11), tick=False):
        penalty = data.polb_assessed.penalty
        penalty_mark_notice_sent(penalty=penalty, now=pacific(2027, 6, 9, 11))
        penalty_record_payment(
            penalty=penalty, paid_at=pacific(2027, 5, 20), reference="WIRE-7", actor=administrator
        )
        fund_disburse(
            amount=Decimal("5000.00"),
            occurred_on=dt.date(2027, 5, 25),
            project_name="San Pedro bus electrification",
            community="San Pedro",
            actor=administrator,
        )
    with time_machine.travel(pacific(2027, 6, 10), tick=False):
        plan_services.version_start_review(version=data.latest, actor=reviewer)
        plan_services.version_decide(
            version=data.latest, decision=Decision.APPROVED, reasons="", actor=reviewer
        )
    return late


def milestone(party: Party, title: str) -> Milestone:
    return Milestone.objects.get(party=party, title=title)
