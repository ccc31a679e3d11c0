"""Every page and list endpoint under load, against a trivial view served by the same
gunicorn in the same run; query counts; the annual report vs WeasyPrint alone; peak RSS.

Run: ``.venv/bin/python -m benchmarks.http`` (or ``make bench``), ``DATABASE_URL`` naming the
PostgreSQL server.  The data lives in ``<name>_bench_large``, created on first use and filled
by ``seed_demo --scale large`` (ILLUSTRATIVE data; kept between runs, the seed is
idempotent).  gunicorn ``-w 2`` serves ``benchmarks.settings`` (the test settings with
pages and API lists cached per reader, in Redis when ``CACHE_URL`` names it); ``wrk -t2
-c16`` loads each address for ``BENCH_SECONDS`` (default 5) with the demo users' sessions.
The trivial view is measured before and after the pages (the machine's load drifts) and
the ratio uses their mean.

Prints a Markdown report and writes it into ``BENCHMARKS.md`` between the ``make bench``
markers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
TRIVIAL = "/bench/trivial/"
START, END = "<!-- make bench: start -->", "<!-- make bench: end -->"


def _bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/compliance_tracker")
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "compliance_tracker"
    return urlunsplit(parts._replace(path=f"/{name}_bench_large"))


def _env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        # Nothing is delivered during a benchmark: mail stays in the outbox.
        "CELERY_BROKER_URL": "memory://",
    }


def _prepare(database_url: str) -> str:
    """Create, migrate and seed the bench database; say how long the seed took."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    env = _env(database_url)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    start = time.perf_counter()
    seed = subprocess.run(
        [*manage, "seed_demo", "--scale", "large"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    fresh = "already there" not in seed.stdout
    print(seed.stdout[seed.stdout.find("Large") :].rstrip())
    return f"{elapsed:.1f} s ({'created the data' if fresh else 'data already there'})"


@contextlib.contextmanager
def _gunicorn(database_url: str) -> Iterator[subprocess.Popen[bytes]]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        env=_env(database_url),
        cwd=ROOT,
    )
    try:
        for _ in range(150):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}{TRIVIAL}", timeout=2)
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not answer")
        yield server
    finally:
        server.terminate()
        server.wait(15)


def _worker_peak_rss(master: int) -> list[int]:
    """VmHWM (peak resident memory, KiB) of each gunicorn worker."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            text = status.read_text()
            if re.search(rf"^PPid:\s+{master}$", text, re.M):
                found = re.search(r"^VmHWM:\s+(\d+) kB", text, re.M)
                if found:
                    peaks.append(int(found.group(1)))
    return peaks


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(path: str, cookie: str | None) -> dict[str, float]:
    # A 10 s timeout, so slow answers are measured rather than dropped.
    command = ["wrk", "-t2", "-c16", f"-d{SECONDS}s", "--timeout", "10s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: sessionid={cookie}"]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{PORT}{path}"], capture_output=True, text=True, check=True
    ).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for pct in ("50", "99"):
        found = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        result[f"p{pct}"] = float(found.group(1)) * _UNITS[found.group(2)] if found else -1.0
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["errors"] = float(errors.group(1)) if errors else 0.0
    timeouts = re.search(r"timeout (\d+)", out)
    result["timeouts"] = float(timeouts.group(1)) if timeouts else 0.0
    return result


def _status(path: str, cookie: str | None) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}")
    if cookie:
        request.add_header("Cookie", f"sessionid={cookie}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _sessions_and_queries(
    addresses: list[tuple[str | None, str]],
) -> tuple[
    dict[str | None, str | None],
    dict[tuple[str | None, str], int],
    dict[tuple[str | None, str], float],
]:
    """A session per demo user, and each address's queries and time (median of 3, ms)
    rendered without the page cache, in-process: what the first reader after a change
    waits for."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    settings.PAGE_CACHE_SECONDS = 0
    settings.ALLOWED_HOSTS = ["*"]
    sessions: dict[str | None, str | None] = {None: None}
    clients: dict[str | None, Client] = {None: Client()}
    counts, times = {}, {}
    for role, path in addresses:
        if role not in clients:
            clients[role] = Client()
            clients[role].force_login(User.objects.get(username=role))
            sessions[role] = clients[role].cookies["sessionid"].value
        clients[role].get(path)
        with CaptureQueriesContext(connection) as ctx:
            clients[role].get(path)
        counts[(role, path)] = len(ctx.captured_queries)
        took = []
        for _ in range(3):
            start = time.perf_counter()
            clients[role].get(path)
            took.append((time.perf_counter() - start) * 1000)
        times[(role, path)] = statistics.median(took)
    return sessions, counts, times


