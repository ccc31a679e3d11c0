from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agreement.models import Party
from core.errors import ServiceError
from reports.models import ReportStatus
from reports.services import report_run_render, report_run_request


class Command(BaseCommand):
    help = "Render the annual progress report for YEAR now (a new version) and print its path."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("--port", choices=["POLA", "POLB"], help="Default: both ports.")
        parser.add_argument(
            "--executive-summary",
            default="",
            help="AQMD's executive summary, printed after the cover (required to publish).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        party = Party.objects.get(code=options["port"]) if options["port"] else None
        try:
            run = report_run_request(
                year=options["year"],
                party=party,
                actor=None,
                executive_summary=options["executive_summary"],
                enqueue=False,
            )
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        run = report_run_render(run_id=run.pk)
        if run.status != ReportStatus.READY:
            raise CommandError(f"Rendering failed: {run.error}")
        self.stdout.write(default_storage.path(str(run.pdf.name)))
