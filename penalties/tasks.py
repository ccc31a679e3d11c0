"""Celery tasks: each only calls a job or a service, takes ids, and is safe to run twice.

Time limits are set per task (the sweep's steps are short; a stuck step is killed and its
transaction rolls back).  ``acks_late`` with ``reject_on_worker_lost`` (settings) redelivers
a task whose worker died.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import reminders, sweep


@shared_task(name="penalties.sweep_deadlines", acks_late=True, soft_time_limit=240, time_limit=300)
def sweep_deadlines() -> int:
    """Flag every missed milestone for AQMD's determination (see ``penalties/sweep.py``)."""
    return sweep.sweep_deadlines(timezone.now())


@shared_task(
    name="penalties.record_late_completions", acks_late=True, soft_time_limit=240, time_limit=300
)
def record_late_completions() -> int:
    """Flag milestones met late before any sweep saw them missed."""
    return sweep.record_late_completions(timezone.now())


@shared_task(name="penalties.send_reminders", acks_late=True, soft_time_limit=240, time_limit=300)
def send_reminders() -> int:
    """Record and send the 60/30/7/1-day reminders and overdue notices that are due."""
    return reminders.send_reminders(timezone.now())
