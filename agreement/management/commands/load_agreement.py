from typing import Any

from django.core.management.base import BaseCommand

from agreement.seed import seed_agreement


class Command(BaseCommand):
    help = "Load the Cooperative Agreement's seeded terms (idempotent; never overwrites edits)."

    def handle(self, *args: Any, **options: Any) -> None:
        agreement = seed_agreement()
        self.stdout.write(self.style.SUCCESS(f"Agreement loaded: {agreement}"))
