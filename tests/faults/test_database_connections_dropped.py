"""PostgreSQL drops the application's connections under load (a failover, a restart, an
idle-connection killer): requests in flight get a clean 503 "try again", never a traceback
or a dropped socket, and the application recovers by itself, without a restart.

gunicorn (production settings, 2 workers, persistent connections with CONN_HEALTH_CHECKS)
serves database-backed pages to 4 client threads while another thread terminates every
server-side connection of the application twice a second.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import psycopg
import pytest
from django.db import connection

from tests.processes import get, gunicorn, worker_pids

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = ["/milestones/", "/status/", "/api/v1/milestones/"]
LOAD_SECONDS = 8.0
KILL_EVERY = 0.5


def _terminate_application_connections(dbname: str) -> int:
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"] or "postgres",
        dbname="postgres", autocommit=True,
    ) as admin:  # fmt: skip
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND application_name = 'compliance-web'",
            [dbname],
        ).fetchall()
    return len(rows)


def test_dropped_connections_give_clean_503s_and_the_app_recovers_without_restart(
    agreement, tmp_path
):
    dbname = connection.settings_dict["NAME"]
    with gunicorn(tmp_path, PGAPPNAME="compliance-web") as (web, base):
        for page in PAGES:
            assert get(base + page)[0] == 200
        workers_before = worker_pids(web)

        # Connections dropped while idle between requests: the health check replaces them.
        for _ in range(4):
            get(base + PAGES[0])
        assert _terminate_application_connections(dbname) >= 1
        assert [get(base + PAGES[0])[0] for _ in range(6)] == [200] * 6

        statuses: Counter[int] = Counter()
        bodies_503: list[str] = []
        stop = threading.Event()
        lock = threading.Lock()

        def client(n: int) -> None:
            i = n
            while not stop.is_set():
                status, body = get(base + PAGES[i % len(PAGES)])
                i += 1
                with lock:
                    statuses[status] += 1
                    if status == 503:
                        bodies_503.append(body)

        kills = 0

        def killer() -> None:
            nonlocal kills
            while not stop.is_set():
                time.sleep(KILL_EVERY)
                kills += _terminate_application_connections(dbname)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        threads.append(threading.Thread(target=killer))
        for t in threads:
            t.start()
        time.sleep(LOAD_SECONDS)
        stop.set()
        for t in threads:
            t.join(30)

        after = [get(base + page)[0] for page in PAGES * 5]
        workers_after = worker_pids(web)

    total = sum(statuses.values())
    print(
        f"{total} requests under {kills} dropped connections: "
        + ", ".join(f"{n} x {code}" for code, n in sorted(statuses.items()))
        + f"; afterwards {after.count(200)}/{len(after)} OK; gunicorn workers restarted: "
        f"{len(workers_before - workers_after)}"
    )
    assert kills >= 5
    assert set(statuses) <= {200, 503}, statuses  # never a 500, never a dropped socket (0)
    assert statuses[200] > 0
    for body in bodies_503:
        assert "Try again in a moment" in body or '"code": "unavailable"' in body
        assert "Traceback" not in body
    assert after == [200] * len(after)
    assert workers_after == workers_before  # recovered without restarting anything


def test_with_the_database_unreachable_pages_answer_503_and_the_probe_names_it(tmp_path):

    dead = "postgres://postgres@127.0.0.1:1/nowhere"  # nothing listens on port 1
    with gunicorn(tmp_path, DATABASE_URL=dead) as (_web, base):
        status, body = get(base + "/healthz/")
        page_status, page = get(base + "/milestones/")
        api_status, api = get(base + "/api/v1/milestones/")
    assert status == 503
    assert '"down": ["database (postgresql)"]' in body
    assert page_status == 503 and "Try again in a moment" in page and "Traceback" not in page
    assert api_status == 503 and '"code": "unavailable"' in api
