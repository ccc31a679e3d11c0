"""The "At a glance" panel of a version page: its status, what the user can do now, and
what to watch out for (project milestone dates already past, planning targets changed since
the plan was last approved).  A read: it asks the policy and the selectors, changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts import policy
from accounts.policy import Action

from .diff import Change, target_changes
from .models import (
    OPEN_STATUSES,
    PENDING_STATUSES,
    PlanningTarget,
    PlanVersion,
    ProjectMilestone,
    VersionStatus,
)
from .services import past_due_on_approval


@dataclass(frozen=True)
class Glance:
    next_step: str | Promise
    may_decide: bool  # the decision form belongs in the panel
    past_due: list[ProjectMilestone]
    last_approved: PlanVersion | None
    targets_changed: list[Change]

    @property
    def has_warnings(self) -> bool:
        return bool(self.past_due or self.targets_changed)


def _next_step(user: Any, version: PlanVersion, may_decide: bool) -> str | Promise:
    status = version.status
    if policy.can(user, Action.PLAN_EDIT, version):
        return {
            VersionStatus.DRAFT: _("Finish the draft in the editor, then submit it to AQMD."),
            VersionStatus.SUBMITTED: _(
                "AQMD has it. You can withdraw it until AQMD starts deciding."
            ),
            VersionStatus.UNDER_REVIEW: _(
                "AQMD is reviewing it. You can withdraw it until AQMD decides."
            ),
            VersionStatus.CHANGES_REQUESTED: _(
                "AQMD sent it back for changes: start a new version to revise it."
            ),
            VersionStatus.WITHDRAWN: _("You withdrew it: start a new version to revise it."),
            VersionStatus.APPROVED: _("AQMD approved it: nothing is waiting for you."),
        }[VersionStatus(status)]
    if may_decide and status == VersionStatus.SUBMITTED:
        return _("Start the review, or record your decision here.")
    if may_decide:
        return _("Record your decision here: approve it, or send it back with reasons.")
    if status in PENDING_STATUSES:
        return _("AQMD has not decided yet: you can read it and its comments.")
    return _("Decided: you can read it, its decision and its comments.")


def _last_approved(version: PlanVersion) -> PlanVersion | None:
    """The latest earlier approved version, with its targets (2 queries)."""
    return (
        PlanVersion.objects.filter(
            plan_id=version.plan_id, number__lt=version.number, status=VersionStatus.APPROVED
        )
        .prefetch_related(
            Prefetch("targets", queryset=PlanningTarget.objects.select_related("category"))
        )
        .order_by("-number")
        .first()
    )


def version_at_a_glance(*, user: Any, version: PlanVersion, decided: bool) -> Glance:
    """The panel for ``version`` (loaded with ``selectors.with_content``) as ``user`` sees it.

    ``decided`` says whether AQMD's decision on it is recorded (the page has it already).
    """
    may_decide = (
        not decided
        and version.status in PENDING_STATUSES
        and policy.can(user, Action.PLAN_REVIEW, version)
    )
    past_due = past_due_on_approval(version) if version.status in OPEN_STATUSES else []
    last_approved = _last_approved(version)
    targets_changed = target_changes(last_approved, version) if last_approved else []
    return Glance(
        next_step=_next_step(user, version, may_decide),
        may_decide=may_decide,
        past_due=past_due,
        last_approved=last_approved,
        targets_changed=targets_changed,
    )
