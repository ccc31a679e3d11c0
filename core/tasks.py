"""Celery tasks of the outbox: each takes ids, calls :mod:`core.outbox`, is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import outbox


@shared_task(name="core.outbox_deliver", acks_late=True, soft_time_limit=50, time_limit=60)
def outbox_deliver(message_id: int) -> bool:
    """Send one outbox message unless it was sent already (failures are retried by the
    redelivery job, with backoff)."""
    return outbox.outbox_deliver(message_id)


@shared_task(name="core.outbox_redeliver", acks_late=True, soft_time_limit=240, time_limit=300)
def outbox_redeliver() -> int:
    """Send the pending messages that are due: failed before, or never enqueued."""
    return outbox.outbox_redeliver()
