"""Plans for the API tests, built through the services (import the fixtures you use)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from agreement.models import Phase
from plans import services
from plans.models import (
    InfrastructureProject,
    Plan,
    PlanningTarget,
    PlanVersion,
    ProjectMilestone,
    VersionDocument,
)
from tests.pdfs import pdf_upload
from tests.plans.conftest import make_draft


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@dataclass(frozen=True)
class PlanRows:
    """One version of a POLA plan with one of each kind of content."""

    plan: Plan
    version: PlanVersion
    target: PlanningTarget
    project: InfrastructureProject
    milestone: ProjectMilestone
    document: VersionDocument


def pola_plan(staff, phase_number: int, *, submit: bool) -> PlanRows:
    version = make_draft(staff, Phase.objects.get(number=phase_number))
    document = services.version_document_add(version=version, upload=pdf_upload(), actor=staff)
    if submit:
        version = services.version_submit(version=version, actor=staff)
    project = version.projects.get()
    return PlanRows(
        plan=version.plan,
        version=version,
        target=version.targets.get(),
        project=project,
        milestone=project.milestones.get(),
        document=document,
    )


@pytest.fixture
def pola_draft(pola_staff) -> PlanRows:
    """POLA's phase 1 plan: a draft nobody outside POLA may see."""
    return pola_plan(pola_staff, 1, submit=False)


@pytest.fixture
def pola_submitted(pola_staff) -> PlanRows:
    """POLA's phase 2 plan: version 1 submitted to AQMD."""
    return pola_plan(pola_staff, 2, submit=True)
