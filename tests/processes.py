"""Real processes for the production and fault tests: gunicorn, Celery workers, a private Redis.

Everything listens on 127.0.0.1 in the 8100-8199 range (free ports found by trying), runs
against the test database the test is using (``transaction=True`` tests commit, so other
processes see their rows), and is stopped by the test that started it, by process group.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PORTS = range(8100, 8200)


def free_port() -> int:
    for port in PORTS:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8100-8199")


def wait_for(condition: Callable[[], bool], timeout: float = 30.0, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def database_url(name: str | None = None) -> str:
    """The URL of the test database (or another database on the same server)."""
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name or s['NAME']}"


def base_env(**overrides: str) -> dict[str, str]:
    """Production settings on the test database, plain HTTP (no proxy in front here)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "fault-tests-" + "k3y-" * 12,
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url(),
            "PATH": f"{BIN}:{env.get('PATH', '')}",
            "PYTHONUNBUFFERED": "1",
            "STATIC_ROOT": str(ROOT / "var" / "test-static"),
            "MEDIA_ROOT": str(ROOT / "var" / "test-media"),
        }
    )
    env.update(overrides)
    return env


@dataclass
class Process:
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (the master and its children)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 15.0) -> None:
        if self.popen.poll() is None:
            self.kill(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill(signal.SIGKILL)
                self.popen.wait(5)
        # Children of a killed master may outlive it: take the group down.
        self.kill(signal.SIGKILL)


def spawn(args: list[str], env: dict[str, str], log: Path) -> Process:
    handle = log.open("wb")
    popen = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )
    return Process(popen, log)


@contextmanager
def running(args: list[str], env: dict[str, str], log: Path) -> Iterator[Process]:
    process = spawn(args, env, log)
    try:
        yield process
    finally:
        process.stop()


def gunicorn_args(port: int, *, workers: int = 2) -> list[str]:
    return [
        str(BIN / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--no-control-socket",
    ]


def worker_args(name: str, *, concurrency: int = 1) -> list[str]:
    return [
        str(BIN / "celery"),
        "-A",
        "config",
        "worker",
        "--loglevel=INFO",
        f"--concurrency={concurrency}",
        "--pool=prefork",
        f"--hostname={name}-{os.getpid()}@%h",
        "--without-mingle",
        "--without-gossip",
    ]


def http_status(url: str, timeout: float = 10.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, OSError):
        return 0


def get(url: str, timeout: float = 10.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode(errors="replace")


@contextmanager
def gunicorn(tmp_path: Path, *, workers: int = 2, **env: str) -> Iterator[tuple[Process, str]]:
    """gunicorn serving the application; ready once it answers at all (even 503)."""
    port = free_port()
    args = gunicorn_args(port, workers=workers)
    with running(args, base_env(**env), tmp_path / f"gunicorn-{port}.log") as web:
        base = f"http://127.0.0.1:{port}"
        if not wait_for(lambda: http_status(f"{base}/healthz/") != 0, timeout=60):
            raise AssertionError("gunicorn did not start:\n" + web.output()[-4000:])
        yield web, base


def worker_pids(web: Process) -> set[int]:
    """The gunicorn master's worker processes (to show none was restarted)."""
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(web.pid)], capture_output=True, text=True, check=False
    ).stdout
    return {int(p) for p in out.split()}


@contextmanager
def celery_worker(tmp_path: Path, name: str, **env: str) -> Iterator[Process]:
    """A Celery worker subprocess (production settings) ready to consume."""
    log = tmp_path / f"{name}.log"
    with running(worker_args(name), base_env(**env), log) as worker:
        if not wait_for(lambda: " ready." in worker.output(), timeout=60):
            raise AssertionError(f"worker {name} did not start:\n" + worker.output()[-4000:])
        yield worker


class PrivateRedis:
    """A redis-server of the test's own on a free port, to stop and start at will."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.dir = tmp_path / f"redis-{self.port}"
        self.dir.mkdir()
        self.process: Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        server = shutil.which("redis-server")
        if server is None:
            raise RuntimeError("redis-server is not installed")
        args = [server, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                "--appendonly", "no", "--dir", str(self.dir)]  # fmt: skip
        self.process = spawn(args, os.environ.copy(), self.dir / "redis.log")
        if not wait_for(self.answers, timeout=10):
            raise AssertionError("redis-server did not start: " + self.process.output())

    def answers(self) -> bool:
        with socket.socket() as sock:
            sock.settimeout(1)
            try:
                sock.connect(("127.0.0.1", self.port))
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
            except OSError:
                return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None
        wait_for(lambda: not self.answers(), timeout=5)
