"""Reads of the agreement's data that pages and the API share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts import policy

from . import deadlines
from .models import (
    Agreement,
    EmissionCategory,
    Milestone,
    MilestoneDateChange,
    MilestoneQuerySet,
    Party,
    Phase,
)


def milestones_visible_to(user: Any) -> MilestoneQuerySet:
    """Milestones a user may see: port staff their own port's, everyone else all."""
    return policy.visible(
        user, policy.Action.MILESTONE_VIEW, Milestone.objects.select_related("party", "phase")
    )


def milestone_for(user: Any, pk: int) -> Milestone:
    """One milestone the user may see, or 404 (another port's): pages and API alike."""
    milestone = milestones_visible_to(user).filter(pk=pk).first()
    if milestone is None:
        raise Http404
    return milestone


def provisional_due_dates_ahead(*, now: dt.datetime, days: int) -> MilestoneQuerySet:
    """Open milestones whose due date is provisional and falls within ``days`` (or already
    passed): AQMD confirms or corrects them before a miss can be confirmed as a default."""
    today = deadlines.pacific_today(now)
    return (
        Milestone.objects.open()
        .filter(is_provisional=True, due_date__lte=today + dt.timedelta(days=days))
        .select_related("party", "phase")
        .order_by("due_date", "party__code", "pk")
    )


def milestones_with_history(user: Any) -> MilestoneQuerySet:
    """For lists, downloads and feeds: visible milestones with their due-date changes."""
    return milestones_visible_to(user).prefetch_related(
        Prefetch("date_changes", queryset=MilestoneDateChange.objects.order_by("changed_at", "id"))
    )


def parties_visible_to(user: Any) -> QuerySet[Party]:
    return policy.visible(user, policy.Action.AGREEMENT_VIEW, Party.objects.all())


def phases_visible_to(user: Any) -> QuerySet[Phase]:
    return policy.visible(
        user, policy.Action.AGREEMENT_VIEW, Phase.objects.prefetch_related("categories")
    )


def categories_visible_to(user: Any) -> QuerySet[EmissionCategory]:
    return policy.visible(
        user,
        policy.Action.AGREEMENT_VIEW,
        EmissionCategory.objects.select_related("phase").order_by("phase__number", "order", "code"),
    )


@dataclass(frozen=True)
class DueItem:
    milestone: Milestone
    days_left: int

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


# Dashboards look this far ahead, and list at most this many rows per panel; the counts
# link to the full, paginated lists.
DUE_NEXT_DAYS = 90
DASHBOARD_ROWS = 20


def milestones_due_within(
    *, user: Any, now: dt.datetime | None = None, days: int = DUE_NEXT_DAYS
) -> MilestoneQuerySet:
    """Open milestones not yet past and due within ``days`` Pacific days, soonest first."""
    now = now or timezone.now()
    today = deadlines.pacific_today(now)
    return (
        milestones_visible_to(user)
        .upcoming(today=today)
        .filter(due_date__lte=today + dt.timedelta(days=days))
    )


def milestones_due_next(
    *, user: Any, now: dt.datetime | None = None, limit: int = DASHBOARD_ROWS
) -> list[DueItem]:
    """Open milestones due in the next ``DUE_NEXT_DAYS`` days, soonest first (at most
    ``limit``), with Pacific days left."""
    now = now or timezone.now()
    rows = milestones_due_within(user=user, now=now)[:limit]
    return [DueItem(m, deadlines.days_left(m.due_date, now)) for m in rows]


def overdue_milestones(*, user: Any, now: dt.datetime | None = None) -> MilestoneQuerySet:
    """Open milestones whose deadline has passed, oldest first."""
    now = now or timezone.now()
    last = deadlines.last_passed_due_date(now)
    return (
        milestones_visible_to(user)
        .open()
        .filter(due_date__lte=last)
        .order_by("due_date", "party__code", "id")
    )


def milestones_overdue(
    *, user: Any, now: dt.datetime | None = None, limit: int = DASHBOARD_ROWS
) -> list[DueItem]:
    """Open milestones whose deadline has passed, oldest first (at most ``limit``)."""
    now = now or timezone.now()
    rows = overdue_milestones(user=user, now=now)[:limit]
    return [DueItem(m, deadlines.days_left(m.due_date, now)) for m in rows]


def agreement_overview() -> Agreement | None:
    """The agreement with approvals, terms, and phases with their categories."""
    return (
        Agreement.objects.prefetch_related(
            "approvals__party",
            "terms",
            Prefetch("phases", queryset=Phase.objects.prefetch_related("categories")),
        )
        .order_by("id")
        .first()
    )


def plan_milestones_by_port() -> list[tuple[Party, list[Milestone]]]:
    """For the public status page: each port's draft and approved plan milestones."""
    milestones = list(
        Milestone.objects.filter(kind__in=["draft_plan", "final_plan"])
        .select_related("party", "phase")
        .order_by("party__code", "phase__number", "kind")
    )
    ports = list(Party.objects.ports())
    return [(p, [m for m in milestones if m.party_id == p.pk]) for p in ports]
