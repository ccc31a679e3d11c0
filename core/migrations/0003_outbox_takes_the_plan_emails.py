"""The plan e-mails' outbox (plans.Notification) becomes the one outbox: its rows move here,
sent ones as sent, unsent ones pending (the redelivery job sends them)."""

from django.db import migrations


def move_plan_emails(apps, schema_editor):
    Notification = apps.get_model("plans", "Notification")
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    rows = []
    for old in Notification.objects.select_related("recipient").iterator():
        rows.append(
            OutboxMessage(
                event_key=old.event_key,
                recipient_id=old.recipient_id,
                to_email=old.recipient.email or "unknown@invalid",
                subject=old.subject,
                body=old.body,
                status="sent" if old.sent_at else "pending",
                created_at=old.created_at,
                next_attempt_at=old.created_at,
                sent_at=old.sent_at,
                attempts=1 if old.sent_at else 0,
            )
        )
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_outboxmessage"),
        ("plans", "0003_tracked_milestone_kept_through_revisions"),
    ]

    operations = [
        migrations.RunPython(move_plan_emails, migrations.RunPython.noop),
    ]
