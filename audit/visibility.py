"""Which audit events are seen beyond the port they belong to: filters the apps register.

The audit app stays below the features: an app whose records are private to the port for a
while (a plan's unsubmitted draft) registers a filter that removes those events for readers
outside the port (AQMD, the board).  :func:`beyond_port` applies every registered filter.
"""

from __future__ import annotations

from collections.abc import Callable

from .models import AuditEventQuerySet

_FILTERS: dict[str, Callable[[AuditEventQuerySet], AuditEventQuerySet]] = {}


def register(name: str, hide: Callable[[AuditEventQuerySet], AuditEventQuerySet]) -> None:
    """``hide(events)`` returns ``events`` less those not to be seen beyond the port."""
    _FILTERS[name] = hide


def beyond_port(events: AuditEventQuerySet) -> AuditEventQuerySet:
    for hide in _FILTERS.values():
        events = hide(events)
    return events
