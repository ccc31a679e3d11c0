"""How long the deadline sweep takes, per default and when nothing is due, and its memory.

Run: ``.venv/bin/python -m benchmarks.sweep`` (``DATABASE_URL`` names the PostgreSQL server;
a throwaway database ``<name>_bench_sweep`` is created and dropped).  ``SWEEP_BENCH=versus``
runs only the 10,000-miss comparison with the hand-written SQL.  The data is generated and
ILLUSTRATIVE: ``N`` missed project milestones within the ports' control, split between the
two ports, plus the seeded agreement and two staff members with an address per port (so
each notice is mailed to two people).  Celery messages go to an in-memory broker.

Measured:
- the sweep that records N defaults (each: claim, re-check, penalty from the schedule, the
  default, two audit events in the hash chain, the notice and its mail, in batches of
  ``SWEEP_BATCH_SIZE``), wall time, time per default, SQL queries per default, and the peak
  Python memory (tracemalloc) of the run;
- the sweep when nothing is due (the 15-minute job's usual case), median of 200 runs, and
  its query count;
- the sweep flagging 10,000 misses against the same work hand-written in SQL
  (``SQL_FUNCTION``), asserting that both leave the same rows and texts and a verified chain;
- the sweep with nothing due over 1,000,000 milestones.
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
    # A worker has loaded its URL configuration once (the notices link to pages); load it
    # before timing rather than in the first sweep measured.
    from django.urls import reverse

    reverse("penalties:default", args=[1])
    logging.getLogger("penalties").setLevel(logging.WARNING)
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    now = dt.datetime(2027, 6, 1, 9, 0, tzinfo=dt.UTC)
    lines = []
    # SWEEP_BENCH=versus: only the 10,000-miss comparison with the hand-written SQL (while
    # iterating); the default runs every case.
    only_versus = os.environ.get("SWEEP_BENCH", "") == "versus"
    for n in () if only_versus else SIZES:
        # Timed without tracemalloc (it slows Python down several times), then traced apart.
        with throwaway_database("bench_sweep"):
            seed_agreement()
            _port_staff()
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
            _port_staff()
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
    if not only_versus:
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


# The same work as the sweep, by hand, in SQL (one PL/pgSQL function, one call, one
# transaction): the open milestones past their deadline that may be defaults, are not
# flagged, not on hold (an extension request pending, a completion report filed in time and
# pending, a final plan submitted on time under review, a standing withdrawal effective
# before the due date) and not set aside after a failure, locked FOR UPDATE SKIP LOCKED; each
# flagged with the penalty of the schedule in force the day after the miss for the port's
# next confirmed default; its notice of potential default (recipients: the port's active
# staff with an address); the two audit events of each miss (default.flagged with the
# default's snapshot, notice.recorded.potential_default), their canonical JSON built in SQL
# and linked into the SHA-256 chain (sha256(), under the lock of the chain's head, in a
# loop: each hash covers the one before); one outbox row per notice and staff member with
# the notice's English subject and body; the set-aside rows of the flagged misses resolved.
# What it does not do: enqueue the Celery deliveries (the sweep's on_commit, one broker
# message per 50 e-mails), translate (the texts are the English ones) or record failures.
SQL_FUNCTION = r"""
CREATE FUNCTION pg_temp.sweep_by_hand(p_last date, p_now timestamptz, p_url text)
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
    flagged integer;
    prev text;
    hashes text[] := '{}';
    prevs text[] := '{}';
    i integer := 0;
    r record;
    at_text text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00';
    -- datetime.isoformat(): no fraction when it is zero
    now_text text := to_char(p_now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN date_part('microseconds', p_now)::bigint % 1000000 = 0 THEN ''
                ELSE to_char(p_now AT TIME ZONE 'UTC', '.US') END || '+00:00';
BEGIN
    CREATE TEMP TABLE swept (
        default_id bigint, notice_id bigint, milestone_id bigint PRIMARY KEY, party_id bigint,
        due_date date, amount numeric, schedule_id bigint, recipients text
    ) ON COMMIT DROP;
    WITH missed AS (
        SELECT m.id, m.party_id, m.due_date,
               (SELECT count(*) FROM penalties_default c
                 WHERE c.party_id = m.party_id AND c.status = 'confirmed') + 1 AS ordinal
          FROM agreement_milestone m
         WHERE m.status = 'open' AND m.due_date <= p_last
           AND (m.kind IN ('draft_plan', 'final_plan')
                OR (m.kind = 'project' AND m.within_port_control))
           AND NOT EXISTS (SELECT 1 FROM penalties_default d
                            WHERE d.milestone_id = m.id AND d.due_date = m.due_date)
           AND NOT EXISTS (SELECT 1 FROM penalties_extensionrequest e
                            WHERE e.milestone_id = m.id AND e.status = 'pending')
           AND NOT EXISTS (SELECT 1 FROM penalties_completionreport cr
                            WHERE cr.milestone_id = m.id AND cr.status = 'pending'
                              AND cr.filed_on_time)
           AND NOT (m.kind = 'final_plan' AND EXISTS (
                    SELECT 1 FROM plans_planversion v JOIN plans_plan p ON p.id = v.plan_id
                     WHERE p.party_id = m.party_id AND p.phase_id = m.phase_id
                       AND v.kind = 'final' AND v.status IN ('submitted', 'under_review')
                       AND v.submitted_by_deadline))
           AND NOT EXISTS (SELECT 1 FROM agreement_withdrawalnotice w
                            WHERE w.status = 'received' AND w.effective_on < m.due_date)
           AND NOT EXISTS (SELECT 1 FROM penalties_sweepfailure f
                            WHERE f.milestone_id = m.id AND f.due_date = m.due_date
                              AND f.resolved_at IS NULL AND f.next_attempt_at > p_now)
         ORDER BY m.due_date, m.id
           FOR UPDATE OF m SKIP LOCKED
    ), proposed AS (
        SELECT missed.*, tier.schedule_id, tier.amount
          FROM missed
          CROSS JOIN LATERAL (
            SELECT t.schedule_id, t.amount
              FROM penalties_penaltyschedule s
              JOIN penalties_penaltytier t ON t.schedule_id = s.id
             WHERE s.effective_from <= missed.due_date + 1
               AND s.id = (SELECT s2.id FROM penalties_penaltyschedule s2
                            WHERE s2.effective_from <= missed.due_date + 1
                            ORDER BY s2.effective_from DESC, s2.id DESC LIMIT 1)
               AND t.default_ordinal <= missed.ordinal
             ORDER BY t.default_ordinal DESC
             LIMIT 1) tier
         ORDER BY missed.due_date, missed.id
    ), defaults AS (
        INSERT INTO penalties_default (milestone_id, party_id, due_date, status, detected_at,
                                       proposed_amount, proposed_schedule_id,
                                       determination_reason)
        SELECT id, party_id, due_date, 'flagged', p_now, amount, schedule_id, '' FROM proposed
        RETURNING id, milestone_id, party_id, due_date, proposed_amount, proposed_schedule_id
    )
    INSERT INTO swept (default_id, milestone_id, party_id, due_date, amount, schedule_id)
    SELECT id, milestone_id, party_id, due_date, proposed_amount, proposed_schedule_id
      FROM defaults;
    GET DIAGNOSTICS flagged = ROW_COUNT;
    ANALYZE swept;
    WITH staff AS (
        SELECT u.party_id, string_agg(u.email, ', ' ORDER BY u.email COLLATE "C") AS recipients
          FROM accounts_user u
         WHERE u.role = 'port_staff' AND u.is_active AND u.email <> ''
         GROUP BY u.party_id
    ), notices AS (
        INSERT INTO penalties_notice (milestone_id, party_id, kind, due_date, created_at,
                                      recipients)
        SELECT s.milestone_id, s.party_id, 'potential_default', s.due_date, p_now,
               coalesce(st.recipients, '')
          FROM swept s LEFT JOIN staff st ON st.party_id = s.party_id
         ORDER BY s.default_id
        RETURNING id, milestone_id, recipients
    )
    UPDATE swept s SET notice_id = n.id, recipients = n.recipients
      FROM notices n
     WHERE n.milestone_id = s.milestone_id;

    -- The audit events in chain order (the defaults', then the notices'), each as canonical
    -- JSON (keys sorted, no spaces) up to its "prev_hash" value.
    CREATE TEMP TABLE events ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY e.part, e.object_id::bigint) AS seq, e.*
      FROM (
        SELECT 1 AS part, 'default.flagged' AS action, 'penalties.default' AS object_type,
               s.default_id::text AS object_id,
               left('Missed deadline of ' || p.code || ': ' || m.title, 300) AS object_repr,
               s.party_id,
               '{"confirmed_at":null,"detected_at":' || to_json(now_text)::text
               || ',"determination_reason":"","determined_by":null,"dismissed_at":null,'
               || '"due_date":"' || s.due_date::text || '","id":' || s.default_id
               || ',"milestone":' || s.milestone_id || ',"ordinal":null,"party":' || s.party_id
               || ',"proposed_amount":"' || s.amount::text || '","proposed_schedule":'
               || s.schedule_id || ',"status":"flagged","withdrawn_at":null}' AS after
          FROM swept s
          JOIN agreement_milestone m ON m.id = s.milestone_id
          JOIN agreement_party p ON p.id = s.party_id
        UNION ALL
        SELECT 2, 'notice.recorded.potential_default', 'penalties.notice', s.notice_id::text,
               left('Notice of potential default: ' || p.code || ': ' || m.title, 300),
               s.party_id,
               '{"due_date":"' || s.due_date::text || '","recipients":'
               || to_json(s.recipients)::text || '}'
          FROM swept s
          JOIN agreement_milestone m ON m.id = s.milestone_id
          JOIN agreement_party p ON p.id = s.party_id
      ) e;
    SELECT last_hash INTO prev FROM audit_auditchainhead WHERE id = 1 FOR UPDATE;
    FOR r IN
        SELECT '{"action":' || to_json(action)::text || ',"actor_id":null,'
               || '"actor_label":"system","after":' || after || ',"at":"' || at_text
               || '","before":null,"note":"","object_id":' || to_json(object_id)::text
               || ',"object_repr":' || to_json(object_repr)::text || ',"object_type":'
               || to_json(object_type)::text || ',"party_id":' || party_id
               || ',"prev_hash":"' AS head
          FROM events ORDER BY seq
    LOOP
        i := i + 1;
        prevs[i] := prev;
        prev := encode(sha256(convert_to(r.head || prev || '"}', 'UTF8')), 'hex');
        hashes[i] := prev;
    END LOOP;
    INSERT INTO audit_auditevent (at, actor_label, action, object_type, object_id,
                                  object_repr, party_id, after, note, prev_hash, hash)
    SELECT now(), 'system', e.action, e.object_type, e.object_id, e.object_repr, e.party_id,
           e.after::jsonb, '', h.prev_hash, h.hash
      FROM events e
      JOIN unnest(prevs, hashes) WITH ORDINALITY AS h(prev_hash, hash, seq) ON h.seq = e.seq
     ORDER BY e.seq;
    UPDATE audit_auditchainhead
       SET last_hash = prev, length = length + i,
           last_event_id = (SELECT max(id) FROM audit_auditevent)
     WHERE id = 1;

    -- The mail: one outbox row per notice and staff member, the notice's English text.
    INSERT INTO core_outboxmessage (event_key, recipient_id, to_email, subject, body, status,
                                    created_at, attempts, next_attempt_at, last_error, hook,
                                    hook_arg)
    SELECT 'notice.' || s.notice_id, u.id, u.email,
           left('Notice of potential default: ' || m.title, 200),
           p.name || ' missed the deadline of ' || m.title || ' (due ' || s.due_date::text
           || E', 11:59:59 PM Pacific).\nThis is a potential default: AQMD will determine '
           || 'whether it is a default under the Cooperative Agreement. If AQMD confirms it, '
           || 'the penalty would be $' || to_char(s.amount, 'FM999,999,999,990.00')
           || E', payable to the Clean Air Mitigation Fund.\nIf the cause was outside the '
           || 'port''s control you may file a flexibility claim; if the milestone was '
           || E'completed, report it:\n' || replace(p_url, '{id}', s.default_id::text) || E'\n'
           || CASE WHEN sch.is_provisional
                   THEN E'\nThis amount comes from the penalty schedule stored as '
                        || 'provisional: the public record does not say how the amount '
                        || E'within $50,000 to $200,000 is chosen.\n'
                   ELSE '' END,
           'pending', now(), 0, now() + interval '2 minutes', '', 'penalties.notice_sent',
           s.notice_id
      FROM swept s
      JOIN agreement_milestone m ON m.id = s.milestone_id
      JOIN agreement_party p ON p.id = s.party_id
      JOIN penalties_penaltyschedule sch ON sch.id = s.schedule_id
      JOIN accounts_user u ON u.party_id = s.party_id AND u.role = 'port_staff'
                          AND u.is_active AND u.email <> ''
     ORDER BY s.notice_id, u.id
    ON CONFLICT (event_key, recipient_id) DO NOTHING;

    UPDATE penalties_sweepfailure f SET resolved_at = p_now
      FROM swept s
     WHERE f.milestone_id = s.milestone_id AND f.due_date = s.due_date
       AND f.resolved_at IS NULL;
    RETURN flagged;
