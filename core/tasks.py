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


@shared_task(name="core.outbox_deliver_many", acks_late=True, soft_time_limit=540, time_limit=600)
def outbox_deliver_many(message_ids: list[int]) -> int:
    """:func:`outbox_deliver` for the messages of a batch job (one broker message for up to
    :data:`core.outbox.DELIVER_CHUNK` e-mails).  Each is claimed and sent on its own; what a
    time limit interrupts stays pending for the redelivery job.  Returns how many were sent."""
    return sum(1 for message_id in message_ids if outbox.outbox_deliver(message_id))
