"""`make serve` runs the production shape here, and a person signs in through it.

The test starts `make serve` as a subprocess on a free port with a database of its own and
the test Redis, with gunicorn terminating TLS (a throw-away certificate) so the browser talks
HTTPS as it would behind the proxy.  An AQMD administrator signs in in headless Chromium,
enrols an authenticator (the key read off the page, the code computed as the phone would),
reaches the dashboard with no Content-Security-Policy violation, and then SIGTERM takes web,
worker and beat down within 10 seconds.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from django_otp.oath import totp

from tests.processes import BIN, ROOT, base_env, database_url, free_port, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]


def _admin_connection() -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"] or "postgres",
        password=s.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def serve_database() -> Iterator[str]:
    name = f"{connection.settings_dict['NAME']}_serve"
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _serve_env(port: int, database: str, cert: Path, key: Path, **extra: str) -> dict[str, str]:
    env = base_env(
        DATABASE_URL=database_url(database),
        CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
        PORT=str(port),
        WEB_CONCURRENCY="2",
        CELERY_CONCURRENCY="1",
        BEAT_SCHEDULE_FILE=str(cert.parent / "beat-schedule"),
        GUNICORN_CMD_ARGS=f"--certfile {cert} --keyfile {key}",
        DJANGO_CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{port}",
    )
    # Production settings: the real switch, not the fault tests' plain-HTTP shortcut.
    env.pop("DJANGO_SECURE_SSL_REDIRECT")
    env.update(extra)
    return env


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(parent)], capture_output=True, text=True
        ).stdout
        children = {int(p) for p in out.split()}
        found |= children
        frontier.extend(children)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True)
    return not state.stdout.strip().startswith("Z")


def test_an_aqmd_administrator_signs_in_with_a_second_factor_through_make_serve(
    serve_database, certificate, tmp_path
):
    if not Path(CHROMIUM).exists():
        pytest.skip("needs /usr/bin/chromium (make test installs it)")
    cert, key = certificate
    port = free_port()
    env = _serve_env(port, serve_database, cert, key)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        serve = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"https://127.0.0.1:{port}"
    try:
        ready = wait_for(
            lambda: _https_status(f"{base}/healthz/") == 200 or serve.poll() is not None,
            timeout=180,
            step=0.5,
        )
        assert ready and serve.poll() is None, log.read_text()[-5000:]
        # The worker and beat are up too.
        assert wait_for(lambda: " ready." in log.read_text(), timeout=60), log.read_text()[-3000:]
        assert "beat: Starting" in log.read_text()

        created = subprocess.run(
            [str(BIN / "python"), "manage.py", "createsuperuser", "--noinput",
             "--username", "ops.admin", "--email", "ops.admin@aqmd.example"],
            cwd=ROOT, env={**env, "DJANGO_SUPERUSER_PASSWORD": "a long pass phrase 42"},
            capture_output=True, text=True,
        )  # fmt: skip
        assert created.returncode == 0, created.stderr

        violations = _sign_in_and_enrol(base)
        assert violations == []
    finally:
        descendants = _descendants(serve.pid)
        started = time.monotonic()
        os.killpg(serve.pid, signal.SIGTERM)
        try:
            serve.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
        wait_for(lambda: not any(_alive(p) for p in descendants), timeout=15, step=0.1)
        stopped_after = time.monotonic() - started
        leftovers = [p for p in descendants if _alive(p)]
        for pid in leftovers:
            os.kill(pid, signal.SIGKILL)
    print(f"make serve: web, worker and beat stopped {stopped_after:.1f} s after SIGTERM")
    assert leftovers == [], f"still running after SIGTERM: {leftovers}"
    assert stopped_after < 10, f"took {stopped_after:.1f} s to stop"
    # make itself dies of the SIGTERM it was sent; the script under it stopped everything
    # gracefully, without having to kill anything.
    assert serve.returncode in (0, -signal.SIGTERM)
    # The script writes its last line once its children are gone: give it a moment under load
    # (the children can be reaped before the script's own echo reaches the log).
    wait_for(lambda: "Stopped." in log.read_text(), timeout=10, step=0.1)
    output = log.read_text()
    assert "Stopped." in output and "did not stop in time" not in output, output[-3000:]


def _https_status(url: str) -> int:
    import ssl
    import urllib.error
    import urllib.request

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=5, context=context) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, OSError):
        return 0


def _sign_in_and_enrol(base: str) -> list[str]:
    """Sign in, enrol, land on the dashboard; returns the CSP violations the browser saw."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    violations: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            context = browser.new_context(ignore_https_errors=True)
            page = context.new_page()

            def on_console(message: Any) -> None:
                if "Content Security Policy" in message.text:
                    violations.append(f"{page.url}: {message.text}")

            page.on("console", on_console)
            response = page.goto(f"{base}/accounts/login/")
            assert response is not None
            headers = response.headers
            assert "max-age=" in headers["strict-transport-security"]
            assert "script-src 'self'" in headers["content-security-policy"]
            assert headers["x-frame-options"] == "DENY"
            page.get_by_label("Username").fill("ops.admin")
            page.get_by_label("Password").fill("a long pass phrase 42")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/accounts/mfa/setup/**")
            assert page.locator("svg").count() >= 1  # the QR code
            secret = page.locator("#totp-key").inner_text().replace(" ", "")
            key = base64.b32decode(secret + "=" * (-len(secret) % 8))
            page.get_by_label("Code").fill(f"{totp(key):06d}")
            page.get_by_role("button", name="Confirm").click()
            page.wait_for_load_state()
            assert "Your recovery codes" in page.content()
            assert page.locator(".recovery-codes li").count() == 10
            page.get_by_role("link", name="Continue").click()
            page.wait_for_load_state()
            assert "Sign out ops.admin" in page.content()
            page.goto(f"{base}/admin/")
            assert "Compliance tracker administration" in page.content()
            page.goto(f"{base}/api/docs/")
            page.wait_for_load_state("networkidle")
        finally:
            browser.close()
    return violations
