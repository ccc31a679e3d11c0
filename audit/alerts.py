"""Tell AQMD administrators that the audit chain is broken (through the outbox)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.outbox import Mail, aqmd_admins, mail_language, outbox_put

from .chain import Verification

logger = logging.getLogger(__name__)


def alert_chain_broken(result: Verification) -> int:
    """Queue a message to each administrator; returns how many will be told.

    One message per administrator per day and break: the daily check repeats the alert until
    the chain is repaired, and a retried check the same day sends nothing twice.
    """
    logger.error("Audit log chain broken: %s", result.broken)
    recipients = aqmd_admins()
    if not recipients:
        logger.error("No AQMD administrator with an email to alert about the audit chain.")
        return 0
    where = result.broken.event_id if result.broken else None
    with mail_language():
        subject = _("Audit log integrity check FAILED")
        body = _(
            "The daily check of the compliance tracker's audit log found a break in its hash "
            "chain at %(where)s.\n\n"
            "%(checked)s events before it verified. An event was changed, deleted or inserted "
            "outside the application (the database refuses this unless its trigger is "
            "disabled). Investigate before relying on the audit trail; run\n"
            "    python manage.py verify_audit_log\n"
            "to see the current state.\n"
        ) % {"where": result.broken, "checked": result.checked}
    key = f"audit-chain-broken:{where}:{timezone.localdate().isoformat()}"
    with transaction.atomic():
        outbox_put(Mail(event_key=key, recipients=recipients, subject=subject, body=body))
    return len(recipients)
