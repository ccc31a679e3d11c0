"""Report runs nothing would finish are queued again by the 5-minute job
(reports/recovery.py): queued while the broker was down, or rendering when the worker died."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from reports.models import ReportRun, ReportStatus
from reports.recovery import requeue_stalled_runs
from reports.services import STALE_AFTER, report_run_request
from tests.commits import work


@pytest.fixture
def run(agreement) -> ReportRun:
    return report_run_request(year=2025, party=None, actor=None, enqueue=False)


def test_a_run_queued_for_over_five_minutes_has_its_render_task_sent_again(
    run, django_capture_on_commit_callbacks
):
    now = run.requested_at + dt.timedelta(minutes=4)
    with django_capture_on_commit_callbacks() as callbacks:
        assert requeue_stalled_runs(now) == 0
    assert work(callbacks) == []
    with django_capture_on_commit_callbacks() as callbacks:
        assert requeue_stalled_runs(now + dt.timedelta(minutes=2)) == 1
    assert len(work(callbacks)) == 1
    run.refresh_from_db()
    assert run.status == ReportStatus.QUEUED


def test_a_run_left_rendering_past_the_time_limit_is_queued_again_and_audited(
    run, django_capture_on_commit_callbacks
):
    started = timezone.now()
    ReportRun.objects.filter(pk=run.pk).update(status=ReportStatus.RENDERING, started_at=started)
    with django_capture_on_commit_callbacks() as callbacks:
        assert requeue_stalled_runs(started + STALE_AFTER - dt.timedelta(seconds=1)) == 0
    assert work(callbacks) == []
    with django_capture_on_commit_callbacks() as callbacks:
        assert requeue_stalled_runs(started + STALE_AFTER + dt.timedelta(seconds=1)) == 1
    assert len(work(callbacks)) == 1
    run.refresh_from_db()
    assert run.status == ReportStatus.QUEUED and run.started_at is None
    event = AuditEvent.objects.get(action="report_run.requeued")
    assert event.before == {"status": "rendering"} and event.after == {"status": "queued"}


def test_ready_and_failed_runs_are_left_alone(run):
    ReportRun.objects.filter(pk=run.pk).update(status=ReportStatus.FAILED, error="boom")
    assert requeue_stalled_runs(timezone.now() + dt.timedelta(days=1)) == 0


def test_the_job_is_scheduled_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reports.requeue_stalled_runs"]
    assert entry["task"] == "reports.requeue_stalled_runs"
    assert str(entry["schedule"]._orig_minute) == "*/5"
