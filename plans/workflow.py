"""The one transition table of a plan version, and the check every service runs against it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import ServiceError

from .models import VersionStatus as S

# from-status → the statuses it may move to.  Nothing else is legal.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.UNDER_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.WITHDRAWN}),
    S.UNDER_REVIEW: frozenset({S.CHANGES_REQUESTED, S.APPROVED, S.WITHDRAWN}),
    S.CHANGES_REQUESTED: frozenset(),
    S.APPROVED: frozenset(),
    S.WITHDRAWN: frozenset(),
}


def _hint(current: str, target: str) -> str:
    """What the user can do instead of an illegal move."""
    if current == S.DRAFT:
        return _("Submit the version first.")
    if current == S.WITHDRAWN and target != S.SUBMITTED:
        return _("The port withdrew it; a new version will come back through the queue.")
    if current in (S.CHANGES_REQUESTED, S.WITHDRAWN):
        return _("Start a new version (Revise) and submit that.")
    if current == S.APPROVED:
        return _("The decision is final; start a new version to propose changes.")
    if target == S.SUBMITTED:
        return _("It is already with AQMD; withdraw it first if you need to change it.")
    return _("Reload the page to see its current state.")


def check_transition(current: str, target: str, *, label: str) -> None:
    """Raise ServiceError (code ``conflict``) unless ``current → target`` is in the table.

    ``label`` names the object in the message (e.g. "Version 2").
    """
    if target in TRANSITIONS[current]:
        return
    raise ServiceError(
        _("%(label)s is %(current)s and cannot become %(target)s. %(hint)s")
        % {
            "label": label,
            "current": S(current).label.lower(),
            "target": S(target).label.lower(),
            "hint": _hint(current, target),
        },
        code="conflict",
    )