END
$fn$
"""


def _outcome() -> dict[str, Any]:
    """What a sweep left: rows of each kind, and the content that must match."""
    from audit import chain
    from audit.models import AuditEvent
    from core.models import OutboxMessage
    from penalties.models import Default, Notice

    verification = chain.verify()
    assert verification.ok, verification.broken
    return {
        "defaults": Default.objects.count(),
        "notices": Notice.objects.count(),
        "audit events": AuditEvent.objects.count(),
        "outbox rows": OutboxMessage.objects.count(),
        "chain length": verification.checked,
        # Ids match between the two runs (the same data, inserted in the same order); the
        # hashes do not (the sweep interleaves its batches' events, and the times differ).
        "defaults'": sorted(
            Default.objects.values_list(
                "id",
                "milestone_id",
                "due_date",
                "status",
                "proposed_amount",
                "proposed_schedule_id",
            )
        ),
        "notices'": sorted(
            Notice.objects.values_list("id", "milestone_id", "kind", "due_date", "recipients")
        ),
        "audit events'": sorted(
            AuditEvent.objects.values_list("action", "object_id", "object_repr", "party_id")
        ),
        "audit payloads'": sorted(
            (str(e.object_id), repr(sorted((e.after or {}).items())))
            for e in AuditEvent.objects.only("object_id", "after")
        ),
        "outbox rows'": sorted(
            OutboxMessage.objects.values_list(
                "event_key", "recipient_id", "to_email", "subject", "body", "hook", "hook_arg"
            )
        ),
    }


def _versus_sql(now: dt.datetime) -> list[str]:
    """The sweep flagging 10,000 misses vs the same work hand-written in SQL, same data."""
    from django.db import connection, transaction
    from django.urls import reverse

    from agreement import deadlines
    from agreement.seed import seed_agreement
    from core.outbox import absolute_url
    from penalties.sweep import sweep_deadlines

    with throwaway_database("bench_sweep"):
        seed_agreement()
        _port_staff()
        _missed(VERSUS_SQL)
        start = time.perf_counter()
        recorded = sweep_deadlines(now)
        swept = time.perf_counter() - start
        by_sweep = _outcome()
        assert by_sweep["defaults"] == recorded == VERSUS_SQL + 2
    url = absolute_url(reverse("penalties:default", args=[987654321])).replace("987654321", "{id}")
    with throwaway_database("bench_sweep"):
        seed_agreement()
        _port_staff()
        _missed(VERSUS_SQL)
        with connection.cursor() as cursor:
            start = time.perf_counter()
            with transaction.atomic():
                cursor.execute(SQL_FUNCTION)
                cursor.execute(
                    "SELECT pg_temp.sweep_by_hand(%s, %s, %s)",
                    [deadlines.last_passed_due_date(now), now, url],
                )
                flagged = cursor.fetchone()[0]
            by_hand = time.perf_counter() - start
        by_sql = _outcome()
    # The same work: as many rows of each kind, the same contents, both chains verified.
    for kind, value in by_sweep.items():
        if kind.endswith("'"):
            only_sweep = sorted(set(value) - set(by_sql[kind]))[:2]
            only_sql = sorted(set(by_sql[kind]) - set(value))[:2]
            assert by_sql[kind] == value, (kind, only_sweep, only_sql)
        else:
            assert by_sql[kind] == value, (kind, value, by_sql[kind])
    assert flagged == recorded
    rows = ", ".join(f"{by_sweep[kind]:,} {kind}" for kind in by_sweep if not kind.endswith("'"))
    return [
        f"sweep flagging {recorded} misses: {swept:.2f} s; the hand-written SQL doing the same "
        f"work ({rows}; identical rows and texts, both chains verified): {by_hand:.2f} s; "
        f"ratio {swept / by_hand:.1f}"
    ]


if __name__ == "__main__":
    main()
