"""A port claims a missed deadline (flagged or confirmed, plan deadlines included) was outside
its control; a reviewer accepts (milestone excused or given a new date, default and penalty
withdrawn and kept) or rejects."""

import datetime as dt

import pytest
import time_machine

from agreement.models import Milestone, MilestoneKind, MilestoneStatus
from agreement.services import milestone_complete
from core.errors import Conflict, Forbidden, ServiceError
from penalties.milestone_requests import request_decide, request_file
from penalties.models import (
    ClaimStatus,
    Default,
    DefaultStatus,
    FlexibilityClaim,
    Penalty,
    PenaltyStatus,
)
from penalties.services import (
    penalty_mark_notice_sent,
    penalty_record_payment,
    penalty_waive,
)
from penalties.sweep import record_late_completions
from tests.factories import MilestoneFactory
from tests.pdfs import pdf_upload

from .conftest import pacific
from .helpers import confirm, recorded_default

LATER = pacific(2027, 2, 1, 10)


@time_machine.travel(LATER, tick=False)
def test_accepting_excuses_the_milestone_and_withdraws_default_and_penalty(
    pola, pola_staff, reviewer
):
    default = recorded_default(pola)
    claim = request_file(
        kind="flexibility",
        milestone=default.milestone,
        reason="The utility delayed the grid connection",
        uploads=[pdf_upload("utility-letter.pdf")],
        actor=pola_staff,
    )
    assert claim.documents.count() == 1
    request_decide(request=claim, accept=True, note="Letter confirms", actor=reviewer)
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
    claim = request_file(
        kind="flexibility", milestone=default.milestone, reason="Rain", actor=pola_staff
    )
    with pytest.raises(ServiceError, match="Say why"):
        request_decide(request=claim, accept=False, note="", actor=reviewer)
    request_decide(request=claim, accept=False, note="Foreseeable", actor=reviewer)
    default.refresh_from_db()
    assert default.status == DefaultStatus.CONFIRMED
    assert Penalty.objects.get(default=default).status == PenaltyStatus.ASSESSED
    with pytest.raises(Conflict, match="already decided"):
        request_decide(request=claim, accept=True, note="", actor=reviewer)


@time_machine.travel(LATER, tick=False)
def test_claims_are_for_missed_deadlines_of_ones_own_port(pola, pola_staff, polb_staff, reviewer):
    report = Milestone.objects.get(
        party=pola, kind=MilestoneKind.ANNUAL_REPORT, reporting_year=2026
    )
    with pytest.raises(ServiceError, match="not a default"):
        request_file(kind="flexibility", milestone=report, reason="x", actor=pola_staff)
    upcoming = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 3, 1))
    with pytest.raises(Conflict, match="not missed yet"):
        request_file(kind="flexibility", milestone=upcoming, reason="x", actor=pola_staff)
    missed = recorded_default(pola).milestone
    for outsider in (polb_staff, reviewer):
        with pytest.raises(Forbidden):
            request_file(kind="flexibility", milestone=missed, reason="x", actor=outsider)
    claim = request_file(kind="flexibility", milestone=missed, reason="x", actor=pola_staff)
    with pytest.raises(Conflict, match="already waiting"):
        request_file(kind="flexibility", milestone=missed, reason="x", actor=pola_staff)
    with pytest.raises(Forbidden):
        request_decide(request=claim, accept=True, note="", actor=pola_staff)


@time_machine.travel(LATER, tick=False)
def test_a_claim_on_a_paid_penalty_is_refused_without_changing_anything(
    pola, pola_staff, reviewer, administrator
):
    default = recorded_default(pola)
    penalty_mark_notice_sent(penalty=default.penalty, now=LATER)
    penalty_record_payment(
        penalty=default.penalty, paid_at=LATER, reference="CHK", actor=administrator
    )
    claim = request_file(
        kind="flexibility", milestone=default.milestone, reason="x", actor=pola_staff
    )
    with pytest.raises(Conflict, match="refund"):
        request_decide(request=claim, accept=True, note="", actor=reviewer)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING
    assert Milestone.objects.get(pk=default.milestone_id).status == MilestoneStatus.OPEN


