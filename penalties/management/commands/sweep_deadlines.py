from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from penalties import sweep
from penalties.models import Default


class Command(BaseCommand):
    help = (
        "Record a default (and assess its penalty) for every milestone whose deadline passed "
        "without being met, excused or extended.  Safe to run at any time, repeatedly."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be recorded; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["dry_run"]:
            planned = sweep.sweep_preview(now)
            for item in planned:
                amount = f"${item.amount:,.2f}" if item.amount is not None else "no schedule"
                self.stdout.write(
                    f"would record default #{item.ordinal} of {item.milestone.party.code}: "
                    f"{item.milestone.title} (due {item.milestone.due_date}), penalty {amount}"
                )
            self.stdout.write(f"{len(planned)} default(s) would be recorded (dry run).")
            return
        done = sweep.sweep_deadlines(now) + sweep.record_late_completions(now)
        # This run's defaults carry its clock reading; a concurrent run's carry another.
        for default in Default.objects.filter(detected_at=now).select_related(
            "party", "milestone", "penalty"
        ):
            self.stdout.write(
                f"recorded default #{default.ordinal} of {default.party.code}: "
                f"{default.milestone.title} (due {default.due_date}), "
                f"penalty ${default.penalty.amount:,.2f}"
            )
        self.stdout.write(f"{done} default(s) recorded.")
