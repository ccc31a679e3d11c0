"""How long the annual report takes to render, and how much of that is WeasyPrint.

Run: ``.venv/bin/python -m benchmarks.report_render`` (``DATABASE_URL`` names the server;
the benchmark creates its own throwaway database ``<name>_bench``, fills it with clearly
ILLUSTRATIVE generated figures for 2005 and five reporting years for both ports, measures,
and drops the database).  Nothing is written to any real database or media folder.

Measured, each repeated ``REPEAT`` times (best and median shown):
- full job: ``report_run_request`` + ``report_run_render`` (queries, charts, templates,
  WeasyPrint, SHA-256, temp file + move, status updates) for the combined report of both
  ports and for each port alone;
- WeasyPrint alone: ``HTML(string=..., base_url=...).write_pdf(pdf_tags=True)`` on the HTML
  of the last run rendered (the job's own call and options).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal

REPEAT = 3
YEARS = range(2020, 2025)
SOURCE = "ILLUSTRATIVE benchmark data, generated, not real"


def _timed(fn: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _fill() -> None:
    from agreement.models import Milestone, MilestoneKind, Party
    from agreement.seed import seed_agreement
    from reports.models import EmissionsInventory, FigureBasis, InventoryFigure

    seed_agreement()
    now = dt.datetime.now(dt.UTC)
    for n, party in enumerate(Party.objects.ports().order_by("code")):
        base = {"DPM": 900 + 100 * n, "NOx": 16000, "SOx": 5300, "GHG": 1_000_000, "TEU": 7e6}
        for year in (2005, *YEARS):
            factor = 1.0 if year == 2005 else 0.4 - 0.05 * (year - YEARS.start)
            inventory = EmissionsInventory.objects.create(
                party=party, year=year, status="accepted", submitted_at=now, reviewed_at=now
            )
            for metric, value in base.items():
                scaled = value * (1.3 if metric == "TEU" and year > 2005 else factor)
                InventoryFigure.objects.create(
                    inventory=inventory,
                    metric=metric,
                    value=Decimal(round(scaled)),
                    basis=FigureBasis.ILLUSTRATIVE,
                    source=SOURCE,
                )
        for i in range(12):
            Milestone.objects.create(
                party=party,
                kind=MilestoneKind.PROJECT,
                title=f"Illustrative project milestone {i + 1}",
                due_date=dt.date(2024, 1 + i, 15),
            )


def _measure() -> list[tuple[str, list[float]]]:
    from django.conf import settings
    from weasyprint import HTML

    from agreement.models import Party
    from reports.models import ReportRun
    from reports.rendering import run_html
    from reports.services import report_run_render, report_run_request

    results = []
    scopes = [("both ports (combined)", None), *((p.code, p) for p in Party.objects.ports())]
    for label, party in scopes:
        runs: list[ReportRun] = []

        def full(party: Party | None = party, runs: list[ReportRun] = runs) -> None:
            run = report_run_request(year=YEARS[-1], party=party, actor=None, enqueue=False)
            run = report_run_render(run_id=run.pk)
            assert run.status == "ready", run.error
            runs.append(run)

        results.append((f"full job, {label}", _timed(full)))
        # The HTML of the last run (its cut-off, version and summary), with the job's options.
        html = run_html(runs[-1])

        def weasyprint_only(html: str = html) -> None:
            HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_tags=True)

        results.append((f"WeasyPrint alone, {label}", _timed(weasyprint_only)))
    return results


def main() -> None:
    from benchmarks._db import setup_django, throwaway_database

    setup_django()
    from django.conf import settings

    with tempfile.TemporaryDirectory() as media, throwaway_database("bench"):
        settings.MEDIA_ROOT = media
        _fill()
        results = _measure()
    print(f"cpus={os.cpu_count()} repeat={REPEAT} reporting year={YEARS[-1]}")
    for label, times in results:
        print(f"{label:<45} best {min(times):6.2f} s   median {statistics.median(times):6.2f} s")


if __name__ == "__main__":
    main()
