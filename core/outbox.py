"""The one outbox: every e-mail the application sends goes through here.

* A service puts its messages in the outbox inside the transaction of the event
  (:func:`outbox_put`, or ``notify=`` on :func:`core.workflow.transition`): one
  :class:`~core.models.OutboxMessage` per recipient, unique per (event, recipient).
* After commit, the Celery task ``core.outbox_deliver`` sends each one
  (:func:`outbox_deliver`): it claims the row with ``select_for_update(skip_locked=True)``,
  sends, marks it sent and runs its delivery hook, all in one transaction.  A batch job's
  thousands of messages go a chunk to a task (``core.outbox_deliver_many``, the same claim
  for each).
* A message whose delivery failed (the mail server refused, the broker was down so no task
  ran) stays pending with a later ``next_attempt_at``; the beat job ``core.outbox_redeliver``
  (:func:`outbox_redeliver`) sends what is due, with exponential backoff, and gives up after
  :data:`MAX_ATTEMPTS` (the message stays on record as failed, visible in the admin).

At most once per (event, recipient): a message is sent only by the holder of its row lock
and only while pending; the one window for a duplicate is a crash between the mail server
accepting a message and the commit that marks it sent.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone, translation

from accounts.models import Role, User

from .models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

# A message whose task did not run within this grace period is picked up by the redelivery.
FIRST_RETRY_AFTER = dt.timedelta(minutes=2)
BACKOFF_BASE = dt.timedelta(minutes=2)
BACKOFF_MAX = dt.timedelta(hours=6)
MAX_ATTEMPTS = 12
REDELIVER_BATCH = 200
# A batch job's messages are enqueued this many to a task (core.outbox_deliver_many).
DELIVER_CHUNK = 50


@dataclass(frozen=True)
class Mail:
    """One message of one event to several people (each gets their own outbox row)."""

    event_key: str
    recipients: Sequence[Any]
    subject: str
    body: str
    hook: str = ""
    hook_arg: int | None = None
    exclude: Any = field(default=None)


# --- Who receives what ---------------------------------------------------------------------


def port_staff(party_id: int) -> list[User]:
    """The active staff of one port with an e-mail address."""
    return list(
        User.objects.filter(role=Role.PORT_STAFF, party_id=party_id, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def reviewers() -> list[User]:
    """AQMD reviewers with an e-mail address."""
    return list(
        User.objects.filter(role=Role.AQMD_REVIEWER, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def aqmd_admins() -> list[User]:
    """AQMD administrators (and superusers) with an e-mail address."""
    from django.db.models import Q

    return list(
        User.objects.filter(Q(role=Role.AQMD_ADMIN) | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def absolute_url(path: str) -> str:
    """A link for an e-mail: ``SITE_URL`` and the path."""
    return settings.SITE_URL.rstrip("/") + path


@contextmanager
def mail_language() -> Iterator[None]:
    """Messages are written in the site's language, whatever the request's is."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


# --- Delivery hooks ------------------------------------------------------------------------

_HOOKS: dict[str, Callable[[int, dt.datetime], None]] = {}


def register_hook(name: str, hook: Callable[[int, dt.datetime], None]) -> None:
    """``hook(hook_arg, sent_at)`` runs once, in the transaction that marks a message sent."""
    _HOOKS[name] = hook


# --- Putting messages in the outbox ---------------------------------------------------------


def outbox_put(mail: Mail) -> list[int]:
    """Queue ``mail`` for each recipient; deliver after commit.  Returns the new rows' ids.

    Call inside the transaction of the event.  A recipient already mailed for this event is
    skipped (the unique pair), so a repeated call sends nothing twice.
    """
    return outbox_put_many([mail])


def outbox_put_all(mails: Iterable[Mail]) -> list[int]:
    ids: list[int] = []
    for mail in mails:
        ids.extend(outbox_put(mail))
    return ids


def _wanted(mails: Sequence[Mail]) -> dict[tuple[str, int], tuple[Mail, Any]]:
    """Each (event key, recipient) to mail once: recipients with an address, the mail's
    ``exclude`` left out (the person who acted)."""
    wanted: dict[tuple[str, int], tuple[Mail, Any]] = {}
    for mail in mails:
        exclude_pk = getattr(mail.exclude, "pk", None)
        for user in mail.recipients:
            if user.pk != exclude_pk and user.email:
                wanted[(mail.event_key[:150], user.pk)] = (mail, user)
    return wanted


def outbox_put_many(mails: Sequence[Mail]) -> list[int]:
    """:func:`outbox_put` for many events at once (a batch job): three queries in all.

    The same rows and the same guarantees: one row per recipient and event (the unique pair;
    who was already mailed for an event is skipped), delivered after commit.
    """
    wanted = _wanted(mails)
    if not wanted:
        return []
    keys = {key for key, _ in wanted}
    existing = set(
        OutboxMessage.objects.filter(event_key__in=keys).values_list("event_key", "recipient_id")
    )
    now = timezone.now()
    rows = [
        OutboxMessage(
            event_key=key,
            recipient=user,
            to_email=user.email,
            subject=str(mail.subject)[:200],
            body=str(mail.body),
            created_at=now,
            next_attempt_at=now + FIRST_RETRY_AFTER,
            hook=mail.hook,
            hook_arg=mail.hook_arg,
        )
        for (key, pk), (mail, user) in wanted.items()
        if (key, pk) not in existing
    ]
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    new = {(row.event_key, row.recipient_id) for row in rows}
    ids = [
        pk
        for pk, key, recipient_id in OutboxMessage.objects.filter(
            event_key__in={key for key, _ in new}, status=OutboxStatus.PENDING
        ).values_list("pk", "event_key", "recipient_id")
        if (key, recipient_id) in new
    ]
    _deliver_after_commit(ids)
    return ids


