"""Factories for plans; build content through services where the behaviour matters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from agreement.models import EmissionCategory, Party, Phase
from plans.models import (
    InfrastructureProject,
    Plan,
    PlanningTarget,
    PlanVersion,
    ProjectMilestone,
    ProjectType,
)


class PlanFactory(DjangoModelFactory[Plan]):
    class Meta:
        model = Plan

    party = factory.LazyFunction(lambda: Party.objects.get(code="POLA"))
    phase = factory.LazyFunction(lambda: Phase.objects.get(number=1))


class PlanVersionFactory(DjangoModelFactory[PlanVersion]):
    class Meta:
        model = PlanVersion

    plan = factory.SubFactory(PlanFactory)
    number = 1
    created_by = factory.SelfAttribute("plan.created_by")


class PlanningTargetFactory(DjangoModelFactory[PlanningTarget]):
    class Meta:
        model = PlanningTarget

    category = factory.LazyFunction(lambda: EmissionCategory.objects.get(code="che_container"))
    year = 2030
    metric = "Share of zero-emission cargo handling equipment"
    target_value = Decimal("100.00")
    unit = "%"


class InfrastructureProjectFactory(DjangoModelFactory[InfrastructureProject]):
    class Meta:
        model = InfrastructureProject

    name = factory.Sequence(lambda n: f"Terminal charging project {n}")
    location = "Pier 400"
    category = factory.LazyFunction(lambda: EmissionCategory.objects.get(code="che_container"))
    project_type = ProjectType.CHARGING
    capacity_value = Decimal("12.50")
    capacity_unit = "MW"
    quantity = 40
    estimated_cost = Decimal("45000000.00")
    funding_sources = "Port capital budget; state grant"
    start_date = dt.date(2028, 1, 1)
    end_date = dt.date(2030, 6, 30)


class ProjectMilestoneFactory(DjangoModelFactory[ProjectMilestone]):
    class Meta:
        model = ProjectMilestone

    what = factory.Sequence(lambda n: f"Chargers energised, stage {n}")
    due_date = dt.date(2029, 6, 30)
    within_port_control = True