@time_machine.travel(LATER, tick=False)
def test_accepting_a_claim_on_a_waived_penalty_keeps_it_waived(
    pola, pola_staff, reviewer, administrator
):
    default = recorded_default(pola)
    penalty_waive(penalty=default.penalty, reason="Board resolution", actor=administrator)
    claim = request_file(
        kind="flexibility", milestone=default.milestone, reason="Flood", actor=pola_staff
    )
    request_decide(request=claim, accept=True, note="", actor=reviewer)
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
    default = confirm(Default.objects.get(milestone=milestone))
    with time_machine.travel(now + dt.timedelta(hours=2), tick=False):
        claim = request_file(
            kind="flexibility",
            milestone=milestone,
            reason="Utility outage at the substation",
            actor=pola_staff,
        )
        request_decide(request=claim, accept=True, note="", actor=reviewer)
    default.refresh_from_db()
    milestone.refresh_from_db()
    assert default.status == DefaultStatus.WITHDRAWN
    assert Penalty.objects.get(default=default).status == PenaltyStatus.WITHDRAWN
    assert milestone.status == MilestoneStatus.MET


@time_machine.travel(LATER, tick=False)
def test_a_milestone_met_on_time_cannot_be_claimed(pola, pola_staff):
    milestone = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 2, 1))
    milestone_complete(milestone=milestone, completed_at=pacific(2027, 1, 30, 9), actor=pola_staff)
    with pytest.raises(Conflict, match="Only a missed deadline"):
        request_file(kind="flexibility", milestone=milestone, reason="x", actor=pola_staff)


@time_machine.travel(LATER, tick=False)
def test_a_flagged_plan_deadline_can_be_claimed_and_accepted_before_any_determination(
    pola, pola_staff, reviewer
):
    """A draft plan deadline missed: flagged; the port claims; AQMD accepts with a new date.
    The flag is withdrawn (never public, no penalty) and the milestone is due on the new date."""
    plan = Milestone.objects.get(party=pola, kind=MilestoneKind.DRAFT_PLAN, phase__number=1)
    Milestone.objects.filter(pk=plan.pk).update(due_date=dt.date(2027, 1, 20), is_provisional=False)
    from penalties.sweep import sweep_deadlines

    sweep_deadlines(LATER)
    flagged = Default.objects.get(milestone=plan)
    claim = FlexibilityClaim.objects.get(
        pk=request_file(
            kind="flexibility", milestone=plan, reason="Board meeting cancelled", actor=pola_staff
        ).pk
    )
    assert claim.default == flagged
    with pytest.raises(ServiceError, match="cannot be in the past"):
        request_decide(
            request=claim, accept=True, note="", actor=reviewer, new_due_date=dt.date(2027, 1, 1)
        )
    request_decide(
        request=claim,
        accept=True,
        note="Set a new date",
        actor=reviewer,
        new_due_date=dt.date(2027, 3, 31),
    )
    flagged.refresh_from_db()
    plan.refresh_from_db()
    claim.refresh_from_db()
    assert flagged.status == DefaultStatus.WITHDRAWN and not flagged.was_confirmed
    assert not Penalty.objects.filter(default=flagged).exists()
    assert plan.status == MilestoneStatus.OPEN and plan.due_date == dt.date(2027, 3, 31)
    assert claim.new_due_date == dt.date(2027, 3, 31)
    change = plan.date_changes.get()
    assert change.kind == "flexibility" and change.old_due_date == dt.date(2027, 1, 20)
    # Missing the new date is flagged again, as a new miss.
    after = pacific(2027, 4, 1, 9)
    with time_machine.travel(after, tick=False):
        sweep_deadlines(after)
    assert list(
        Default.objects.filter(milestone=plan)
        .order_by("due_date")
        .values_list("due_date", "status")
    ) == [(dt.date(2027, 1, 20), "withdrawn"), (dt.date(2027, 3, 31), "flagged")]
