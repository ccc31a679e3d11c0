"""The daily check of the audit hash chain (scheduled in ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task

from .alerts import alert_chain_broken
from .chain import verify


@shared_task(name="audit.verify_chain", acks_late=True, soft_time_limit=1700, time_limit=1800)
def verify_chain() -> bool:
    """Verify the whole chain; on a break, alert AQMD administrators.  Read-only otherwise."""
    result = verify()
    if not result.ok:
        alert_chain_broken(result)
    return result.ok
