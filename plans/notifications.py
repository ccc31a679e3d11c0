"""Email about plans: written to the outbox in the event's transaction, sent after commit.

Each (event, recipient) pair is one ``Notification`` row (unique in the database); the sender
claims a row with a conditional update before mailing it, so an event never mails anyone
twice, even if the sender runs again or concurrently.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User

from .models import Notification

logger = logging.getLogger(__name__)


def reviewers() -> list[User]:
    return list(User.objects.filter(role=Role.AQMD_REVIEWER, is_active=True).exclude(email=""))


def port_staff(party_id: int) -> list[User]:
    return list(
        User.objects.filter(role=Role.PORT_STAFF, party_id=party_id, is_active=True).exclude(
            email=""
        )
    )


def notify(
    *, event_key: str, recipients: Iterable[Any], subject: str, body: str, exclude: Any = None
) -> None:
    """Queue one email per recipient for ``event_key``; send them after the commit."""
    rows = [
        Notification(event_key=event_key, recipient=user, subject=subject[:200], body=body)
        for user in recipients
        if exclude is None or user.pk != getattr(exclude, "pk", None)
    ]
    if not rows:
        return
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(lambda: notifications_send(event_key=event_key), robust=True)


def notifications_send(*, event_key: str) -> int:
    """Send the unsent emails of one event; return how many this call sent.

    Runs after the commit of the event; safe to run again (it only sends unsent rows).
    """
    sent = 0
    pending = Notification.objects.filter(event_key=event_key, sent_at__isnull=True)
    for row in pending.select_related("recipient"):
        claimed = Notification.objects.filter(pk=row.pk, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
        if claimed != 1:
            continue  # another sender got it first
        try:
            send_mail(
                row.subject,
                row.body,
                settings.DEFAULT_FROM_EMAIL,
                [row.recipient.email],
                fail_silently=False,
            )
        except Exception:
            # The mail server refused: release the claim so a later run can send it.
            Notification.objects.filter(pk=row.pk).update(sent_at=None)
            logger.exception("Email %s to user %s not sent", event_key, row.recipient_id)
            continue
        sent += 1
    return sent
