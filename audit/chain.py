"""The audit hash chain: each event's SHA-256 covers its content and the previous event's hash.

``event_hash(event)`` is the one definition of what is hashed: the event's fields (not its
id, which the database assigns after) as canonical JSON (sorted keys, no spaces, UTF-8),
with ``prev_hash``.  ``append(event)`` links a new, unsaved event to the chain head under a
row lock and saves it; ``verify()`` walks the whole chain in id order and returns the first
break, if any.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from core.cache import note_change

from .models import AuditChainHead, AuditEvent

HASHED_FIELDS = [
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "party_id",
    "before",
    "after",
    "note",
    "prev_hash",
]


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # Stored as an aware instant; hashed in UTC so the database's time zone plays no part.
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def event_hash(event: AuditEvent) -> str:
    return _hash_of({name: getattr(event, name) for name in HASHED_FIELDS})


def _hash_of(fields: dict[str, Any]) -> str:
    """The SHA-256 of an event's hashed fields (``HASHED_FIELDS``) as canonical JSON."""
    payload = {name: _canonical(fields[name]) for name in HASHED_FIELDS}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _settle_before_locking(*events: AuditEvent) -> None:
    _settle_parents_before_locking(
        party_ids={e.party_id for e in events}, actor_ids={e.actor_id for e in events}
    )


