"""The transition tables of plan versions and public comments (:mod:`core.workflow`)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.workflow import decided_once, workflow

from .models import PlanVersion, PublicComment, PublicCommentStatus
from .models import VersionStatus as S


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


# from-status → the statuses it may move to.  Nothing else is legal.
VERSION_WORKFLOW = workflow(
    PlanVersion,
    states=S,
    action="plan",
    moves={
        S.DRAFT: {S.SUBMITTED},
        S.SUBMITTED: {S.UNDER_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.WITHDRAWN},
        S.UNDER_REVIEW: {S.CHANGES_REQUESTED, S.APPROVED, S.WITHDRAWN},
        S.CHANGES_REQUESTED: set(),
        S.APPROVED: set(),
        S.WITHDRAWN: set(),
    },
    hint=_hint,
    label=lambda version: _("Version %(number)s") % {"number": version.number},
)


# AQMD moderates a public comment once: the first moderator's decision stands.
PUBLIC_COMMENT_WORKFLOW = workflow(
    PublicComment,
    states=PublicCommentStatus,
    action="public_comment",
    moves=decided_once(
        PublicCommentStatus.PENDING, PublicCommentStatus.PUBLISHED, PublicCommentStatus.REJECTED
    ),
    hint=lambda current, target: _("It was already moderated; reload the queue."),
    label=lambda comment: _("This comment"),
)
