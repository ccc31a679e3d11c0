"""The deadline sweep flags exactly one potential default per missed milestone, at 23:59:59
Pacific; it assesses no penalty (AQMD's determination does: test_determinations.py)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection

from agreement.models import Milestone, MilestoneKind
from agreement.services import milestone_complete
from audit.models import AuditEvent
from core.models import OutboxMessage
from core.outbox import outbox_deliver
from penalties.milestone_requests import request_decide, request_file
from penalties.models import (
    Default,
    DefaultStatus,
    Notice,
    NoticeKind,
    Penalty,
    PenaltySchedule,
    SweepFailure,
)
from penalties.sweep import (
    missed_milestones,
    process_one,
    record_late_completions,
    sweep_deadlines,
)
from tests.commits import work
from tests.factories import MilestoneFactory

from .conftest import pacific

WINTER_DUE = dt.date(2027, 1, 15)  # Pacific Standard Time, UTC-8
SUMMER_DUE = dt.date(2027, 7, 15)  # Pacific Daylight Time, UTC-7

# The boundary in UTC: the last on-time second and the first late one.
MOMENTS = {
    # (due date, moment, missed?)
    "winter-before": (WINTER_DUE, dt.datetime(2027, 1, 16, 7, 0, 0, tzinfo=dt.UTC), False),
    "winter-at-235959": (WINTER_DUE, dt.datetime(2027, 1, 16, 7, 59, 59, tzinfo=dt.UTC), False),
    "winter-last-fraction": (
        WINTER_DUE,
        dt.datetime(2027, 1, 16, 7, 59, 59, 999999, tzinfo=dt.UTC),
        False,
    ),
    "winter-after": (WINTER_DUE, dt.datetime(2027, 1, 16, 8, 0, 0, tzinfo=dt.UTC), True),
    "summer-before": (SUMMER_DUE, dt.datetime(2027, 7, 16, 6, 0, 0, tzinfo=dt.UTC), False),
    "summer-at-235959": (SUMMER_DUE, dt.datetime(2027, 7, 16, 6, 59, 59, tzinfo=dt.UTC), False),
    "summer-after": (SUMMER_DUE, dt.datetime(2027, 7, 16, 7, 0, 0, tzinfo=dt.UTC), True),
}


def _milestone_of_kind(kind: str, pola) -> Milestone:
    """A POLA milestone of ``kind`` (the seeded plan and report milestones, or a project)."""
    if kind == "project":
        return MilestoneFactory.create(party=pola, kind=MilestoneKind.PROJECT)
    if kind == "project_outside_control":
        return MilestoneFactory.create(
            party=pola, kind=MilestoneKind.PROJECT, within_port_control=False
        )
    if kind == "annual_report":
        return Milestone.objects.get(party=pola, kind=kind, reporting_year=2026)
    return Milestone.objects.get(party=pola, kind=kind, phase__number=2)


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize(
    ("kind", "is_default_kind"),
    [
        ("draft_plan", True),
        ("final_plan", True),
        ("project", True),
        ("annual_report", False),
        ("project_outside_control", False),
    ],
)
def test_a_miss_is_flagged_only_after_235959_pacific_and_only_for_default_kinds(
    pola, kind, is_default_kind, moment
):
    due, now, missed = MOMENTS[moment]
    milestone = _milestone_of_kind(kind, pola)
    Milestone.objects.filter(pk=milestone.pk).update(due_date=due)
    with time_machine.travel(now, tick=False):
        sweep_deadlines(now)
    expected = missed and is_default_kind
    assert Default.objects.filter(milestone=milestone, status="flagged").exists() is expected
    assert not Penalty.objects.exists()  # the sweep proposes; only AQMD assesses


def test_a_flag_records_the_missed_due_date_its_proposal_and_a_system_audit_event(pola):
    milestone = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 2, 1))
    now = pacific(2027, 2, 2, 0, 0, 1)
    with time_machine.travel(now, tick=False):
        sweep_deadlines(now)
    default = Default.objects.get(milestone=milestone)
    assert default.status == DefaultStatus.FLAGGED
    assert default.due_date == dt.date(2027, 2, 1)
    assert default.detected_at == now
    assert default.party == pola
    assert default.ordinal is None  # numbered only when AQMD confirms it
    assert default.proposed_amount == 50000
    assert default.proposed_schedule == PenaltySchedule.objects.get()
    assert default.proposal_is_provisional
    event = AuditEvent.objects.for_object(default).get()
    assert event.action == "default.flagged"
    assert event.actor is None and event.actor_label == "system"


def test_running_the_sweep_again_records_nothing_new(
    pola, pola_staff, django_capture_on_commit_callbacks
):
    MilestoneFactory.create(party=pola, due_date=dt.date(2027, 2, 1))
    MilestoneFactory.create(party=pola, due_date=dt.date(2027, 2, 3))
    now = pacific(2027, 3, 1, 9)
    with (
        time_machine.travel(now, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert sweep_deadlines(now) == 2
        assert sweep_deadlines(now) == 0
        assert sweep_deadlines(now) == 0
    assert Default.objects.count() == 2
    assert Penalty.objects.count() == 0
    assert Notice.objects.filter(kind=NoticeKind.POTENTIAL_DEFAULT).count() == 2
    assert len([m for m in mail.outbox if "Notice of potential default" in m.subject]) == 2


def test_a_notice_of_potential_default_already_on_record_does_not_stop_the_flag(pola):
    # A notice without its default (a row restored by hand): the sweep still flags the miss,
    # keeps the one notice, and moves on to the next miss instead of claiming this one again.
    stray = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 2, 1))
    later = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 2, 3))
    Notice.objects.create(
        milestone=stray,
        party=pola,
        kind=NoticeKind.POTENTIAL_DEFAULT,
        due_date=stray.due_date,
        created_at=pacific(2027, 2, 2, 9),
    )
    now = pacific(2027, 3, 1, 9)
    with time_machine.travel(now, tick=False):
        assert process_one(now) is True
        assert process_one(now) is True
        assert process_one(now) is False  # nothing claimed twice
    assert set(Default.objects.values_list("milestone", flat=True)) == {stray.pk, later.pk}
    assert Notice.objects.filter(milestone=stray, kind=NoticeKind.POTENTIAL_DEFAULT).count() == 1
    assert Notice.objects.filter(milestone=later, kind=NoticeKind.POTENTIAL_DEFAULT).count() == 1


def test_process_one_handles_one_milestone_per_call(pola):
    MilestoneFactory.create(party=pola, due_date=dt.date(2027, 2, 1))
    MilestoneFactory.create(party=pola, due_date=dt.date(2027, 2, 3))
    now = pacific(2027, 3, 1, 9)
    with time_machine.travel(now, tick=False):
        assert process_one(now) is True
        assert Default.objects.count() == 1
        assert process_one(now) is True
        assert process_one(now) is False
    assert Default.objects.count() == 2


def test_the_notice_of_potential_default_goes_to_the_ports_staff_once(
    pola, pola_staff, polb_staff, django_capture_on_commit_callbacks
):
    milestone = MilestoneFactory.create(
        party=pola, title="Install chargers", due_date=dt.date(2027, 2, 1)
    )
    now = pacific(2027, 2, 2, 9)
    with time_machine.travel(now, tick=False):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            sweep_deadlines(now)
            sweep_deadlines(now)
        assert len(work(callbacks)) == 1
        message_row = OutboxMessage.objects.get()
        assert outbox_deliver(message_row.pk) is False  # a retry sends nothing
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [pola_staff.email]
    assert message.subject == "Notice of potential default: Install chargers"
    assert "$50,000.00" in message.body
    assert "AQMD will determine whether it is a default" in message.body
    assert "provisional" in message.body  # the seeded schedule is provisional: it says so
    notice = Notice.objects.get(milestone=milestone, kind=NoticeKind.POTENTIAL_DEFAULT)
    assert notice.sent_at == now
    assert AuditEvent.objects.filter(action="notice.sent.potential_default").count() == 1


def test_a_milestone_met_late_stays_flagged_and_shows_as_cured(pola, pola_staff):
    milestone = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 6, 30))
    now = pacific(2027, 7, 1, 0, 15)
    with time_machine.travel(now, tick=False):
        sweep_deadlines(now)
    default = Default.objects.get(milestone=milestone)
    assert not default.is_cured
    met_at = pacific(2027, 7, 3, 10)
    milestone_complete(milestone=milestone, completed_at=met_at, actor=pola_staff)
    with time_machine.travel(pacific(2027, 7, 4), tick=False):
        sweep_deadlines(pacific(2027, 7, 4))
        record_late_completions(pacific(2027, 7, 4))
    default = Default.objects.select_related("milestone").get(milestone=milestone)
    assert default.status == DefaultStatus.FLAGGED  # AQMD still decides
    assert default.is_cured and default.cured_at == met_at
    assert Default.objects.filter(milestone=milestone).count() == 1


def test_a_milestone_met_on_time_or_excused_gets_no_default(pola, pola_staff, reviewer):
    met = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 6, 30))
    milestone_complete(
        milestone=met, completed_at=pacific(2027, 6, 30, 23, 59, 59), actor=pola_staff
    )
    now = pacific(2027, 7, 2)
    with time_machine.travel(now, tick=False):
        sweep_deadlines(now)
    assert not Default.objects.filter(milestone=met).exists()


@pytest.mark.django_db(transaction=True)
def test_a_sweep_with_nothing_due_is_one_query(pola, django_assert_num_queries):
    """Outside a test transaction (as in the worker): no savepoints, just the one SELECT."""
    now = pacific(2026, 12, 1, 9)  # before every seeded due date
    with django_assert_num_queries(1):
        assert sweep_deadlines(now) == 0


def test_the_sweep_query_can_use_the_open_milestone_index(pola):
    sql, params = missed_milestones(pacific(2027, 1, 1)).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "milestone_open_due_idx" in plan, plan


def test_a_row_that_fails_is_set_aside_the_others_are_flagged_and_it_completes_later(
    pola, administrator, django_capture_on_commit_callbacks
):
    """No schedule in force at the miss: flagging that row fails after inserting its default.
    Nothing of it is kept, the sweep goes on with the other rows (one bad row cannot stop
    every sweep), AQMD administrators are told once, and a later run completes it."""
    bad = MilestoneFactory.create(party=pola, due_date=dt.date(2025, 11, 1))
    good = MilestoneFactory.create(party=pola, due_date=dt.date(2025, 11, 25))
    schedule = PenaltySchedule.objects.get()  # effective from 2025-11-20
    now = pacific(2025, 12, 1, 9)
    with (
        time_machine.travel(now, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert sweep_deadlines(now) == 2  # both looked at; one flagged, one set aside
        assert sweep_deadlines(now) == 0  # the set-aside row waits for its backoff
    assert list(Default.objects.values_list("milestone", flat=True)) == [good.pk]
    failure = SweepFailure.objects.get()
    assert failure.milestone == bad and failure.attempts == 1 and failure.resolved_at is None
    assert "NoScheduleInForce" in failure.last_error
    assert not Notice.objects.filter(milestone=bad).exists()
    alerts = [m for m in mail.outbox if "could not process" in m.subject]
    assert [m.to for m in alerts] == [[administrator.email]]

    # The administrator backdates the schedule; after the backoff the row is flagged.
    PenaltySchedule.objects.filter(pk=schedule.pk).update(effective_from=dt.date(2025, 1, 1))
    later = now + dt.timedelta(minutes=16)
    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert sweep_deadlines(later) == 1
        assert sweep_deadlines(later) == 0
    assert Default.objects.filter(milestone=bad).count() == 1
    failure.refresh_from_db()
    assert failure.resolved_at == later
    assert len([m for m in mail.outbox if "could not process" in m.subject]) == 1


def test_the_command_dry_run_prints_and_changes_nothing_then_flags(pola, capsys):
    MilestoneFactory.create(party=pola, title="Shore power berth 1", due_date=dt.date(2026, 1, 5))
    call_command("sweep_deadlines", "--dry-run")
    out = capsys.readouterr().out
    assert "would flag POLA: Shore power berth 1 (due 2026-01-05)" in out
    assert "proposed penalty $50,000.00 (provisional schedule)" in out
    assert Default.objects.count() == 0
    call_command("sweep_deadlines")
    out = capsys.readouterr().out
    assert "flagged POLA: Shore power berth 1 (due 2026-01-05)" in out
    assert "1 missed deadline(s) flagged for AQMD's determination." in out
    assert Default.objects.get().status == DefaultStatus.FLAGGED


def test_a_milestone_met_late_before_any_sweep_is_still_flagged_and_shown_cured(pola, pola_staff):
    """The port delivered at 00:05 after the deadline, before the next 15-minute sweep."""
    late = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 2, 1))
    on_time = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 2, 1))
    outside = MilestoneFactory.create(
        party=pola, due_date=dt.date(2027, 2, 1), within_port_control=False
    )
    milestone_complete(milestone=late, completed_at=pacific(2027, 2, 2, 0, 5), actor=pola_staff)
    milestone_complete(milestone=outside, completed_at=pacific(2027, 2, 2, 0, 5), actor=pola_staff)
    milestone_complete(
        milestone=on_time, completed_at=pacific(2027, 2, 1, 23, 59, 59), actor=pola_staff
    )
    now = pacific(2027, 2, 2, 1, 30)
    with time_machine.travel(now, tick=False):
        assert sweep_deadlines(now) == 0  # the 15-minute sweep looks at open milestones only
        assert record_late_completions(now) == 1
        assert record_late_completions(now) == 0
    default = Default.objects.select_related("milestone").get()
    assert default.milestone == late
    assert default.is_cured and default.status == DefaultStatus.FLAGGED


def test_the_command_also_records_late_completions(pola, pola_staff, capsys):
    late = MilestoneFactory.create(party=pola, due_date=dt.date(2026, 1, 5))
    milestone_complete(milestone=late, completed_at=pacific(2026, 1, 9), actor=pola_staff)
    call_command("sweep_deadlines", "--dry-run")
    assert "would flag POLA" in capsys.readouterr().out
    call_command("sweep_deadlines")
    assert Default.objects.filter(milestone=late).count() == 1


def test_a_late_completion_waits_for_a_pending_extension_decision(pola, pola_staff, reviewer):
    """Asked in time, decided later: met late meanwhile is no default until AQMD refuses."""
    milestone = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 2, 1))
    with time_machine.travel(pacific(2027, 1, 20, 10), tick=False):
        request = request_file(
            kind="extension",
            milestone=milestone,
            requested_due_date=dt.date(2027, 3, 1),
            reason="Transformer delivery slipped",
            actor=pola_staff,
        )
    milestone_complete(milestone=milestone, completed_at=pacific(2027, 2, 5, 9), actor=pola_staff)
    now = pacific(2027, 2, 6, 1, 30)
    with time_machine.travel(now, tick=False):
        assert record_late_completions(now) == 0
        request_decide(request=request, accept=False, note="Not justified", actor=reviewer)
        assert record_late_completions(now) == 1
    assert Default.objects.get().milestone == milestone
