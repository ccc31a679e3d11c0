from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.inventory_services import ImportRejected, inventory_import_csv


class Command(BaseCommand):
    help = (
        "Import emissions inventory figures from CSV (columns of caap_inventory_public.csv). "
        "Nothing is saved when any row is bad."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            result = inventory_import_csv(text=text, actor=None)
        except ImportRejected as exc:
            for error in exc.row_errors:
                self.stderr.write(str(error))
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Imported {result.figures} figure(s) into {len(result.inventories)} inventory(ies)."
        )