_INSERT_ROWS = """
INSERT INTO {table} (event_key, recipient_id, to_email, subject, body, status, created_at,
                     attempts, next_attempt_at, last_error, sent_at, hook, hook_arg)
SELECT event_key, recipient_id, to_email, subject, body, %s, %s, 0, %s, '', NULL, hook, hook_arg
  FROM ROWS FROM (json_to_recordset(%s::json)
            AS (event_key text, recipient_id bigint, to_email text, subject text, body text,
                hook text, hook_arg bigint))
       WITH ORDINALITY AS row(event_key, recipient_id, to_email, subject, body, hook, hook_arg, n)
 ORDER BY n
ON CONFLICT (event_key, recipient_id) DO NOTHING
RETURNING id
"""


def outbox_put_rows(mails: Sequence[Mail]) -> list[int]:
    """:func:`outbox_put_many` in one statement, without model instances (the deadline
    sweep's batches): the same rows, each recipient already mailed for an event skipped
    (``ON CONFLICT DO NOTHING`` on the unique pair), delivered after commit by a task per
    :data:`DELIVER_CHUNK` messages rather than one per message."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return outbox_put_many(mails)
    wanted = _wanted(mails)
    if not wanted:
        return []
    now = timezone.now()
    rows = [
        {
            "event_key": key,
            "recipient_id": pk,
            "to_email": user.email,
            "subject": str(mail.subject)[:200],
            "body": str(mail.body),
            "hook": mail.hook,
            "hook_arg": mail.hook_arg,
        }
        for (key, pk), (mail, user) in wanted.items()
    ]
    sql = _INSERT_ROWS.format(table=connection.ops.quote_name(OutboxMessage._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [OutboxStatus.PENDING.value, now, now + FIRST_RETRY_AFTER, json.dumps(rows)]
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    _deliver_after_commit(ids, chunked=True)
    return ids


def _deliver_after_commit(ids: list[int], *, chunked: bool = False) -> None:
    """Enqueue the delivery of ``ids`` after commit: a task per message, or with
    ``chunked`` (a batch job's thousands of messages) a task per :data:`DELIVER_CHUNK`."""
    if not ids:
        return
    from .tasks import outbox_deliver as task  # the task module imports this one
    from .tasks import outbox_deliver_many

    def enqueue() -> None:
        if chunked:
            for start in range(0, len(ids), DELIVER_CHUNK):
                outbox_deliver_many.delay(ids[start : start + DELIVER_CHUNK])
            return
        for message_id in ids:
            task.delay(message_id)

    # robust: a broker that is down must not turn the user's request into an error; the
    # redelivery job sends the message once the broker is back.
    transaction.on_commit(enqueue, robust=True)


# --- Delivering -----------------------------------------------------------------------------


def _backoff(attempts: int) -> dt.timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def outbox_deliver(message_id: int, *, now: dt.datetime | None = None) -> bool:
    """Send one pending message.  True if it was sent now; False if there was nothing to do
    (sent already, given up, or another worker is sending it) or sending failed (recorded,
    retried later by :func:`outbox_redeliver`)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            row = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(pk=message_id, status=OutboxStatus.PENDING)
                .first()
            )
            if row is None:
                return False
            send_mail(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.to_email])
            row.status, row.sent_at, row.attempts = OutboxStatus.SENT, now, row.attempts + 1
            row.save(update_fields=["status", "sent_at", "attempts"])
            _run_hook(row, now)
    except Exception as exc:  # the mail server refused or the connection failed
        _record_failure(message_id, exc, now)
        return False
    return True


def _run_hook(row: OutboxMessage, now: dt.datetime) -> None:
    if not row.hook:
        return
    hook = _HOOKS.get(row.hook)
    if hook is None:
        logger.error("Outbox message %s names an unknown hook %r", row.pk, row.hook)
        return
    try:
        with transaction.atomic():
            hook(int(row.hook_arg or 0), now)
    except Exception:
        # The message went out; a failing hook must not send it again.
        logger.exception("Delivery hook %s of outbox message %s failed", row.hook, row.pk)


def _record_failure(message_id: int, exc: Exception, now: dt.datetime) -> None:
    logger.warning("Outbox message %s not sent: %s", message_id, exc)
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if row is None or row.status != OutboxStatus.PENDING:
            return
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        row.next_attempt_at = now + _backoff(row.attempts)
        if row.attempts >= MAX_ATTEMPTS:
            row.status = OutboxStatus.FAILED
            logger.error("Outbox message %s given up after %s attempts", row.pk, row.attempts)
        row.save(update_fields=["attempts", "last_error", "next_attempt_at", "status"])


def outbox_due(now: dt.datetime) -> list[int]:
    """Pending messages whose next attempt is due, oldest first (a bounded batch)."""
    return list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:REDELIVER_BATCH]
    )


def outbox_redeliver(now: dt.datetime | None = None) -> int:
    """Send every pending message that is due (failed before, or never enqueued).  Returns
    how many were sent."""
    now = now or timezone.now()
    return sum(1 for message_id in outbox_due(now) if outbox_deliver(message_id, now=now))
