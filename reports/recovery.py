"""Report runs that nothing will finish are queued again (every 5 minutes, from beat).

Two ways a run gets stuck: the broker was down when it was requested (the run is saved as
*queued* but its render task was never sent), or the worker rendering it died (SIGKILL,
out of memory, a lost machine) and left it *rendering*.  ``requeue_stalled_runs(now)``:

- sends the render task again for every run queued longer than
  ``settings.REPORT_QUEUED_STALE_SECONDS`` (5 minutes);
- puts back to *queued* (a conditional update, audited) every run rendering for longer
  than the render task's hard time limit (``STALE_AFTER``): no live worker can still be on
  it, and sends its render task.

Sending a render task twice is harmless: the task claims the run with a conditional update
(queued -> rendering), so exactly one rendering happens and the other task does nothing.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from audit.services import audit_record

from .models import ReportRun, ReportStatus
from .services import STALE_AFTER, enqueue_render

logger = logging.getLogger(__name__)


def queued_stale_after() -> dt.timedelta:
    """How long a run may wait in the queue before its task is sent again (default 5 min)."""
    return dt.timedelta(seconds=settings.REPORT_QUEUED_STALE_SECONDS)


def stalled_runs(now: dt.datetime) -> list[int]:
    """Ids of runs queued or rendering for too long (``report_run_status_idx``)."""
    stalled = Q(status=ReportStatus.QUEUED, requested_at__lt=now - queued_stale_after()) | Q(
        status=ReportStatus.RENDERING, started_at__lt=now - STALE_AFTER
    )
    return list(ReportRun.objects.filter(stalled).order_by("pk").values_list("pk", flat=True))


def requeue_one(run_id: int, now: dt.datetime) -> bool:
    """Queue one stalled run again; False when it is no longer stalled (someone moved it)."""
    with transaction.atomic():
        reset = ReportRun.objects.filter(
            pk=run_id, status=ReportStatus.RENDERING, started_at__lt=now - STALE_AFTER
        ).update(status=ReportStatus.QUEUED, started_at=None)
        if reset:
            run = ReportRun.objects.get(pk=run_id)
            audit_record(
                actor=None,
                action="report_run.requeued",
                obj=run,
                before={"status": ReportStatus.RENDERING},
                after={"status": ReportStatus.QUEUED},
                note="Rendering outlived the render time limit: its worker died.",
            )
        elif not ReportRun.objects.filter(
            pk=run_id, status=ReportStatus.QUEUED, requested_at__lt=now - queued_stale_after()
        ).exists():
            return False
        enqueue_render(run_id)
    logger.info("Report run %s queued again", run_id)
    return True


def requeue_stalled_runs(now: dt.datetime) -> int:
    """Queue every stalled run again; returns how many."""
    return sum(requeue_one(run_id, now) for run_id in stalled_runs(now))
