"""A reviewer compares a submission with the last version AQMD decided, not the last number.

A withdrawn version was never reviewed: comparing with it would hide every change made since
AQMD's last decision (issue #11, defect 2).
"""

from __future__ import annotations

from django.urls import reverse

from plans import services
from plans.models import PlanVersion
from tests.clients import api_as


def _resubmitted_after_a_withdrawal(submitted: PlanVersion, pola_staff, reviewer) -> PlanVersion:
    """v1 sent back; v2 changes the project and is withdrawn unreviewed; v3 is submitted."""
    services.version_decide(
        version=submitted, decision="changes_requested", reasons="More", actor=reviewer
    )
    second, _ = services.plan_revise(plan=submitted.plan, actor=pola_staff)
    services.project_update(project=second.projects.get(), data={"quantity": 60}, actor=pola_staff)
    services.version_submit(version=second, actor=pola_staff)
    services.version_withdraw(version=second, actor=pola_staff)
    third, _ = services.plan_revise(plan=submitted.plan, actor=pola_staff)
    return services.version_submit(version=third, actor=pola_staff)


def test_the_version_page_compares_with_the_last_decided_version_not_a_withdrawn_one(
    client, submitted, pola_staff, reviewer
):
    third = _resubmitted_after_a_withdrawal(submitted, pola_staff, reviewer)
    assert third.number == 3
    client.force_login(reviewer)
    response = client.get(reverse("plans:version", args=[third.pk]))
    assert response.context["previous"].number == 1
    assert "Changes since version 1" in response.text
    assert "<del>40</del> → <ins>60</ins>" in response.text
    assert "No changes." not in response.text


def test_the_api_comparison_compares_with_the_last_decided_version(submitted, pola_staff, reviewer):
    third = _resubmitted_after_a_withdrawal(submitted, pola_staff, reviewer)
    comparison = api_as(reviewer).get(f"/api/v1/plan-versions/{third.pk}/comparison/").json()
    assert comparison["previous"]["number"] == 1
    assert [(c["section"], c["kind"], c["name"]) for c in comparison["changes"]] == [
        ("Infrastructure projects", "changed", "Pier 400 chargers")
    ]


def test_a_first_submission_after_a_withdrawal_has_nothing_to_compare_with(
    client, submitted, pola_staff, reviewer
):
    services.version_withdraw(version=submitted, actor=pola_staff)
    second, _ = services.plan_revise(plan=submitted.plan, actor=pola_staff)
    services.version_submit(version=second, actor=pola_staff)
    client.force_login(reviewer)
    response = client.get(reverse("plans:version", args=[second.pk]))
    assert response.context["previous"] is None
    assert "Changes since" not in response.text
