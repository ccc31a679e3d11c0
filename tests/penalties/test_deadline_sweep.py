"""The deadline sweep records exactly one default per missed milestone, at 23:59:59 Pacific."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection

from agreement.models import Milestone, MilestoneKind
from agreement.services import milestone_complete
from audit.models import AuditEvent
from penalties.flexibility import extension_request_decide, extension_request_file
from penalties.models import Default, Notice, NoticeKind, Penalty, PenaltySchedule, PenaltyStatus
from penalties.notices import notice_deliver
from penalties.services import NoScheduleInForce
from penalties.sweep import (
    missed_milestones,
    process_one,
    record_late_completions,
    sweep_deadlines,
)
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
def test_a_default_is_recorded_only_after_235959_pacific_and_only_for_default_kinds(
    pola, kind, is_default_kind, moment
):
    due, now, missed = MOMENTS[moment]
    milestone = _milestone_of_kind(kind, pola)
    Milestone.objects.filter(pk=milestone.pk).update(due_date=due)
    with time_machine.travel(now, tick=False):
        sweep_deadlines(now)
    expected = missed and is_default_kind
    assert Default.objects.filter(milestone=milestone).exists() is expected
    assert Penalty.objects.filter(default__milestone=milestone).exists() is expected


def test_a_default_records_the_missed_due_date_and_a_system_audit_event(pola):
    milestone = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 2, 1))
    now = pacific(2027, 2, 2, 0, 0, 1)
    with time_machine.travel(now, tick=False):
        sweep_deadlines(now)
    default = Default.objects.get(milestone=milestone)
    assert default.due_date == dt.date(2027, 2, 1)
    assert default.detected_at == now
    assert default.party == pola
    event = AuditEvent.objects.for_object(default).get()
    assert event.action == "default.recorded"
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
    assert Penalty.objects.count() == 2
    assert Notice.objects.filter(kind=NoticeKind.DEFAULT).count() == 2
    assert len([m for m in mail.outbox if "Notice of default" in m.subject]) == 2


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


def test_the_notice_of_default_goes_to_the_ports_staff_once_and_marks_the_penalty(
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
        assert len(callbacks) == 1
        notice = Notice.objects.get(milestone=milestone, kind=NoticeKind.DEFAULT)
        assert notice_deliver(notice_id=notice.pk) is False  # a retry sends nothing
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [pola_staff.email]
    assert "Install chargers" in message.subject
    assert "$50,000.00" in message.body
    penalty = Penalty.objects.get(default__milestone=milestone)
    assert penalty.status == PenaltyStatus.NOTICE_SENT
    assert penalty.notice_sent_at is not None
    assert AuditEvent.objects.filter(action="notice.sent.default").count() == 1
    assert AuditEvent.objects.filter(action="penalty.notice_sent", actor=None).count() == 1


def test_a_milestone_met_late_stays_a_default_and_shows_as_cured(pola, pola_staff):
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
    default = Default.objects.select_related("milestone").get(milestone=milestone)
    assert default.status == "active"
    assert default.is_cured and default.cured_at == met_at
    assert Penalty.objects.get(default=default).status != PenaltyStatus.WITHDRAWN


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


def test_a_crash_after_claiming_rolls_back_and_a_rerun_completes_without_duplicates(pola):
    """No schedule in force: the step fails after inserting the default; nothing is kept."""
    milestone = MilestoneFactory.create(party=pola, due_date=dt.date(2025, 11, 1))
    early = pacific(2025, 11, 5, 9)  # the seeded schedule starts 2025-11-20
    with time_machine.travel(early, tick=False), pytest.raises(NoScheduleInForce):
        sweep_deadlines(early)
    assert Default.objects.count() == 0
    assert Penalty.objects.count() == 0
    assert Notice.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="default.").exists()

    later = pacific(2025, 11, 21, 9)
    with time_machine.travel(later, tick=False):
        assert sweep_deadlines(later) == 1
        assert sweep_deadlines(later) == 0
    default = Default.objects.get(milestone=milestone)
    assert default.ordinal == 1
    assert Penalty.objects.get(default=default).schedule == PenaltySchedule.objects.get()


def test_the_command_dry_run_prints_and_changes_nothing_then_records(pola, capsys):
    MilestoneFactory.create(party=pola, title="Shore power berth 1", due_date=dt.date(2026, 1, 5))
    call_command("sweep_deadlines", "--dry-run")
    out = capsys.readouterr().out
    assert "would record default #1 of POLA: Shore power berth 1" in out
    assert "$50,000.00" in out
    assert Default.objects.count() == 0
    call_command("sweep_deadlines")
    out = capsys.readouterr().out
    assert "recorded default #1 of POLA: Shore power berth 1 (due 2026-01-05)" in out
    assert "1 default(s) recorded." in out
    assert Default.objects.count() == 1


def test_a_milestone_met_late_before_any_sweep_is_still_recorded_as_a_cured_default(
    pola, pola_staff
):
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
    assert default.is_cured and default.ordinal == 1


def test_the_command_also_records_late_completions(pola, pola_staff, capsys):
    late = MilestoneFactory.create(party=pola, due_date=dt.date(2026, 1, 5))
    milestone_complete(milestone=late, completed_at=pacific(2026, 1, 9), actor=pola_staff)
    call_command("sweep_deadlines", "--dry-run")
    assert "would record default #1 of POLA" in capsys.readouterr().out
    call_command("sweep_deadlines")
    assert Default.objects.filter(milestone=late).count() == 1


def test_a_late_completion_waits_for_a_pending_extension_decision(pola, pola_staff, reviewer):
    """Asked in time, decided later: met late meanwhile is no default until AQMD refuses."""
    milestone = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 2, 1))
    with time_machine.travel(pacific(2027, 1, 20, 10), tick=False):
        request = extension_request_file(
            milestone=milestone,
            requested_due_date=dt.date(2027, 3, 1),
            reason="Transformer delivery slipped",
            actor=pola_staff,
        )
    milestone_complete(milestone=milestone, completed_at=pacific(2027, 2, 5, 9), actor=pola_staff)
    now = pacific(2027, 2, 6, 1, 30)
    with time_machine.travel(now, tick=False):
        assert record_late_completions(now) == 0
        extension_request_decide(request=request, grant=False, note="Not justified", actor=reviewer)
        assert record_late_completions(now) == 1
    assert Default.objects.get().milestone == milestone
