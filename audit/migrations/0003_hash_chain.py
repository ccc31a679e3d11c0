"""The audit hash chain: ``prev_hash`` and ``hash`` on every event, and the chain head.

Events recorded before this migration are chained in id order here (the append-only trigger
is lifted for that one UPDATE and put back in the same transaction).  The hashing is frozen
below as it was written: ``audit/chain.py`` must keep computing the same value.
"""

import datetime as dt
import hashlib
import json

from django.db import migrations, models

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


def _hash(event):
    payload = {}
    for name in HASHED_FIELDS:
        value = getattr(event, name)
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).isoformat(timespec="microseconds")
        payload[name] = value
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain_existing(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    previous, last_id, count = "", None, 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        event.prev_hash = previous
        event.hash = _hash(event)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
        previous, last_id, count = event.hash, event.pk, count + 1
    AuditChainHead.objects.create(id=1, last_event_id=last_id, last_hash=previous, length=count)
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_update")
    elif vendor == "sqlite":
        schema_editor.execute(
            """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
               BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"""
        )


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(
                blank=True, editable=False, max_length=64, verbose_name="previous event's hash"
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(
                        default=1, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "last_event_id",
                    models.BigIntegerField(blank=True, null=True, verbose_name="last event"),
                ),
                ("last_hash", models.CharField(blank=True, max_length=64, verbose_name="last hash")),
                ("length", models.BigIntegerField(default=0, verbose_name="events in the chain")),
            ],
            options={
                "verbose_name": "audit chain head",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="audit_chain_head_single_row"
                    )
                ],
            },
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name="hash"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(
                condition=models.Q(("hash__regex", "^[0-9a-f]{64}$")),
                name="audit_event_hash_is_sha256",
            ),
        ),
    ]
