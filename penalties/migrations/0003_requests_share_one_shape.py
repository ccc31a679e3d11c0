"""Extension requests name their filing like every request on a milestone (``filed_by``,
``filed_at``); the API still calls them ``requested_by`` and ``requested_at``."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("penalties", "0002_defaults_penalties_requests_fund_notices"),
    ]

    operations = [
        migrations.RenameField("extensionrequest", "requested_by", "filed_by"),
        migrations.RenameField("extensionrequest", "requested_at", "filed_at"),
    ]
