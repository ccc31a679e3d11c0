"""Reads for the report and emissions pages."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.db.models import Prefetch, Q

from accounts import policy
from accounts.policy import Action

from . import derived
from .models import (
    BASELINE_YEAR,
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


def report_run_readable(user: Any, run: ReportRun) -> bool:
    """The row-by-row answer of :func:`report_runs_visible_to`: those allowed to read the
    run, or anyone once it is published."""
    return policy.can(user, Action.REPORT_VIEW, run) or policy.can(
        user, Action.REPORT_VIEW_PUBLISHED, run
    )


def report_run_downloadable(user: Any, run: ReportRun) -> bool:
    """Only ready runs are served, to those allowed to read them or to anyone once published."""
    return run.is_downloadable and report_run_readable(user, run)


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


BaselineFigures = dict[int, dict[str, InventoryFigure]]


def accepted_baseline_figures() -> BaselineFigures:
    """The accepted 2005 figures of every port (port id -> metric -> figure), in one query.

    Accepted figures are public, so every caller may see them.
    """
    figures = InventoryFigure.objects.filter(
        inventory__year=BASELINE_YEAR, inventory__status=InventoryStatus.ACCEPTED
    ).select_related("inventory")
    found: BaselineFigures = {}
    for figure in figures:
        found.setdefault(figure.inventory.party_id, {})[figure.metric] = figure
    return found


def inventory_points(
    inventory: EmissionsInventory, baselines: BaselineFigures
) -> list[derived.Point]:
    """The derived figures of one inventory vs its port's accepted 2005 inventory, one per
    metric it records (computed by :mod:`reports.derived`, as the report does).  Uses the
    prefetched figures: no query."""
    own = {f.metric: f for f in inventory.figures.all()}
    figures: dict[int, dict[str, InventoryFigure]] = {
        BASELINE_YEAR: baselines.get(inventory.party_id, {}),
        inventory.year: own,
    }
    return [derived.metric_point(figures, inventory.year, metric) for metric in sorted(own)]
