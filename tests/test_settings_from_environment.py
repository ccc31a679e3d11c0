"""Settings come from the environment and fail loudly on malformed values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_settings(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.base", **overrides})
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_valid_environment_loads():
    result = _load_settings(DJANGO_DEBUG="true", DATABASE_URL="sqlite:///:memory:")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DJANGO_DEBUG", "maybe", "is not a boolean"),
        ("DATABASE_URL", "nonsense://x", "is not a database URL"),
        ("UPLOAD_MAX_BYTES", "25MB", "invalid literal"),
    ],
)
def test_malformed_values_stop_start_up_with_the_variable_named(name, value, message):
    env = {"DJANGO_DEBUG": "true", "DATABASE_URL": "sqlite:///:memory:", name: value}
    result = _load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_needs_a_secret_key():
    result = _load_settings(DJANGO_DEBUG="false", DATABASE_URL="sqlite:///:memory:")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
