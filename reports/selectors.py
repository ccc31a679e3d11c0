"""Reads for the report and emissions pages."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.db.models import Prefetch, Q

from accounts import policy
from accounts.policy import Action

from .models import (
    EmissionsInventory,
    EmissionsInventoryQuerySet,
    InventoryFigure,
    InventoryStatus,
    ReportRun,
    ReportRunQuerySet,
)


def report_runs_visible_to(user: Any) -> ReportRunQuerySet:
    """Board, reviewers and administrators see every run; port staff their own port's runs
    and published ones; the public published runs only."""
    runs = ReportRun.objects.select_related("party", "requested_by", "published_by")
    if policy.can(user, Action.REPORT_VIEW) and policy.port_scope(user) is None:
        return runs
    published = Q(is_published=True, status="ready")
    scope = policy.port_scope(user)
    if scope is not None:
        return runs.filter(published | Q(party_id=scope))
    return runs.filter(published)


def report_runs_by_year(user: Any) -> list[tuple[int, list[ReportRun]]]:
    """Every version the user may see, newest year first, grouped by year."""
    runs = report_runs_visible_to(user).order_by("-year", "party__code", "-version")
    return [(year, list(group)) for year, group in groupby(runs, key=lambda r: r.year)]


def report_run_downloadable(user: Any, run: ReportRun) -> bool:
    """Only ready runs are served, to those allowed to read them or to anyone once published."""
    return run.is_downloadable and (
        policy.can(user, Action.REPORT_VIEW, run)
        or policy.can(user, Action.REPORT_VIEW_PUBLISHED, run)
    )


def inventories_visible_to(user: Any) -> EmissionsInventoryQuerySet:
    """AQMD sees every inventory; port staff their own port's and accepted ones; everyone
    else accepted ones only."""
    qs = EmissionsInventory.objects.select_related("party", "submitted_by").prefetch_related(
        Prefetch("figures", queryset=InventoryFigure.objects.order_by("metric"))
    )
    if policy.can(user, Action.EMISSIONS_REVIEW):
        return qs
    scope = policy.port_scope(user)
    accepted = Q(status=InventoryStatus.ACCEPTED)
    if scope is not None:
        return qs.filter(accepted | Q(party_id=scope))
    return qs.filter(accepted)
