"""A Celery worker SIGKILLed in the middle of a report render: no run is left "rendering"
forever.  After a new worker starts, the recovery job (every 5 minutes, from beat) finds the
run rendering past the render time limit, queues it again, and it renders exactly once more.
"""

from __future__ import annotations

import datetime as dt
import os
import signal

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from config.celery import app as celery_app
from reports.models import ReportRun, ReportStatus
from reports.recovery import requeue_stalled_runs
from reports.seed import seed_public_inventories
from reports.services import STALE_AFTER, report_run_request
from tests.processes import celery_worker, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_render_killed_midway_is_rendered_once_after_recovery(agreement, tmp_path, settings):
    seed_public_inventories()
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    env = {
        "CELERY_BROKER_URL": celery_app.conf.broker_url,
        "CELERY_VISIBILITY_TIMEOUT": "10",
        "MEDIA_ROOT": str(media),
    }
    celery_app.control.purge()
    celery_app.conf.task_always_eager = False
    with celery_worker(tmp_path, "render-first", **env) as first:
        run = report_run_request(year=2025, party=None, actor=None)  # sent after commit
        assert wait_for(
            lambda: ReportRun.objects.get(pk=run.pk).status == ReportStatus.RENDERING, timeout=60
        )
        os.killpg(first.pid, signal.SIGKILL)
        first.popen.wait(10)
    run.refresh_from_db()
    assert run.status == ReportStatus.RENDERING and run.attempts == 1

    with celery_worker(tmp_path, "render-second", **env) as second:
        # The unacknowledged task comes back to the new worker, which leaves a run another
        # worker claimed moments ago alone: it may still be rendering somewhere.
        assert wait_for(lambda: "render_report_run" in second.output(), timeout=60)
        run.refresh_from_db()
        assert run.status == ReportStatus.RENDERING
        # The recovery job, as beat runs it once the render time limit has passed.
        assert requeue_stalled_runs(timezone.now() + STALE_AFTER + dt.timedelta(seconds=1)) == 1
        assert wait_for(
            lambda: ReportRun.objects.get(pk=run.pk).status == ReportStatus.READY, timeout=120
        ), second.output()[-3000:]

    run.refresh_from_db()
    assert run.attempts == 2
    pdfs = list(media.rglob("*.pdf"))
    assert [p.relative_to(media).as_posix() for p in pdfs] == [run.pdf.name]
    actions = list(
        AuditEvent.objects.filter(object_type="reports.reportrun", object_id=str(run.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "report_run.requested",
        "report_run.rendering",  # the killed worker's claim
        "report_run.requeued",
        "report_run.rendering",
        "report_run.ready",
    ]
    assert ReportRun.objects.filter(year=2025, party=None).count() == 1
    print(
        f"render killed mid-way (attempt 1); after recovery: {run.status}, {run.attempts} "
        f"attempts, {len(pdfs)} PDF, audit {', '.join(actions)}"
    )
