"""Celery tasks of the reports app.  Each only calls a service; see reports/services.py."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_init
from django.utils import timezone

from .services import RENDER_TIME_LIMIT, report_run_render


@shared_task(
    acks_late=True,
    time_limit=RENDER_TIME_LIMIT,
    soft_time_limit=RENDER_TIME_LIMIT - 30,
    ignore_result=True,
)
def render_report_run(run_id: int) -> str:
    """Render a queued report run.  Safe to re-run: the run is claimed queued -> rendering."""
    return str(report_run_render(run_id=run_id).status)


@shared_task(
    name="reports.requeue_stalled_runs", acks_late=True, soft_time_limit=110, time_limit=120
)
def requeue_stalled_runs() -> int:
    """Queue again the runs left queued or rendering too long (see reports/recovery.py)."""
    from .recovery import requeue_stalled_runs as requeue

    return requeue(timezone.now())


@worker_init.connect
def load_the_renderer(**kwargs: Any) -> None:
    """In the worker's main process, before the pool starts: import WeasyPrint and matplotlib
    (with its font list) and draw one chart of each kind (font lookups), once, rather than in
    each pool process's first render (several seconds on a busy machine)."""
    import weasyprint  # noqa: F401

    from . import charts

    charts.warm_up()
