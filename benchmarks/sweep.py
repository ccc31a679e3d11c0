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


STAFF_PER_PORT = 2


def _port_staff() -> None:
    """Each port's staff with an e-mail address (ILLUSTRATIVE), so each notice of potential
    default is mailed: one outbox row per notice and staff member."""
    from accounts.models import Role, User
    from agreement.models import Party

    for port in Party.objects.ports().order_by("code"):
        for i in range(STAFF_PER_PORT):
            User.objects.create_user(
                username=f"bench.{port.code.lower()}.{i}",
                email=f"bench.{port.code.lower()}.{i}@example.org",
                role=Role.PORT_STAFF,
                party=port,
            )


from benchmarks._db import throwaway_database  # noqa: E402


def main() -> None:
    import os

    from benchmarks._db import setup_django

    # Before the settings load: the test settings default the broker to Redis, and
    # app.conf.update() afterwards did not take (the sweep's mail went to Redis db 0).
    os.environ["CELERY_BROKER_URL"] = "memory://"
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
    lines += _versus_sql(now)
    lines += _idle_over_a_million(now)
    for line in lines:
        print(line)


VERSUS_SQL = 10_000
IDLE_TABLE = 1_000_000


def _idle_over_a_million(now: dt.datetime) -> list[str]:
    """The sweep with nothing due over 1,000,000 milestones: met ones in the past, open ones
    in the future (generated in SQL, ILLUSTRATIVE)."""
    from django.db import connection

    from agreement.seed import seed_agreement
    from penalties.sweep import sweep_deadlines

    with throwaway_database("bench_sweep"):
        seed_agreement()
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO agreement_milestone (party_id, kind, title, due_date, is_provisional,
                    within_port_control, status, completed_at, closed_at, created_at)
                SELECT p.id, 'project', 'Illustrative idle-sweep milestone ' || g,
                       d, false, true,
                       CASE WHEN d < %(today)s THEN 'met' ELSE 'open' END,
                       CASE WHEN d < %(today)s THEN d - 1 END,
                       CASE WHEN d < %(today)s THEN d END,
                       now()
                  FROM generate_series(1, %(n)s) g
                  CROSS JOIN LATERAL (SELECT (date '2020-01-01' + (g %% 7300)) AS d) due
                  JOIN agreement_party p
                    ON p.code = CASE WHEN g %% 2 = 0 THEN 'POLA' ELSE 'POLB' END
                """,
                {"n": IDLE_TABLE, "today": now.date()},
            )
            # The seeded plan deadlines due by then are missed: flag them first.
            cursor.execute("ANALYZE")
        sweep_deadlines(now)
        times = []
        for _ in range(IDLE_RUNS):
            start = time.perf_counter()
            assert sweep_deadlines(now) == 0
            times.append(time.perf_counter() - start)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM agreement_milestone")
            total = cursor.fetchone()[0]
    return [
        f"sweep with nothing due over {total:,} milestones: median "
        f"{1000 * statistics.median(times):.2f} ms, p99 "
        f"{1000 * sorted(times)[int(len(times) * 0.99) - 1]:.2f} ms"
    ]


# The same work as the sweep, by hand, in one statement: the open milestones past their
# deadline that may be defaults and are not flagged, each flagged with the penalty of the
# schedule in force the day after the miss for the port's next confirmed default, and its
# notice of potential default.  It leaves out what the application adds: holds (extension
# requests, completion reports filed in time), rows set aside after a failure, the audit
# events of the hash chain, the outbox mail and the recipients' addresses.
SQL = """
WITH missed AS (
    SELECT m.id, m.party_id, m.due_date,
           (SELECT count(*) FROM penalties_default c
             WHERE c.party_id = m.party_id AND c.status = 'confirmed') + 1 AS ordinal
      FROM agreement_milestone m
     WHERE m.status = 'open' AND m.due_date <= %(last)s
       AND (m.kind IN ('draft_plan', 'final_plan')
            OR (m.kind = 'project' AND m.within_port_control))
       AND NOT EXISTS (SELECT 1 FROM penalties_default d
                        WHERE d.milestone_id = m.id AND d.due_date = m.due_date)
     ORDER BY m.due_date, m.id
       FOR UPDATE OF m SKIP LOCKED
), proposed AS (
    SELECT missed.*, tier.schedule_id, tier.amount
      FROM missed
      CROSS JOIN LATERAL (
        SELECT t.schedule_id, t.amount
          FROM penalties_penaltyschedule s JOIN penalties_penaltytier t ON t.schedule_id = s.id
         WHERE s.effective_from <= missed.due_date + 1 AND t.default_ordinal <= missed.ordinal
         ORDER BY s.effective_from DESC, s.id DESC, t.default_ordinal DESC
         LIMIT 1) tier
), flagged AS (
    INSERT INTO penalties_default (milestone_id, party_id, due_date, status, detected_at,
                                   proposed_amount, proposed_schedule_id, determination_reason)
    SELECT id, party_id, due_date, 'flagged', %(now)s, amount, schedule_id, '' FROM proposed
    RETURNING milestone_id, party_id, due_date
)
INSERT INTO penalties_notice (milestone_id, party_id, kind, due_date, created_at, recipients)
SELECT milestone_id, party_id, 'potential_default', due_date, %(now)s, '' FROM flagged
"""


def _versus_sql(now: dt.datetime) -> list[str]:
    """The sweep flagging 10,000 misses vs the hand-written statement on the same data."""
    from django.db import connection, transaction

    from agreement import deadlines
    from agreement.seed import seed_agreement
    from penalties.models import Default, Notice
    from penalties.sweep import sweep_deadlines

    with throwaway_database("bench_sweep"):
        seed_agreement()
        _missed(VERSUS_SQL)
        start = time.perf_counter()
        recorded = sweep_deadlines(now)
        swept = time.perf_counter() - start
        assert Default.objects.count() == recorded == VERSUS_SQL + 2
    with throwaway_database("bench_sweep"):
        seed_agreement()
        _missed(VERSUS_SQL)
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(SQL, {"last": deadlines.last_passed_due_date(now), "now": now})
        by_hand = time.perf_counter() - start
        assert Default.objects.count() == Notice.objects.count() == VERSUS_SQL + 2
    return [
        f"sweep flagging {recorded} misses: {swept:.2f} s; the hand-written SQL statement "
        f"(defaults + notices, no audit chain or mail): {by_hand:.2f} s; "
        f"ratio {swept / by_hand:.1f}"
    ]


if __name__ == "__main__":
    main()
