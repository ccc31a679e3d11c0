"""The version workflow: every legal transition, every illegal one refused with a message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import Conflict, Forbidden, ServiceError
from plans import services
from plans.models import (
    Decision,
    InfrastructureProject,
    PlanVersion,
    ReviewDecision,
    VersionStatus,
)
from plans.workflow import VERSION_WORKFLOW

from .conftest import make_draft

TRANSITIONS = VERSION_WORKFLOW.moves


def _actions(plan) -> list[str]:
    return list(
        AuditEvent.objects.for_object(plan).order_by("at", "id").values_list("action", flat=True)
    )


def _force_status(version: PlanVersion, status: str) -> PlanVersion:
    """Put a version in a state directly (to test what services refuse from there)."""
    submitted_at = None if status == VersionStatus.DRAFT else timezone.now()
    PlanVersion.objects.filter(pk=version.pk).update(status=status, submitted_at=submitted_at)
    version.refresh_from_db()
    return version


def test_starting_a_plan_creates_version_one_as_a_draft(pola_staff, phase1):
    plan, _ = services.plan_start(party=pola_staff.party, phase=phase1, actor=pola_staff)
    version = plan.versions.get()
    assert (version.number, version.status, version.kind) == (1, "draft", "draft")
    assert _actions(plan) == ["plan.started"]


def test_starting_the_same_plan_again_changes_nothing(pola_staff, phase1):
    first, _ = services.plan_start(party=pola_staff.party, phase=phase1, actor=pola_staff)
    again, _ = services.plan_start(party=pola_staff.party, phase=phase1, actor=pola_staff)
    assert again.pk == first.pk
    assert first.versions.count() == 1


def test_submitting_a_draft_freezes_it_and_records_who_and_when(draft, pola_staff):
    version = services.version_submit(version=draft, actor=pola_staff)
    assert version.status == VersionStatus.SUBMITTED
    assert version.submitted_by == pola_staff
    assert version.submitted_at is not None
    assert version.plan.first_submitted_at == version.submitted_at
    assert "plan.version_submitted" in _actions(version.plan)


def test_submitting_a_submitted_version_again_is_a_no_op(submitted, pola_staff):
    again = services.version_submit(version=submitted, actor=pola_staff)
    assert again.submitted_at == submitted.submitted_at
    assert _actions(submitted.plan).count("plan.version_submitted") == 1


def test_an_empty_draft_cannot_be_submitted(pola_staff, phase1):
    plan, _ = services.plan_start(party=pola_staff.party, phase=phase1, actor=pola_staff)
    with pytest.raises(ServiceError, match="add a planning target or a project"):
        services.version_submit(version=plan.versions.get(), actor=pola_staff)


def test_a_submitted_version_refuses_every_edit_and_says_to_revise(submitted, pola_staff):
    project = submitted.projects.get()
    target = submitted.targets.get()
    edits = [
        lambda: services.target_add(
            version=submitted, data={"metric": "x", "year": 2030}, actor=pola_staff
        ),
        lambda: services.target_update(target=target, data={"year": 2031}, actor=pola_staff),
        lambda: services.target_remove(target=target, actor=pola_staff),
        lambda: services.project_update(project=project, data={"quantity": 2}, actor=pola_staff),
        lambda: services.project_remove(project=project, actor=pola_staff),
        lambda: services.project_milestone_remove(
            milestone=project.milestones.get(), actor=pola_staff
        ),
        lambda: services.version_update(
            version=submitted, kind="final", summary="", actor=pola_staff
        ),
    ]
    for edit in edits:
        with pytest.raises(ServiceError, match=r"frozen\. Start a new version \(Revise\)"):
            edit()
    assert submitted.targets.get().year == 2030
    assert submitted.projects.get().quantity == project.quantity


def test_a_reviewer_starting_the_review_moves_it_under_review(submitted, reviewer):
    version = services.version_start_review(version=submitted, actor=reviewer)
    assert version.status == VersionStatus.UNDER_REVIEW
    assert version.reviewer == reviewer
    assert services.version_start_review(version=version, actor=reviewer).pk == version.pk
    assert _actions(version.plan).count("plan.review_started") == 1


@pytest.mark.parametrize("start_review", [False, True])
@pytest.mark.parametrize("decision", [Decision.APPROVED, Decision.CHANGES_REQUESTED])
def test_a_reviewer_decides_a_submitted_or_under_review_version(
    submitted, reviewer, decision, start_review
):
    if start_review:
        services.version_start_review(version=submitted, actor=reviewer)
    result, _ = services.version_decide(
        version=submitted, decision=decision, reasons="Add grid capacity detail.", actor=reviewer
    )
    submitted.refresh_from_db()
    assert submitted.status == decision
    assert result.version_id == submitted.pk
    assert result.reviewer == reviewer
    assert result.reasons == "Add grid capacity detail."
    assert f"plan.version_{decision}" in _actions(submitted.plan)


def test_sending_back_without_reasons_is_refused_and_changes_nothing(submitted, reviewer):
    with pytest.raises(ServiceError, match="reasons are required") as exc:
        services.version_decide(
            version=submitted, decision=Decision.CHANGES_REQUESTED, reasons="  ", actor=reviewer
        )
    assert "reasons" in exc.value.fields
    submitted.refresh_from_db()
    assert submitted.status == VersionStatus.SUBMITTED
    assert not ReviewDecision.objects.exists()


@pytest.mark.parametrize("start_review", [False, True])
def test_port_staff_withdraw_a_submission_not_yet_decided(
    submitted, pola_staff, reviewer, start_review
):
    if start_review:
        services.version_start_review(version=submitted, actor=reviewer)
    version = services.version_withdraw(version=submitted, actor=pola_staff)
    assert version.status == VersionStatus.WITHDRAWN
    assert services.version_withdraw(version=version, actor=pola_staff).status == "withdrawn"
    assert _actions(version.plan).count("plan.version_withdrawn") == 1


ILLEGAL = [
    (current, target)
    for current in TRANSITIONS
    for target in (
        VersionStatus.SUBMITTED,
        VersionStatus.UNDER_REVIEW,
        VersionStatus.APPROVED,
        VersionStatus.CHANGES_REQUESTED,
        VersionStatus.WITHDRAWN,
    )
    if target not in TRANSITIONS[current] and target != current
]


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_every_illegal_transition_is_refused_with_an_actionable_message(
    draft, pola_staff, reviewer, current, target
):
    version = _force_status(draft, current)
    call = {
        VersionStatus.SUBMITTED: lambda: services.version_submit(version=version, actor=pola_staff),
        VersionStatus.UNDER_REVIEW: lambda: services.version_start_review(
            version=version, actor=reviewer
        ),
        VersionStatus.APPROVED: lambda: services.version_decide(
            version=version, decision="approved", reasons="", actor=reviewer
        ),
        VersionStatus.CHANGES_REQUESTED: lambda: services.version_decide(
            version=version, decision="changes_requested", reasons="Why", actor=reviewer
        ),
        VersionStatus.WITHDRAWN: lambda: services.version_withdraw(
            version=version, actor=pola_staff
        ),
    }[target]
    if current == VersionStatus.DRAFT and target != VersionStatus.WITHDRAWN:
        # A reviewer may not even see a draft: the policy refuses before the table does.
        with pytest.raises(Forbidden):
            call()
        return
    with pytest.raises(Conflict) as exc:  # a state conflict: 409 in the API
        call()
    assert exc.value.code == "conflict" and exc.value.status_code == 409
    message = str(exc.value)
    assert any(
        hint in message
        for hint in (
            "Submit the version first",
            "Revise",
            "decision is final",
            "already decided",
            "withdraw it first",
            "Reload the page",
            "can no longer be decided",
            "The port withdrew it",
        )
    ), message
    version.refresh_from_db()
    assert version.status == current


def test_the_transition_table_knows_every_status():
    assert set(TRANSITIONS) == set(VersionStatus.values)
    for targets in TRANSITIONS.values():
        assert targets <= set(VersionStatus.values)


def test_revising_copies_the_content_into_a_new_draft_with_the_same_keys(
    submitted, pola_staff, reviewer, settings
):
    services.version_decide(
        version=submitted, decision="changes_requested", reasons="More detail", actor=reviewer
    )
    new, _ = services.plan_revise(plan=submitted.plan, actor=pola_staff)
    assert (new.number, new.status) == (2, VersionStatus.DRAFT)
    old_project = submitted.projects.get()
    new_project = new.projects.get()
    assert new_project.pk != old_project.pk
    assert new_project.key == old_project.key
    assert new_project.name == old_project.name
    assert new_project.milestones.get().key == old_project.milestones.get().key
    assert new.targets.get().key == submitted.targets.get().key
    # The old version keeps its content.
    services.project_update(project=new_project, data={"quantity": 99}, actor=pola_staff)
    assert InfrastructureProject.objects.get(pk=old_project.pk).quantity == old_project.quantity
    assert "plan.revised" in _actions(new.plan)


def test_revising_while_a_submission_awaits_a_decision_is_refused(submitted, pola_staff):
    with pytest.raises(ServiceError, match="Withdraw it first"):
        services.plan_revise(plan=submitted.plan, actor=pola_staff)


def test_revising_with_an_open_draft_returns_that_draft(draft, pola_staff):
    assert services.plan_revise(plan=draft.plan, actor=pola_staff) == (draft, False)


def test_the_database_allows_only_one_open_version_per_plan(draft, pola_staff):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PlanVersion.objects.create(plan=draft.plan, number=2, created_by=pola_staff)


def test_a_second_decision_on_a_stale_object_gets_a_conflict_naming_the_winner(
    submitted, reviewer, administrator
):
    stale = PlanVersion.objects.get(pk=submitted.pk)
    services.version_decide(version=submitted, decision="approved", reasons="", actor=reviewer)
    with pytest.raises(Conflict, match=r"already decided by reviewer at .*\(approved\)"):
        services.version_decide(
            version=stale, decision="changes_requested", reasons="Too late", actor=administrator
        )
    assert ReviewDecision.objects.get().decision == "approved"


def test_comments_from_reviewers_and_port_staff_on_the_plan_or_one_project(
    submitted, reviewer, pola_staff
):
    project = submitted.projects.get()
    services.comment_add(version=submitted, body="Capacity unit?", project=project, actor=reviewer)
    services.comment_add(version=submitted, body="It is MW.", actor=pola_staff)
    assert [(c.body, c.project_id) for c in submitted.comments.all()] == [
        ("Capacity unit?", project.pk),
        ("It is MW.", None),
    ]
    assert _actions(submitted.plan).count("plan.commented") == 2


def test_a_comment_on_another_versions_project_is_refused(submitted, pola_staff, reviewer):
    services.version_withdraw(version=submitted, actor=pola_staff)
    new, _ = services.plan_revise(plan=submitted.plan, actor=pola_staff)
    with pytest.raises(ServiceError, match="another version"):
        services.comment_add(
            version=submitted, body="x", project=new.projects.get(), actor=reviewer
        )


def test_comments_on_an_unsubmitted_draft_are_refused(draft, pola_staff):
    with pytest.raises(ServiceError, match="still a draft"):
        services.comment_add(version=draft, body="note to self", actor=pola_staff)


def test_invalid_project_data_is_refused_with_field_messages(draft, pola_staff):
    project = draft.projects.get()
    with pytest.raises(ServiceError) as exc:
        services.project_update(
            project=project,
            data={"estimated_cost": -1, "end_date": dt.date(2020, 1, 1)},
            actor=pola_staff,
        )
    assert "cannot be negative" in str(exc.value) or "estimated_cost" in exc.value.fields


def test_second_version_of_a_draft_kind_plan_becomes_final_once_the_draft_is_met(
    pola_staff, phase1, reviewer
):
    version = make_draft(pola_staff, phase1)
    services.version_submit(version=version, actor=pola_staff)
    services.version_decide(version=version, decision="approved", reasons="", actor=reviewer)
    new, _ = services.plan_revise(plan=version.plan, actor=pola_staff)
    assert new.kind == "final"


def test_the_same_reviewer_sending_the_same_decision_twice_changes_nothing(submitted, reviewer):
    first, _ = services.version_decide(
        version=submitted, decision="approved", reasons="", actor=reviewer
    )
    again, _ = services.version_decide(
        version=submitted, decision="approved", reasons="", actor=reviewer
    )
    assert again.pk == first.pk
    assert _actions(submitted.plan).count("plan.version_approved") == 1
