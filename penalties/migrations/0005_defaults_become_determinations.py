"""Defaults recorded before determinations existed were assessed by the sweep alone: they are
kept as confirmed (their penalties stand), confirmed when they were recorded."""

from decimal import Decimal

from django.db import migrations, models
from django.db.models import F


def confirm_recorded_defaults(apps, schema_editor):
    Default = apps.get_model("penalties", "Default")
    Default.objects.filter(status="active").update(status="confirmed", confirmed_at=F("detected_at"))
    Default.objects.filter(status="withdrawn", confirmed_at__isnull=True).update(
        confirmed_at=F("detected_at")
    )


def back_to_active(apps, schema_editor):
    Default = apps.get_model("penalties", "Default")
    Default.objects.filter(status="confirmed").update(status="active")


class Migration(migrations.Migration):
    dependencies = [
        ("penalties", "0004_verified_compliance"),
    ]

    operations = [
        migrations.RunPython(confirm_recorded_defaults, back_to_active),
        migrations.AddConstraint(
            model_name='default',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['flagged', 'confirmed', 'dismissed', 'withdrawn'])), name='default_status_known'),
        ),
        migrations.AddConstraint(
            model_name='default',
            constraint=models.CheckConstraint(condition=models.Q(('ordinal__isnull', True), ('ordinal__gte', 1), _connector='OR'), name='default_ordinal_positive'),
        ),
        migrations.AddConstraint(
            model_name='default',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'flagged'), _negated=True), models.Q(('confirmed_at__isnull', True), ('dismissed_at__isnull', True), ('withdrawn_at__isnull', True)), _connector='OR'), name='flagged_default_undetermined'),
        ),
        migrations.AddConstraint(
            model_name='default',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'confirmed'), _negated=True), models.Q(('confirmed_at__isnull', False), ('ordinal__isnull', False), ('withdrawn_at__isnull', True)), _connector='OR'), name='confirmed_default_has_time_and_number'),
        ),
        migrations.AddConstraint(
            model_name='default',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'dismissed'), _negated=True), models.Q(('confirmed_at__isnull', True), ('dismissed_at__isnull', False), models.Q(('determination_reason', ''), _negated=True)), _connector='OR'), name='dismissed_default_has_time_and_reason'),
        ),
        migrations.AddConstraint(
            model_name='default',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'withdrawn'), _negated=True), ('withdrawn_at__isnull', False), _connector='OR'), name='withdrawn_default_has_time'),
        ),
        migrations.AddConstraint(
            model_name='default',
            constraint=models.CheckConstraint(condition=models.Q(('proposed_amount__isnull', True), models.Q(('proposed_amount__gte', Decimal('50000.00')), ('proposed_amount__lte', Decimal('200000.00'))), _connector='OR'), name='proposed_amount_within_agreement_range'),
        ),
    ]
