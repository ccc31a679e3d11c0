"""Reads of the agreement's data that pages and the API share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
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
    """A milestone with the days left to its deadline (negative once late)."""

    milestone: Milestone
    days_left: int

    @classmethod
    def at(cls, milestone: Milestone, now: dt.datetime) -> DueItem:
        return cls(milestone, deadlines.days_left(milestone.due_date, now))

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


# Dashboards look this far ahead, and list at most this many rows per panel; the counts
# link to the full, paginated lists.
DUE_NEXT_DAYS = 90
DASHBOARD_ROWS = 20


@dataclass(frozen=True)
class DueWindow:
    """Open milestones due in the next ``days`` Pacific days (at most ``limit`` of them
    listed), how many that is, and how many open milestones lie ahead in all."""

    items: list[DueItem]
    days: int
    count: int
    upcoming_total: int

    @property
    def later(self) -> int:
        """Open milestones due after the window."""
        return self.upcoming_total - self.count


def milestones_due_within(
    *,
    user: Any,
    days: int = DUE_NEXT_DAYS,
    now: dt.datetime | None = None,
    limit: int = DASHBOARD_ROWS,
) -> DueWindow:
    """Open milestones due from today to ``days`` days ahead, soonest first (3 queries)."""
    now = now or timezone.now()
    today = deadlines.pacific_today(now)
    upcoming = milestones_visible_to(user).upcoming(today=today)
    window = upcoming.filter(due_date__lte=today + dt.timedelta(days=days))
    rows = window[:limit]
    return DueWindow(
        items=[DueItem.at(m, now) for m in rows],
        days=days,
        count=window.count(),
        upcoming_total=upcoming.count(),
    )


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
    return [DueItem.at(m, now) for m in rows]


def agreement_overview() -> Agreement | None:
    """The agreement with approvals, terms, and phases with their categories."""
    return (
        Agreement.objects.prefetch_related(
            "approvals__party",
            "terms",
            "rulemaking_pauses",
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


def milestones_as_at(cutoff: dt.datetime) -> MilestoneQuerySet:
    """Milestones annotated with ``due_date_at_cutoff``: the due date as it stood at
    ``cutoff``, from the recorded date changes (the old date of the first change made after
    the cut-off; the current date when none was).  ``is_provisional_at_cutoff`` likewise.
    The one place reports read due dates of the past from."""
    later = MilestoneDateChange.objects.filter(
        milestone=OuterRef("pk"), changed_at__gt=cutoff
    ).order_by("changed_at", "id")
    return Milestone.objects.annotate(
        due_date_at_cutoff=Coalesce(Subquery(later.values("old_due_date")[:1]), F("due_date")),
        is_provisional_at_cutoff=Coalesce(
            Subquery(later.values("old_is_provisional")[:1]), F("is_provisional")
        ),
    )
