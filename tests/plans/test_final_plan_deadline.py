"""The approved-plan deadline: AQMD's own review time never puts a port in default.

A final plan submitted by 23:59:59 Pacific on the due date holds the deadline while AQMD has
not decided; approved later, the milestone is met on time (as of the submission).  Sent back
after the deadline, the port's clock restarts with the resubmission window (an editable term
of the agreement) by a recorded date change; missing that new date is flagged.  A final plan
submitted late holds nothing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from agreement.models import (
    AgreementTerm,
    DateChangeKind,
    Milestone,
    MilestoneDateChange,
    MilestoneKind,
    MilestoneStatus,
    TermKey,
)
from agreement.services import agreement_term_update
from audit.models import AuditEvent
from penalties.models import Default, DefaultStatus
from penalties.sweep import record_late_completions, sweep_deadlines
from plans import services
from plans.models import PlanVersion, VersionKind, VersionStatus

from .conftest import make_draft

PACIFIC = ZoneInfo("America/Los_Angeles")
DUE = dt.date(2027, 12, 31)  # POLA's phase 1 approved-plan deadline (fixed by the agreement)
LAST_SECOND = dt.datetime(2027, 12, 31, 23, 59, 59, tzinfo=PACIFIC)
FIRST_LATE = dt.datetime(2028, 1, 1, 0, 0, 0, tzinfo=PACIFIC)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0):
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=PACIFIC)


def final_milestone(party) -> Milestone:
    return Milestone.objects.get(party=party, phase__number=1, kind=MilestoneKind.FINAL_PLAN)


def final_flags(party) -> list[Default]:
    return list(Default.objects.filter(milestone=final_milestone(party)).order_by("due_date"))


def sweep(moment: dt.datetime) -> None:
    """The 15-minute sweep and the daily catch-up, as the beat runs them at ``moment``."""
    with time_machine.travel(moment, tick=False):
        sweep_deadlines(moment)
        record_late_completions(moment)


def submit_final(staff, phase, moment: dt.datetime) -> PlanVersion:
    version = make_draft(staff, phase, kind=VersionKind.FINAL)
    with time_machine.travel(moment, tick=False):
        return services.version_submit(version=version, actor=staff)


def decide(version, reviewer, decision: str, moment: dt.datetime, reasons: str = "") -> None:
    with time_machine.travel(moment, tick=False):
        services.version_decide(version=version, decision=decision, reasons=reasons, actor=reviewer)


# --- Submitted on time ---------------------------------------------------------------------


def test_a_final_plan_submitted_at_235959_and_undecided_at_the_deadline_is_not_flagged(
    pola_staff, phase1, reviewer
):
    version = submit_final(pola_staff, phase1, LAST_SECOND)
    assert version.submitted_by_deadline is True
    sweep(FIRST_LATE)
    with time_machine.travel(at(2028, 1, 10, 9), tick=False):
        services.version_start_review(version=version, actor=reviewer)
    for moment in (at(2028, 1, 10, 9, 15), at(2028, 3, 1, 9)):  # AQMD takes its time
        sweep(moment)
    assert final_flags(pola_staff.party) == []
    assert final_milestone(pola_staff.party).status == MilestoneStatus.OPEN


def test_a_final_plan_approved_after_the_deadline_is_still_met_on_time(
    pola_staff, phase1, reviewer
):
    version = submit_final(pola_staff, phase1, at(2027, 12, 20, 16))
    sweep(at(2028, 1, 15, 9))
    decide(version, reviewer, "approved", at(2028, 2, 15, 11))
    milestone = final_milestone(pola_staff.party)
    assert milestone.status == MilestoneStatus.MET
    assert milestone.completed_at == at(2027, 12, 20, 16)  # as of the submission
    assert milestone.closed_at == at(2028, 2, 15, 11)  # AQMD's decision closed the record
    assert milestone.met_late is False
    sweep(at(2028, 2, 16, 9))
    assert final_flags(pola_staff.party) == []


def test_a_final_plan_withdrawn_by_the_port_after_the_deadline_no_longer_holds_it(
    pola_staff, phase1
):
    version = submit_final(pola_staff, phase1, at(2027, 12, 20, 16))
    with time_machine.travel(at(2028, 1, 5, 9), tick=False):
        services.version_withdraw(version=version, actor=pola_staff)
    sweep(at(2028, 1, 5, 9, 15))
    [flag] = final_flags(pola_staff.party)
    assert (flag.status, flag.due_date) == (DefaultStatus.FLAGGED, DUE)


# --- Submitted late ------------------------------------------------------------------------


def test_a_final_plan_submitted_one_second_late_holds_nothing_and_is_flagged(
    pola_staff, phase1, reviewer
):
    version = submit_final(pola_staff, phase1, FIRST_LATE)
    assert version.submitted_by_deadline is False
    sweep(at(2028, 1, 1, 0, 15))
    [flag] = final_flags(pola_staff.party)
    assert (flag.status, flag.due_date) == (DefaultStatus.FLAGGED, DUE)
    # Approved later, it is met late; the flag stays for AQMD, shown as cured.
    decide(version, reviewer, "approved", at(2028, 1, 20, 10))
    milestone = final_milestone(pola_staff.party)
    assert milestone.status == MilestoneStatus.MET and milestone.met_late is True
    flag.refresh_from_db()
    assert flag.status == DefaultStatus.FLAGGED and flag.is_cured


def test_a_final_plan_submitted_late_and_sent_back_does_not_restart_the_clock(
    pola_staff, phase1, reviewer
):
    version = submit_final(pola_staff, phase1, at(2028, 1, 3, 9))
    decide(version, reviewer, "changes_requested", at(2028, 1, 20, 10), "Add the costs.")
    assert final_milestone(pola_staff.party).due_date == DUE
    assert not MilestoneDateChange.objects.filter(
        milestone=final_milestone(pola_staff.party)
    ).exists()


# --- Sent back: the resubmission window ----------------------------------------------------


def test_sending_back_after_the_deadline_restarts_the_clock_by_a_recorded_change(
    pola_staff, phase1, reviewer
):
    window = AgreementTerm.objects.get(key=TermKey.RESUBMISSION_WINDOW)
    assert window.days == 60 and window.is_provisional
    version = submit_final(pola_staff, phase1, at(2027, 12, 28, 15))
    decide(version, reviewer, "changes_requested", at(2028, 1, 15, 10), "Name the funding.")
    milestone = final_milestone(pola_staff.party)
    assert milestone.due_date == dt.date(2028, 3, 15)  # January 15 + 60 days
    assert milestone.status == MilestoneStatus.OPEN
    change = MilestoneDateChange.objects.get(milestone=milestone)
    assert change.kind == DateChangeKind.RESUBMISSION
    assert (change.old_due_date, change.new_due_date) == (DUE, dt.date(2028, 3, 15))
    assert change.actor == reviewer and change.changed_at == at(2028, 1, 15, 10)
    assert "60 days" in change.reason and "provisional" in change.reason
    event = AuditEvent.objects.get(action="milestone.due_date_changed.resubmission")
    assert event.actor == reviewer
    assert (event.before or {})["due_date"] == "2027-12-31"
    assert (event.after or {})["due_date"] == "2028-03-15"
    sweep(at(2028, 1, 16, 9))
    assert final_flags(pola_staff.party) == []


def test_the_window_is_the_stored_term_as_aqmd_last_set_it(
    pola_staff, phase1, reviewer, administrator
):
    agreement_term_update(
        term=AgreementTerm.objects.get(key=TermKey.RESUBMISSION_WINDOW),
        days=45,
        is_provisional=False,
        note="Set by the Governing Board.",
        actor=administrator,
    )
    version = submit_final(pola_staff, phase1, at(2027, 12, 28, 15))
    decide(version, reviewer, "changes_requested", at(2028, 1, 15, 10), "Name the funding.")
    milestone = final_milestone(pola_staff.party)
    assert milestone.due_date == dt.date(2028, 2, 29)  # January 15 + 45 days (a leap year)
    reason = MilestoneDateChange.objects.get(milestone=milestone).reason
    assert "45 days" in reason and "provisional" not in reason


def test_missing_the_resubmission_window_is_flagged_at_its_end(pola_staff, phase1, reviewer):
    version = submit_final(pola_staff, phase1, at(2027, 12, 28, 15))
    decide(version, reviewer, "changes_requested", at(2028, 1, 15, 10), "Name the funding.")
    sweep(at(2028, 3, 15, 23, 59, 59))  # the window's last second: not missed yet
    assert final_flags(pola_staff.party) == []
    sweep(at(2028, 3, 16, 0, 0, 0))
    [flag] = final_flags(pola_staff.party)
    assert flag.status == DefaultStatus.FLAGGED
    assert flag.due_date == dt.date(2028, 3, 15)  # the miss of the restarted clock


def test_resubmitting_within_the_window_holds_the_new_deadline_while_aqmd_decides(
    pola_staff, phase1, reviewer
):
    version = submit_final(pola_staff, phase1, at(2027, 12, 28, 15))
    decide(version, reviewer, "changes_requested", at(2028, 1, 15, 10), "Name the funding.")
    with time_machine.travel(at(2028, 2, 1, 9), tick=False):
        revised, _ = services.plan_revise(plan=version.plan, actor=pola_staff)
    with time_machine.travel(at(2028, 3, 15, 23, 59, 59), tick=False):
        revised = services.version_submit(version=revised, actor=pola_staff)
    assert revised.submitted_by_deadline is True
    sweep(at(2028, 4, 1, 9))
    assert final_flags(pola_staff.party) == []
    decide(revised, reviewer, "approved", at(2028, 4, 10, 9))
    milestone = final_milestone(pola_staff.party)
    assert milestone.status == MilestoneStatus.MET and milestone.met_late is False
    assert PlanVersion.objects.get(pk=revised.pk).status == VersionStatus.APPROVED


@pytest.mark.parametrize(
    ("decided", "moved_to"),
    [
        # Sent back on November 1: the window ends December 31, not later than the deadline.
        (dt.datetime(2027, 11, 1, 10, tzinfo=PACIFIC), None),
        # On November 2 the window ends January 1: the deadline moves.
        (dt.datetime(2027, 11, 2, 10, tzinfo=PACIFIC), dt.date(2028, 1, 1)),
    ],
)
def test_sent_back_before_the_deadline_the_date_moves_only_if_the_window_ends_later(
    pola_staff, phase1, reviewer, decided, moved_to
):
    version = submit_final(pola_staff, phase1, at(2027, 10, 15, 12))
    decide(version, reviewer, "changes_requested", decided, "Add the schedule.")
    milestone = final_milestone(pola_staff.party)
    assert milestone.due_date == (moved_to or DUE)
    assert MilestoneDateChange.objects.filter(milestone=milestone).exists() is bool(moved_to)
