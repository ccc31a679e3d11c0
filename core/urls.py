"""What the URL modules of every app declare alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, re_path


def export_path(route: str, view: Callable[..., Any], name: str) -> URLPattern:
    """``<route>/export.csv`` and ``<route>/export.xlsx``: a list page's rows as a download;
    the view gets the format as ``fmt``."""
    return re_path(rf"^{route}/export\.(?P<fmt>csv|xlsx)$", view, name=name)
