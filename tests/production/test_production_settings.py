"""Production settings: check --deploy is clean, start-up refuses what production must not run
with, and every response carries the security headers."""

from __future__ import annotations

import subprocess

import pytest

from tests.processes import BIN, ROOT, base_env

STRONG_SECRET = "x9-" + "Production-Secret-For-Tests_" * 3


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = base_env(**{"DJANGO_SECRET_KEY": STRONG_SECRET, **env})
    environment.pop("DJANGO_SECURE_SSL_REDIRECT")
    return subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_reports_no_issues_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "DEBUG")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "true"}, "refuse to start with DEBUG on"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY is too weak"),
        ({"DJANGO_MFA_EXEMPT_USERNAMES": "aqmd.admin"}, "development-only setting"),
    ],
)
def test_production_settings_refuse_to_start(env, message):
    result = _manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_need_a_secret():
    environment = base_env()
    environment.pop("DJANGO_SECRET_KEY")
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", "check"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG is on"),
        ({"DJANGO_SECRET_KEY": ""}, "set DJANGO_SECRET_KEY"),
    ],
)
def test_the_entry_point_refuses_to_start_with_debug_on_or_no_secret(env, message):
    environment = base_env(**env)
    result = subprocess.run(
        [str(ROOT / "scripts" / "entrypoint"), "all"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert message in result.stderr


def test_production_redirects_to_https_and_trusts_the_proxy_header():
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "r = c.get('/status/', headers={'host': '127.0.0.1'})\n"
        "print(r.status_code, r['Location'])\n"
        "r = c.get('/status/', headers={'host': '127.0.0.1', 'x-forwarded-proto': 'https'})\n"
        "print(r.status_code, r['Strict-Transport-Security'])\n"
        "r = c.get('/healthz/', headers={'host': '127.0.0.1'})\n"
        "print(r.status_code)\n"
    )
    environment = base_env(DJANGO_SECRET_KEY=STRONG_SECRET)
    environment.pop("DJANGO_SECURE_SSL_REDIRECT")
    result = subprocess.run(
        [str(BIN / "python"), "-c", code],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    plain, proxied, health = result.stdout.strip().splitlines()
    assert plain == "301 https://127.0.0.1/status/"
    assert proxied.startswith("200 max-age=31536000; includeSubDomains; preload")
    assert health in ("200", "503")  # answered over plain HTTP, never redirected
