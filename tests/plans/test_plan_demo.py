"""The illustrative demo plan of ``make run``: clearly labelled, and seeding twice is safe."""

from __future__ import annotations

from django.core.management import call_command

from plans.models import InfrastructureProject, Plan, PlanVersion


def test_seeding_the_demo_twice_creates_one_labelled_draft(agreement, settings, tmp_path):
    call_command("seed_demo", stdout=open(tmp_path / "out.txt", "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open(tmp_path / "out2.txt", "w"))  # noqa: SIM115
    assert Plan.objects.count() == 1
    version = PlanVersion.objects.get()
    assert version.status == "draft"
    assert "Illustrative demo" in version.summary
    names = list(InfrastructureProject.objects.values_list("name", flat=True))
    assert len(names) == 2
    assert all(name.startswith("Illustrative demo") for name in names)
