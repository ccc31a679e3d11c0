"""How long the deadline sweep takes, per default and when nothing is due, and its memory.

Run: ``.venv/bin/python -m benchmarks.sweep`` (``DATABASE_URL`` names the PostgreSQL server;
a throwaway database ``<name>_bench_sweep`` is created and dropped).  The data is generated
and ILLUSTRATIVE: ``N`` missed project milestones within the ports' control, split between
the two ports, plus the seeded agreement.  Celery messages go to an in-memory broker.

Measured:
- the sweep that records N defaults (each: claim, re-check, port lock, ordinal, penalty from
  the schedule, notice row, audit events), wall time, time per default, SQL queries per
  default, and the peak Python memory (tracemalloc) of the run;
- the sweep when nothing is due (the 15-minute job's usual case), median of 200 runs, and
  its query count.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
import tracemalloc
from typing import Any

SIZES = (100, 500)
IDLE_RUNS = 200


def _missed(n: int) -> None:
    from agreement.models import Milestone, MilestoneKind, Party

    ports = list(Party.objects.ports().order_by("code"))
    Milestone.objects.bulk_create(
        Milestone(
            party=ports[i % 2],
            kind=MilestoneKind.PROJECT,
            title=f"Illustrative benchmark milestone {i}",
            due_date=dt.date(2027, 1, 1) + dt.timedelta(days=i % 60),
        )
        for i in range(n)
    )


def main() -> None:
    from benchmarks._db import setup_django, throwaway_database

    setup_django()
    import logging

    from django.db import connection

    from agreement.seed import seed_agreement
    from config.celery import app
    from penalties.models import Default
    from penalties.sweep import sweep_deadlines

    app.conf.update(broker_url="memory://")
    logging.getLogger("penalties").setLevel(logging.WARNING)
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    now = dt.datetime(2027, 6, 1, 9, 0, tzinfo=dt.UTC)
    lines = []
    for n in SIZES:
        # Timed without tracemalloc (it slows Python down several times), then traced apart.
        with throwaway_database("bench_sweep"):
            seed_agreement()
            _missed(n)
            queries = 0
            start = time.perf_counter()
            with connection.execute_wrapper(count):
                recorded = sweep_deadlines(now)
            elapsed = time.perf_counter() - start
            # The seeded phase-1 draft plans (due 2027-05-31) are missed too: n + 2 defaults.
            assert recorded == Default.objects.count() == n + 2, (recorded, n)
            per_default = queries / recorded
            idle = []
            for _ in range(IDLE_RUNS):
                start = time.perf_counter()
                assert sweep_deadlines(now) == 0
                idle.append(time.perf_counter() - start)
            queries = 0
            with connection.execute_wrapper(count):
                sweep_deadlines(now)
            idle_queries = queries
        with throwaway_database("bench_sweep"):
            seed_agreement()
            _missed(n)
            tracemalloc.start()
            sweep_deadlines(now)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        lines.append(
            f"sweep recording {recorded:>5} defaults: {elapsed:7.2f} s total, "
            f"{1000 * elapsed / recorded:6.2f} ms/default, {per_default:5.1f} queries/default, "
            f"peak Python memory {peak / 1e6:6.1f} MB"
        )
        lines.append(
            f"sweep with nothing due (after {recorded} defaults): median "
            f"{1000 * statistics.median(idle):6.2f} ms, {idle_queries} query"
        )
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
