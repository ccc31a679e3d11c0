"""What keeps a passed deadline from being missed yet: a deliverable or request in AQMD's hands.

A milestone whose deadline passed is not missed while AQMD has something filed in time that
it has not decided: an extension request asked for before the due date, a completion report
filed by the deadline, a final plan submitted on time and still under review.  The apps that
own those records register here what they hold (as a filter on milestones), so the deadline
sweep asks one question without knowing every app: :func:`held`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

_HOLDS: dict[str, Callable[[], Q]] = {}


def register(name: str, condition: Callable[[], Q]) -> None:
    """``condition()`` is a filter on :class:`agreement.models.Milestone` matching the
    milestones held by ``name`` (for example ``Exists(<pending request filed in time>)``)."""
    _HOLDS[name] = condition


def held() -> Q:
    """Milestones on hold for any registered reason (never matches when none is registered)."""
    condition = Q(pk__in=[])
    for make in _HOLDS.values():
        condition |= make()
    return condition


def reasons() -> list[str]:
    return sorted(_HOLDS)
