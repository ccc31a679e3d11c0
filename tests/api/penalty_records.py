"""Records of the penalties workflow for the API tests, made the way production makes them:
defaults by the deadline sweep, payments, requests and claims through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from agreement.models import Milestone, Party
from penalties.milestone_requests import request_file
from penalties.models import Default, ExtensionRequest, FlexibilityClaim, FundEntry, Penalty
from penalties.services import penalty_mark_notice_sent, penalty_record_payment
from tests.factories import MilestoneFactory
from tests.penalties.conftest import pacific
from tests.penalties.helpers import recorded_default

# The tests run at this moment: defaults of early January 2027 are recorded, June is ahead.
NOW = pacific(2027, 2, 1, 10)


@dataclass
class PortRecords:
    """One port's records: a default with a penalty whose notice went out, a paid penalty
    (a fund receipt), a pending extension request and a pending flexibility claim, and two
    milestones on which a request or a claim may still be filed."""

    default: Default
    penalty: Penalty
    paid: Penalty
    receipt: FundEntry
    extension: ExtensionRequest
    claim: FlexibilityClaim
    may_extend: Milestone
    may_claim: Milestone


def port_records(party: Party, staff: Any, administrator: Any) -> PortRecords:
    """Call with the clock at :data:`NOW`."""
    default = recorded_default(party, dt.date(2027, 1, 5), title=f"{party.code} berth chargers")
    penalty_mark_notice_sent(penalty=default.penalty, now=NOW)
    second = recorded_default(party, dt.date(2027, 1, 6), title=f"{party.code} crane")
    penalty_mark_notice_sent(penalty=second.penalty, now=NOW)
    penalty_record_payment(
        penalty=second.penalty,
        paid_at=pacific(2027, 1, 20, 12),
        reference=f"CHK-{party.code}",
        actor=administrator,
    )
    extension = request_file(
        kind="extension",
        milestone=MilestoneFactory.create(party=party, due_date=dt.date(2027, 6, 30)),
        requested_due_date=dt.date(2027, 9, 30),
        reason="Transformer delivery slipped",
        actor=staff,
    )
    claim = request_file(
        kind="flexibility",
        milestone=default.milestone,
        reason="Utility interconnection delayed",
        actor=staff,
    )
    return PortRecords(
        default=default,
        penalty=Penalty.objects.get(pk=default.penalty.pk),
        paid=Penalty.objects.get(pk=second.penalty.pk),
        receipt=FundEntry.objects.get(penalty=second.penalty),
        extension=ExtensionRequest.objects.get(pk=extension.pk),
        claim=FlexibilityClaim.objects.get(pk=claim.pk),
        may_extend=MilestoneFactory.create(party=party, due_date=dt.date(2027, 7, 31)),
        may_claim=MilestoneFactory.create(party=party, due_date=dt.date(2027, 1, 10)),
    )
