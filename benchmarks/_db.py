"""A throwaway PostgreSQL database (``<name>_<suffix>``) for a benchmark, dropped afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


@contextmanager
def throwaway_database(suffix: str) -> Iterator[None]:
    """Create and migrate ``<DATABASE name>_<suffix>``, yield, then drop it."""
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = f"{db['NAME']}_{suffix}"
    old = setup_databases(verbosity=0, interactive=False, aliases={"default": True})
    try:
        yield
    finally:
        teardown_databases(old, verbosity=0)
