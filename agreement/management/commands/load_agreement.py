from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from agreement.seed import seed_agreement
from audit.services import audit_record


class Command(BaseCommand):
    help = "Load the Cooperative Agreement's seeded terms (idempotent; never overwrites edits)."

    def handle(self, *args: Any, **options: Any) -> None:
        created: set[str] = set()  # the tables it added rows to

        def note_inserts(execute: Callable[..., Any], sql: str, *rest: Any) -> Any:
            result = execute(sql, *rest)  # an insert that fails (a race) added nothing
            words = sql.split(None, 3)
            if words[:2] == ["INSERT", "INTO"]:
                created.add(words[2].strip('"'))
            return result

        with transaction.atomic(), connection.execute_wrapper(note_inserts):
            agreement = seed_agreement()
            if created:
                # What it added is a recorded change like any other: audited, and it moves
                # the data version, so no cached page goes on showing the terms without it.
                audit_record(
                    actor=None,
                    actor_label="load_agreement",
                    action="agreement.terms_loaded",
                    obj=agreement,
                    note="Created the missing seeded terms in " + ", ".join(sorted(created)),
                )
        self.stdout.write(self.style.SUCCESS(f"Agreement loaded: {agreement}"))
