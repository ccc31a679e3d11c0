"""A port claims a missed project milestone was outside its control; a reviewer accepts
(milestone excused, default and penalty withdrawn and kept) or rejects."""

import datetime as dt

import pytest
import time_machine

from agreement.models import Milestone, MilestoneKind, MilestoneStatus
from agreement.services import milestone_complete
from core.errors import Conflict, Forbidden, ServiceError
from penalties.flexibility import flexibility_claim_decide, flexibility_claim_file
from penalties.models import ClaimStatus, Default, DefaultStatus, Penalty, PenaltyStatus
from penalties.services import (
    penalty_mark_notice_sent,
    penalty_record_payment,
    penalty_waive,
)
from penalties.sweep import record_late_completions
from tests.factories import MilestoneFactory
from tests.pdfs import pdf_upload

from .conftest import pacific
from .helpers import recorded_default

LATER = pacific(2027, 2, 1, 10)


@time_machine.travel(LATER, tick=False)
def test_accepting_excuses_the_milestone_and_withdraws_default_and_penalty(
    pola, pola_staff, reviewer
):
    default = recorded_default(pola)
    claim = flexibility_claim_file(
        milestone=default.milestone,
        reason="The utility delayed the grid connection",
        uploads=[pdf_upload("utility-letter.pdf")],
        actor=pola_staff,
    )
    assert claim.documents.count() == 1
    flexibility_claim_decide(claim=claim, accept=True, note="Letter confirms", actor=reviewer)
    claim.refresh_from_db()
    default.refresh_from_db()
    milestone = Milestone.objects.get(pk=default.milestone_id)
    penalty = Penalty.objects.get(default=default)
    assert claim.status == ClaimStatus.ACCEPTED
    assert milestone.status == MilestoneStatus.EXCUSED
    assert default.status == DefaultStatus.WITHDRAWN and default.withdrawn_at == LATER
    assert penalty.status == PenaltyStatus.WITHDRAWN and penalty.withdrawn_at == LATER
    # kept on record
    assert Default.objects.filter(pk=default.pk).exists()


@time_machine.travel(LATER, tick=False)
def test_rejecting_needs_a_note_and_changes_nothing_else(pola, pola_staff, reviewer):
    default = recorded_default(pola)
    claim = flexibility_claim_file(milestone=default.milestone, reason="Rain", actor=pola_staff)
    with pytest.raises(ServiceError, match="Say why"):
        flexibility_claim_decide(claim=claim, accept=False, note="", actor=reviewer)
    flexibility_claim_decide(claim=claim, accept=False, note="Foreseeable", actor=reviewer)
    default.refresh_from_db()
    assert default.status == DefaultStatus.ACTIVE
    assert Penalty.objects.get(default=default).status == PenaltyStatus.ASSESSED
    with pytest.raises(Conflict, match="already decided"):
        flexibility_claim_decide(claim=claim, accept=True, note="", actor=reviewer)


@time_machine.travel(LATER, tick=False)
def test_claims_are_for_missed_project_milestones_of_ones_own_port(
    pola, pola_staff, polb_staff, reviewer
):
    plan = Milestone.objects.get(party=pola, kind=MilestoneKind.DRAFT_PLAN, phase__number=1)
    with pytest.raises(ServiceError, match="project milestones"):
        flexibility_claim_file(milestone=plan, reason="x", actor=pola_staff)
    upcoming = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 3, 1))
    with pytest.raises(ServiceError, match="not missed yet"):
        flexibility_claim_file(milestone=upcoming, reason="x", actor=pola_staff)
    missed = recorded_default(pola).milestone
    for outsider in (polb_staff, reviewer):
        with pytest.raises(Forbidden):
            flexibility_claim_file(milestone=missed, reason="x", actor=outsider)
    claim = flexibility_claim_file(milestone=missed, reason="x", actor=pola_staff)
    with pytest.raises(Conflict, match="already waiting"):
        flexibility_claim_file(milestone=missed, reason="x", actor=pola_staff)
    with pytest.raises(Forbidden):
        flexibility_claim_decide(claim=claim, accept=True, note="", actor=pola_staff)


@time_machine.travel(LATER, tick=False)
def test_a_claim_on_a_paid_penalty_is_refused_without_changing_anything(
    pola, pola_staff, reviewer, administrator
):
    default = recorded_default(pola)
    penalty_mark_notice_sent(penalty=default.penalty, now=LATER)
    penalty_record_payment(
        penalty=default.penalty, paid_at=LATER, reference="CHK", actor=administrator
    )
    claim = flexibility_claim_file(milestone=default.milestone, reason="x", actor=pola_staff)
    with pytest.raises(Conflict, match="refund"):
        flexibility_claim_decide(claim=claim, accept=True, note="", actor=reviewer)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING
    assert Milestone.objects.get(pk=default.milestone_id).status == MilestoneStatus.OPEN


@time_machine.travel(LATER, tick=False)
def test_accepting_a_claim_on_a_waived_penalty_keeps_it_waived(
    pola, pola_staff, reviewer, administrator
):
    default = recorded_default(pola)
    penalty_waive(penalty=default.penalty, reason="Board resolution", actor=administrator)
    claim = flexibility_claim_file(milestone=default.milestone, reason="Flood", actor=pola_staff)
    flexibility_claim_decide(claim=claim, accept=True, note="", actor=reviewer)
    default.refresh_from_db()
    assert default.status == DefaultStatus.WITHDRAWN
    assert Penalty.objects.get(default=default).status == PenaltyStatus.WAIVED


def test_a_milestone_met_late_can_be_claimed_and_stays_met_when_accepted(
    pola, pola_staff, reviewer
):
    """Finished late because of outside factors: the claim lifts the default and its penalty;
    the milestone keeps its (late) completion."""
    milestone = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 2, 1))
    milestone_complete(milestone=milestone, completed_at=pacific(2027, 2, 3, 9), actor=pola_staff)
    now = pacific(2027, 2, 4, 1, 30)
    with time_machine.travel(now, tick=False):
        assert record_late_completions(now) == 1
        default = Default.objects.get(milestone=milestone)
        claim = flexibility_claim_file(
            milestone=milestone, reason="Utility outage at the substation", actor=pola_staff
        )
        flexibility_claim_decide(claim=claim, accept=True, note="", actor=reviewer)
    default.refresh_from_db()
    milestone.refresh_from_db()
    assert default.status == DefaultStatus.WITHDRAWN
    assert Penalty.objects.get(default=default).status == PenaltyStatus.WITHDRAWN
    assert milestone.status == MilestoneStatus.MET


@time_machine.travel(LATER, tick=False)
def test_a_milestone_met_on_time_cannot_be_claimed(pola, pola_staff):
    milestone = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 2, 1))
    milestone_complete(milestone=milestone, completed_at=pacific(2027, 1, 30, 9), actor=pola_staff)
    with pytest.raises(Conflict, match="Only a missed milestone"):
        flexibility_claim_file(milestone=milestone, reason="x", actor=pola_staff)
