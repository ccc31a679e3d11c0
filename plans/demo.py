"""Illustrative demo plan data for ``make run`` (idempotent).

Every name says "Illustrative demo": these figures are invented to show the screens and
are not the ports' real plans.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.models import User
from agreement.models import EmissionCategory, Phase

from . import services
from .models import PlanVersion, ProjectType

DEMO_SUMMARY = "Illustrative demo data: invented figures to show the screens, not a real plan."

# The draft's projects (by emission category), each with one milestone.
DEMO_PROJECTS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "che_container",
        {
            "name": "Illustrative demo: terminal equipment chargers",
            "location": "Illustrative demo terminal",
            "project_type": ProjectType.CHARGING,
            "capacity_value": Decimal("10"),
            "quantity": 20,
            "start_date": dt.date(2028, 1, 1),
            "end_date": dt.date(2029, 12, 31),
        },
        {
            "what": "Illustrative demo: chargers energised",
            "due_date": dt.date(2029, 6, 30),
            "within_port_control": True,
        },
    ),
    (
        "drayage",
        {
            "name": "Illustrative demo: substation upgrade for drayage charging",
            "location": "Illustrative demo site",
            "project_type": ProjectType.GRID_UPGRADE,
            "capacity_value": Decimal("20"),
            "quantity": 1,
            "start_date": dt.date(2028, 3, 1),
            "end_date": dt.date(2030, 3, 31),
        },
        {
            "what": "Illustrative demo: utility interconnection (utility's schedule)",
            "due_date": dt.date(2029, 9, 30),
            "within_port_control": False,
        },
    ),
]


@transaction.atomic
def seed_demo_plans() -> PlanVersion | None:
    """A POLA phase-1 draft with a target and two projects; None if the demo user is missing.

    Re-running changes nothing: content is added only to an empty first version.
    """
    planner = User.objects.filter(username="pola.staff").select_related("party").first()
    if planner is None or planner.party is None:
        return None
    phase = Phase.objects.get(number=1)
    plan, _created = services.plan_start(party=planner.party, phase=phase, actor=planner)
    version = plan.versions.order_by("number").first()
    if version is None or not version.is_editable:
        return version
    if version.targets.exists() or version.projects.exists():
        return version
    che = EmissionCategory.objects.get(code="che_container")
    services.version_update(version=version, kind="draft", summary=DEMO_SUMMARY, actor=planner)
    services.target_add(
        version=version,
        data={
            "category": che,
            "year": 2030,
            "metric": "Illustrative demo: share of zero-emission cargo handling equipment",
            "target_value": Decimal("50"),
            "unit": "%",
        },
        actor=planner,
    )
    for category, project, milestone in DEMO_PROJECTS:
        added = services.project_add(
            version=version,
            data={
                **project,
                "category": EmissionCategory.objects.get(code=category),
                "capacity_unit": "MW",
                "estimated_cost": Decimal("1000000"),
                "funding_sources": "Illustrative demo: not real funding",
            },
            actor=planner,
        )
        services.project_milestone_add(project=added, data=milestone, actor=planner)
    return version
