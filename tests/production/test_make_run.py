"""`make run` in a fresh copy of the project: it writes a development `.env`, the README's
manage.py commands work in that copy, and Ctrl-C stops everything without an error from make.

The copy shares this checkout's virtual environment (a symlink) instead of installing one.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.processes import ROOT, free_port, wait_for


def _copy_project(target: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(ROOT / ".venv")


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_", "PYTEST_"))
    }
    env.update(extra)
    return env


def test_make_run_writes_env_the_readme_commands_work_and_ctrl_c_stops_cleanly(tmp_path):
    project = tmp_path / "clone"
    project.mkdir()
    _copy_project(project)
    port = free_port()
    log = tmp_path / "make-run.log"
    with log.open("wb") as out:
        run = subprocess.Popen(
            # -o: the copied pyproject is newer than the shared .venv's stamp; do not reinstall.
            ["make", "--no-print-directory", "-o", ".venv/.installed", "run"],
            cwd=project,
            env=_clean_env(PORT=str(port)),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        started = wait_for(
            lambda: f"http://127.0.0.1:{port}" in log.read_text() or run.poll() is not None,
            timeout=300,
            step=0.5,
        )
        assert started and run.poll() is None, log.read_text()[-4000:]
        dotenv = (project / ".env").read_text()
        assert "DJANGO_DEBUG=true" in dotenv
        secret = next(line for line in dotenv.splitlines() if line.startswith("DJANGO_SECRET"))
        assert len(secret.split("=", 1)[1]) >= 50
        assert "DJANGO_MFA_EXEMPT_USERNAMES=aqmd.reviewer,aqmd.admin" in dotenv
        assert ".env" in (project / ".gitignore").read_text().split()

        python = str(project / ".venv" / "bin" / "python")
        for command in (
            ["sweep_deadlines", "--dry-run"],
            ["verify_audit_log"],
            ["import_inventory_csv", "reports/data/caap_inventory_public.csv"],
        ):
            result = subprocess.run(
                [python, "manage.py", *command],
                cwd=project, env=_clean_env(), capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            assert result.returncode == 0, f"{command}: {result.stderr[-2000:]}"
            assert "DJANGO_SECRET_KEY" not in result.stderr
    finally:
        # Ctrl-C in a terminal: SIGINT to the foreground process group (make and the script).
        stopping = time.monotonic()
        os.killpg(run.pid, signal.SIGINT)
        try:
            run.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            raise
        stopped_after = time.monotonic() - stopping
    output = log.read_text()
    print(f"make run: stopped {stopped_after:.1f} s after Ctrl-C")
    assert stopped_after < 10
    assert "Stopped." in output
    assert "Error" not in output.split("Stopping", 1)[1]  # no "make: *** [run] Error 1"
    port_free = subprocess.run(["ss", "-ltn", f"sport = :{port}"], capture_output=True, text=True)
    assert f":{port}" not in port_free.stdout  # the web server is gone