def _report_vs_weasyprint() -> list[tuple[str, float, float]]:
    """The combined annual report (both ports) on the large data: full job vs WeasyPrint.

    WeasyPrint alone is timed on the HTML of the run just rendered (same year, cut-off,
    version and executive summary: :func:`reports.rendering.run_html`) with the job's
    options (base URL, ``pdf_tags``), so the two sides lay out the same document.
    """
    from django.conf import settings
    from weasyprint import HTML

    from reports.rendering import run_html
    from reports.services import report_run_render, report_run_request

    year = 2024
    rows = []
    with tempfile.TemporaryDirectory() as media:
        settings.MEDIA_ROOT = media
        full, alone = [], []
        for _ in range(3):
            start = time.perf_counter()
            run = report_run_request(year=year, party=None, actor=None, enqueue=False)
            run = report_run_render(run_id=run.pk)
            full.append(time.perf_counter() - start)
            assert run.status == "ready", run.error
            html = run_html(run)
            start = time.perf_counter()
            HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_tags=True)
            alone.append(time.perf_counter() - start)
        rows.append(("both ports, " + str(year), min(full), min(alone)))
    return rows


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("make bench needs wrk (apt-get install wrk).")
    database_url = _bench_database_url()
    seeded = _prepare(database_url)
    os.environ.update(_env(database_url))
    import django

    django.setup()
    from benchmarks.catalogue import API_LISTS, PAGES

    addresses = PAGES + API_LISTS
    sessions, queries, uncached_ms = _sessions_and_queries(addresses)
    load_before = os.getloadavg()
    started = dt.datetime.now(dt.UTC)
    results: dict[tuple[str | None, str], dict[str, float]] = {}
    with _gunicorn(database_url) as server:
        statuses = {(role, path): _status(path, sessions[role]) for role, path in addresses}
        trivial = [_wrk(TRIVIAL, None)]
        for role, path in addresses:
            results[(role, path)] = _wrk(path, sessions[role])
        trivial.append(_wrk(TRIVIAL, None))
        peaks = _worker_peak_rss(server.pid)
    load_after = os.getloadavg()
    report = _report_vs_weasyprint()
    trivial_rps = statistics.mean(t["rps"] for t in trivial)

    lines = [
        f"Run {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores shared with other agents' "
        f"builds and tests: load average {load_before[0]:.1f} before, {load_after[0]:.1f} after. "
        f"gunicorn -w 2, wrk -t2 -c16 -d{SECONDS}s on loopback, pages and API lists cached "
        "per reader (`core/page_cache.py`): req/s and p50/p99 are cache hits; the last two columns "
        "are one render without the cache, in-process. "
        f"Seed (`seed_demo --scale large`): {seeded}.",
        "",
        f"Trivial view (`HttpResponse('ok')`), same gunicorn: "
        f"{trivial[0]['rps']:.0f} req/s before the pages, {trivial[1]['rps']:.0f} after "
        f"(p50 {trivial[0]['p50']:.1f} / {trivial[1]['p50']:.1f} ms, p99 "
        f"{trivial[0]['p99']:.1f} / {trivial[1]['p99']:.1f} ms); ratios below use the mean, "
        f"{trivial_rps:.0f} req/s.",
        "",
        "| who | address | status | req/s | ratio to trivial | p50 ms | p99 ms | uncached: "
        "queries | uncached: ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for role, path in addresses:
        r = results[(role, path)]
        errors = f" ({int(r['errors'])} non-2xx)" if r["errors"] else ""
        if r["timeouts"]:
            errors += f" ({int(r['timeouts'])} timed out)"
        lines.append(
            f"| {role or 'public'} | `{path}` | {statuses[(role, path)]}{errors} | "
            f"{r['rps']:.0f} | {r['rps'] / trivial_rps:.3f} | {r['p50']:.1f} | "
            f"{r['p99']:.1f} | {queries[(role, path)]} | {uncached_ms[(role, path)]:.0f} |"
        )
    lines += [
        "",
        "Peak RSS of the gunicorn workers (VmHWM): "
        + ", ".join(f"{kib / 1024:.0f} MiB" for kib in sorted(peaks))
        + ".",
        "",
        "| annual report (large data) | full job, best of 3 | WeasyPrint alone on the same "
        "HTML, best of 3 | ratio |",
        "|---|---|---|---|",
    ]
    for label, full, alone in report:
        lines.append(f"| {label} | {full:.2f} s | {alone:.2f} s | {full / alone:.2f} |")
    text = "\n".join(lines)
    print(text)
    _write(text)


def _write(text: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    current = path.read_text()
    block = f"{START}\n{text}\n{END}"
    if START in current and END in current:
        current = current[: current.index(START)] + block + current[current.index(END) + len(END) :]
    else:
        current = current.rstrip() + "\n\n## `make bench` on the large data\n\n" + block + "\n"
    path.write_text(current)


if __name__ == "__main__":
    main()
