from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from penalties import sweep
from penalties.models import Default


class Command(BaseCommand):
    help = (
        "Flag every milestone whose deadline passed without being met, excused or held by "
        "something AQMD has in hand: a potential default for AQMD to determine (no penalty "
        "is assessed here).  Safe to run at any time, repeatedly."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be flagged; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["dry_run"]:
            planned = sweep.sweep_preview(now)
            for item in planned:
                m = item.milestone
                if item.amount is None:
                    amount = "no penalty schedule in force at the miss"
                else:
                    provisional = " (provisional schedule)" if item.is_provisional else ""
                    amount = f"proposed penalty ${item.amount:,.2f}{provisional}"
                self.stdout.write(
                    f"would flag {m.party.code}: {m.title} (due {m.due_date}), {amount}"
                )
            self.stdout.write(f"{len(planned)} missed deadline(s) would be flagged (dry run).")
            return
        sweep.sweep_deadlines(now)
        sweep.record_late_completions(now)
        # This run's flags carry its clock reading; a concurrent run's carry another.
        flagged = list(Default.objects.filter(detected_at=now).select_related("party", "milestone"))
        for default in flagged:
            self.stdout.write(
                f"flagged {default.party.code}: {default.milestone.title} "
                f"(due {default.due_date}), proposed penalty ${default.proposed_amount:,.2f}"
            )
        self.stdout.write(f"{len(flagged)} missed deadline(s) flagged for AQMD's determination.")
