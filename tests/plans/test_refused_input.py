"""Bad input is refused with a message people understand, never accepted or cut silently.

Issue #11, defect 7: a negative planning target (-50 %) was accepted; the admin showed the raw
"Constraint “one_plan_milestone_per_port_phase_kind” is violated" and let port, kind and
created-at of an existing milestone be edited; a comment over 5,000 characters was cut by the
browser (the textarea's maxlength) without a word.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from agreement.models import Milestone, MilestoneKind
from core.errors import ServiceError
from plans import services
from plans.models import PUBLIC_COMMENT_MAX_LENGTH, PlanningTarget, PublicComment
from tests.clients import api_as


def _target(draft, **overrides):
    data = {
        "category": draft.targets.get().category,
        "year": 2031,
        "metric": "Share of zero-emission trucks",
        "target_value": Decimal("-50"),
        "unit": "%",
    }
    return {**data, **overrides}


def test_the_service_refuses_a_negative_planning_target(draft, pola_staff):
    with pytest.raises(ServiceError) as refused:
        services.target_add(version=draft, data=_target(draft), actor=pola_staff)
    assert "target_value" in refused.value.fields
    assert draft.targets.count() == 1


def test_the_database_refuses_a_negative_planning_target(draft):
    target = draft.targets.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanningTarget.objects.filter(pk=target.pk).update(target_value=Decimal("-1"))


def test_the_editor_page_refuses_a_negative_planning_target(client, draft, pola_staff):
    client.force_login(pola_staff)
    category = draft.targets.get().category
    response = client.post(
        reverse("plans:target-add", args=[draft.pk]),
        {
            "t-category": category.pk,
            "t-year": "2031",
            "t-metric": "Share of zero-emission trucks",
            "t-target_value": "-50",
            "t-unit": "%",
        },
    )
    assert response.status_code == 400
    assert "greater than or equal to 0" in response.text
    assert draft.targets.count() == 1


def test_the_api_refuses_a_negative_planning_target(draft, pola_staff):
    category = draft.targets.get().category
    answer = api_as(pola_staff).post(
        f"/api/v1/plan-versions/{draft.pk}/targets/",
        {
            "category": category.code,
            "year": 2031,
            "metric": "m",
            "target_value": "-50",
            "unit": "%",
        },
        format="json",
    )
    assert answer.status_code == 400
    assert "target_value" in answer.json()["error"]["fields"]
    assert draft.targets.count() == 1


def test_the_admin_explains_a_second_plan_milestone_of_a_kind_in_words(client, administrator, pola):
    existing = Milestone.objects.get(party=pola, kind=MilestoneKind.DRAFT_PLAN, phase__number=2)
    client.force_login(administrator)
    response = client.post(
        reverse("admin:agreement_milestone_add"),
        {
            "party": pola.pk,
            "kind": MilestoneKind.DRAFT_PLAN,
            "phase": existing.phase_id,
            "reporting_year": "",
            "title": "A second draft plan deadline",
            "due_date": "2028-07-01",
            "within_port_control": "on",
            "status": "open",
            "created_at_0": "2026-01-01",
            "created_at_1": "00:00:00",
            "date_changes-TOTAL_FORMS": 0,
            "date_changes-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "This port already has a plan milestone of this kind for this phase." in response.text
    assert "one_plan_milestone_per_port_phase_kind" not in response.text
    assert not Milestone.objects.filter(title="A second draft plan deadline").exists()


def test_the_admin_shows_port_kind_and_creation_of_a_milestone_but_does_not_edit_them(
    client, administrator, pola, polb
):
    milestone = Milestone.objects.get(party=pola, kind=MilestoneKind.DRAFT_PLAN, phase__number=2)
    client.force_login(administrator)
    url = reverse("admin:agreement_milestone_change", args=[milestone.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    assert not {"party", "kind", "created_at"} & set(form.fields)
    created = milestone.created_at
    response = client.post(
        url,
        {
            "party": polb.pk,
            "kind": MilestoneKind.FINAL_PLAN,
            "phase": milestone.phase_id,
            "reporting_year": "",
            "title": milestone.title,
            "within_port_control": "on",
            "created_at_0": "2020-01-01",
            "created_at_1": "00:00:00",
            "date_changes-TOTAL_FORMS": 0,
            "date_changes-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.party, milestone.kind, milestone.created_at) == (
        pola,
        MilestoneKind.DRAFT_PLAN,
        created,
    )


def test_the_comment_box_does_not_cut_a_long_comment(client, submitted):
    page = client.get(reverse("public-plans:version", args=[submitted.pk]))
    assert 'name="text"' in page.text
    assert "maxlength" not in page.text.split('name="text"')[0].rsplit("<textarea", 1)[-1]
    assert "maxlength" not in page.text.split('name="text"')[1].split(">", 1)[0]


def test_a_comment_over_the_limit_is_refused_with_the_limit_and_its_length(client, submitted):
    too_long = "x" * (PUBLIC_COMMENT_MAX_LENGTH + 1)
    response = client.post(reverse("public-plans:comment", args=[submitted.pk]), {"text": too_long})
    assert response.status_code == 400
    assert "at most 5,000 characters" in response.text
    assert "5,001" in response.text
    assert too_long in response.text  # kept for the writer to shorten
    assert not PublicComment.objects.exists()
