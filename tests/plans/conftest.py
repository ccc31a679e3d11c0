"""Plans in each state, built through the services (so they carry their audit trail)."""

from __future__ import annotations

import pytest

from agreement.models import Phase
from plans import services
from plans.models import PlanVersion, VersionKind

from .factories import (
    InfrastructureProjectFactory,
    PlanningTargetFactory,
    ProjectMilestoneFactory,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def phase1(agreement) -> Phase:
    return Phase.objects.get(number=1)


def make_draft(staff, phase, *, kind: str = VersionKind.DRAFT) -> PlanVersion:
    """A draft with one target and one project with one milestone."""
    plan, _ = services.plan_start(party=staff.party, phase=phase, actor=staff)
    version = plan.versions.get(number=1)
    if kind != version.kind:
        version = services.version_update(version=version, kind=kind, summary="", actor=staff)
    PlanningTargetFactory.create(version=version)
    project = InfrastructureProjectFactory.create(version=version, name="Pier 400 chargers")
    ProjectMilestoneFactory.create(project=project, what="Chargers energised")
    return version


@pytest.fixture
def draft(pola_staff, phase1) -> PlanVersion:
    return make_draft(pola_staff, phase1)


@pytest.fixture
def submitted(draft, pola_staff) -> PlanVersion:
    return services.version_submit(version=draft, actor=pola_staff)


@pytest.fixture
def final_submitted(pola_staff, phase1) -> PlanVersion:
    version = make_draft(pola_staff, phase1, kind=VersionKind.FINAL)
    return services.version_submit(version=version, actor=pola_staff)