def _settle_parents_before_locking(*, party_ids: set[Any], actor_ids: set[Any]) -> None:
    """Take every lock this transaction's foreign keys need *before* the chain head's.

    The head stays locked until commit, when PostgreSQL checks Django's deferred foreign keys
    (``FOR KEY SHARE`` on each parent row).  A concurrent writer that holds a parent row
    ``FOR UPDATE`` (a sweep locks the port) and waits for the head would deadlock with us.
    So: check what is pending now, and lock the new event's own parents, while we do not
    hold the head yet.  (SQLite serializes writers from the first statement instead.)
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, ids in (("party", party_ids), ("actor", actor_ids)):
            pks = sorted(ids - {None})
            if pks:
                parent: Any = AuditEvent._meta.get_field(name).related_model
                table = connection.ops.quote_name(parent._meta.db_table)
                cursor.execute(
                    f"SELECT 1 FROM {table} WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE",  # noqa: S608
                    [pks],
                )


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # a database migrated without the head row (cannot happen after 0003)
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def _move(head: AuditChainHead, *, last_event_id: int | None, last_hash: str, added: int) -> None:
    """Move the (locked) head past ``added`` new events.  The change they record is counted
    once the transaction commits (:func:`core.cache.note_change`): the pages kept before it
    are out of date."""
    head.last_event_id = last_event_id
    head.last_hash = last_hash
    head.length += added
    head.save(update_fields=["last_event_id", "last_hash", "length"])
    note_change()


def append(event: AuditEvent) -> AuditEvent:
    """Save ``event`` as the chain's next link (inside the caller's transaction)."""
    with transaction.atomic():
        _settle_before_locking(event)
        head = _locked_head()
        event.prev_hash = head.last_hash
        event.hash = event_hash(event)
        event.save(force_insert=True)
        _move(head, last_event_id=event.pk, last_hash=event.hash, added=1)
    return event


def append_many(events: Iterable[AuditEvent], *, batch_size: int = 5000) -> int:
    """Save many new events as the chain's next links, in order, in one pass.

    For bulk loads (the large demo data): the head is locked once, each event is linked to
    the one before it and hashed, the rows are inserted with ``bulk_create`` in batches (ids
    ascend in list order, which is the chain's order) and the head is moved once.  The same
    chain as ``append`` called for each event; returns how many were appended.
    """
    events = list(events)
    if not events:
        return 0
    with transaction.atomic():
        _settle_before_locking(*events)
        head = _locked_head()
        previous = head.last_hash
        last_id = head.last_event_id
        for start in range(0, len(events), batch_size):
            batch = events[start : start + batch_size]
            for event in batch:
                if event.pk is not None:
                    raise RuntimeError("Audit events are append-only.")
                event.prev_hash = previous
                event.hash = event_hash(event)
                previous = event.hash
            created = AuditEvent.objects.bulk_create(batch)
            last_id = created[-1].pk
        _move(head, last_event_id=last_id, last_hash=previous, added=len(events))
    return len(events)


# One statement for the lot, the rows as one JSON array (one parameter: quoting thousands of
# array elements in Python cost more than the insert), inserted in list order (ids ascend in
# that order, the chain's).
_INSERT_ROWS = """
WITH inserted AS (
    INSERT INTO {table} (at, actor_id, actor_label, action, object_type, object_id,
                         object_repr, party_id, before, after, note, prev_hash, hash)
    SELECT at, actor_id, actor_label, action, object_type, object_id,
           object_repr, party_id, before, after, note, prev_hash, hash
      FROM ROWS FROM (json_to_recordset(%s::json)
                AS (at timestamptz, actor_id bigint, actor_label text, action text, object_type
                    text, object_id text, object_repr text, party_id bigint, before jsonb, after
                    jsonb, note text, prev_hash text, hash text))
           WITH ORDINALITY AS row(at, actor_id, actor_label, action, object_type, object_id,
                                  object_repr, party_id, before, after, note, prev_hash, hash,
                                  n)
     ORDER BY n
    RETURNING id
)
SELECT max(id), count(*) FROM inserted
"""


def append_rows(rows: Sequence[dict[str, Any]]) -> int:
    """:func:`append_many` for events given as plain values, without model instances (the
    deadline sweep's batches): each row has the hashed fields but ``prev_hash``
    (``HASHED_FIELDS``: ``at``, ``actor_id``, ``actor_label``, ``action``, ``object_type``,
    ``object_id``, ``object_repr``, ``party_id``, ``before``, ``after`` (JSON-ready data or
    None), ``note``).  The head is locked once, the rows are linked and hashed in one pass
    and inserted in one statement, in list order; the same chain as :func:`append` for each.
    """
    if not rows:
        return 0
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return append_many(AuditEvent(**row) for row in rows)
    with transaction.atomic():
        _settle_parents_before_locking(
            party_ids={row["party_id"] for row in rows},
            actor_ids={row["actor_id"] for row in rows},
        )
        head = _locked_head()
        previous = head.last_hash
        linked = []
        for row in rows:
            event = {**row, "prev_hash": previous}
            previous = event["hash"] = _hash_of(event)
            event["at"] = _canonical(event["at"])
            linked.append(event)
        sql = _INSERT_ROWS.format(table=connection.ops.quote_name(AuditEvent._meta.db_table))
        with connection.cursor() as cursor:
            cursor.execute(sql, [json.dumps(linked)])
            last_id, inserted = cursor.fetchone()
        if inserted != len(rows):
            raise RuntimeError(f"Inserted {inserted} audit events of {len(rows)}.")
        _move(head, last_event_id=last_id, last_hash=previous, added=len(rows))
    return len(rows)


@dataclass(frozen=True)
class Break:
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"audit event #{self.event_id}" if self.event_id is not None else "chain head"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Verification:
    checked: int
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("id").iterator(chunk_size=2000)


def verify() -> Verification:
    """Recompute every hash in id order; the first event whose hash or link is wrong."""
    previous_hash = ""
    previous_id: int | None = None
    checked = 0
    for event in _events():
        if event.prev_hash != previous_hash:
            after = f"#{previous_id}" if previous_id is not None else "the start of the chain"
            return Verification(
                checked,
                Break(
                    event.pk,
                    f"does not follow {after}: an event before it was deleted, changed or inserted",
                ),
            )
        if event_hash(event) != event.hash:
            return Verification(checked, Break(event.pk, "its content does not match its hash"))
        previous_hash, previous_id = event.hash, event.pk
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    head_hash = head.last_hash if head else ""
    head_length = head.length if head else 0
    if head_hash != previous_hash or head_length != checked:
        return Verification(
            checked,
            Break(
                None,
                f"records {head_length} events ending at #{head.last_event_id if head else None}"
                f" but the table has {checked} ending at #{previous_id}: events at the end were "
                "deleted or added outside the chain",
            ),
        )
    return Verification(checked, None)
