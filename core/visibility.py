"""Which rows are seen beyond the port they belong to: filters the feature apps register.

The foundation apps (the audit trail, the admin) stay below the features: an app whose records
are private to the port for a while (a plan's unsubmitted draft and its audit events)
registers, for each model concerned, a filter that removes those rows for readers outside the
port (AQMD, the board; the admin's lists too); a filter is given the reader, so a row AQMD
may see and the board may not (a miss AQMD has not determined) is kept from the board only.
Stored documents have no list of their own: they are seen with what holds them (a plan
version, a request), which decides who may.
:func:`beyond_port` applies every filter registered for the rows' model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

Rows = TypeVar("Rows", bound=QuerySet[Any])

_FILTERS: dict[type[Model], dict[str, Callable[[Any, Any], Any]]] = {}


def register(model: type[Model], name: str, hide: Callable[[Any, Any], Any]) -> None:
    """``hide(rows, user)`` returns ``rows`` of ``model`` less those ``user``, a reader beyond
    the port, may not see."""
    _FILTERS.setdefault(model, {})[name] = hide


def beyond_port(rows: Rows, user: Any) -> Rows:
    for hide in _FILTERS.get(rows.model, {}).values():
        rows = hide(rows, user)
    return rows
