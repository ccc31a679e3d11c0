"""One policy answers who may do what, per role and per port."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from accounts import policy
from accounts.models import Role, User
from accounts.policy import Action
from agreement.models import Milestone, MilestoneKind
from core.errors import Forbidden
from plans.models import PlanVersion, VersionKind, VersionStatus


@pytest.fixture
def pola_milestone(pola):
    return Milestone.objects.get(party=pola, kind=MilestoneKind.FINAL_PLAN, phase__number=1)


@pytest.fixture
def polb_milestone(polb):
    return Milestone.objects.get(party=polb, kind=MilestoneKind.FINAL_PLAN, phase__number=1)


def test_port_staff_act_only_on_their_own_port(pola_staff, pola_milestone, polb_milestone):
    assert policy.can(pola_staff, Action.EXTENSION_REQUEST, pola_milestone)
    assert not policy.can(pola_staff, Action.EXTENSION_REQUEST, polb_milestone)
    assert policy.can(pola_staff, Action.PLAN_EDIT, pola_milestone)
    assert not policy.can(pola_staff, Action.PLAN_EDIT, polb_milestone)


def test_port_staff_cannot_review_or_administer(pola_staff, pola_milestone):
    for action in (
        Action.PLAN_REVIEW,
        Action.EXTENSION_DECIDE,
        Action.ADMINISTER,
        Action.PENALTY_WAIVE,
        Action.MILESTONE_CHANGE_DUE_DATE,
    ):
        assert not policy.can(pola_staff, action, pola_milestone), action


def test_reviewer_reviews_every_port_but_does_not_administer(
    reviewer, pola_milestone, polb_milestone
):
    assert policy.can(reviewer, Action.PLAN_REVIEW, pola_milestone)
    assert policy.can(reviewer, Action.EXTENSION_DECIDE, polb_milestone)
    assert not policy.can(reviewer, Action.PLAN_EDIT, pola_milestone)
    assert not policy.can(reviewer, Action.ADMINISTER)
    assert not policy.can(reviewer, Action.PENALTY_RECORD_PAYMENT)


def test_administrator_keeps_terms_and_money(administrator, pola_milestone):
    for action in (
        Action.ADMINISTER,
        Action.MILESTONE_CHANGE_DUE_DATE,
        Action.PENALTY_RECORD_PAYMENT,
        Action.FUND_DISBURSE,
        Action.REPORT_PUBLISH,
    ):
        assert policy.can(administrator, action, pola_milestone), action
    assert not policy.can(administrator, Action.PLAN_SUBMIT, pola_milestone)


def test_board_member_reads_but_changes_nothing(board_member, pola_milestone):
    assert policy.can(board_member, Action.REPORT_VIEW)
    assert policy.can(board_member, Action.MILESTONE_VIEW, pola_milestone)
    changing = [a for a, r in policy.RULES.items() if policy.can(board_member, a, pola_milestone)]
    assert all(a.endswith(".view") for a in changing), changing


def test_the_public_sees_status_penalties_and_the_fund_only(pola_milestone):
    public = AnonymousUser()
    allowed = {a for a in policy.RULES if policy.can(public, a, pola_milestone)}
    assert allowed == {
        Action.AGREEMENT_VIEW,
        Action.MILESTONE_VIEW,
        Action.DEFAULT_VIEW,
        Action.FUND_VIEW,
        Action.EMISSIONS_VIEW,
    }
    assert policy.can(None, Action.FUND_VIEW)


def test_the_public_reads_published_plans_and_comments_on_drafts_only(agreement):
    public = AnonymousUser()
    may_at_all = {a for a in policy.RULES if policy.can(public, a)}
    assert may_at_all == {
        Action.AGREEMENT_VIEW,
        Action.MILESTONE_VIEW,
        Action.DEFAULT_VIEW,
        Action.FUND_VIEW,
        Action.EMISSIONS_VIEW,
        Action.REPORT_VIEW_PUBLISHED,
        Action.PLAN_VIEW_PUBLIC,
        Action.PUBLIC_COMMENT_SUBMIT,
    }
    submitted_draft = PlanVersion(kind=VersionKind.DRAFT, status=VersionStatus.SUBMITTED)
    unsubmitted = PlanVersion(kind=VersionKind.DRAFT, status=VersionStatus.DRAFT)
    final_under_review = PlanVersion(kind=VersionKind.FINAL, status=VersionStatus.UNDER_REVIEW)
    approved_final = PlanVersion(kind=VersionKind.FINAL, status=VersionStatus.APPROVED)
    assert policy.can(public, Action.PLAN_VIEW_PUBLIC, submitted_draft)
    assert policy.can(public, Action.PLAN_VIEW_PUBLIC, approved_final)
    assert not policy.can(public, Action.PLAN_VIEW_PUBLIC, unsubmitted)
    assert not policy.can(public, Action.PLAN_VIEW_PUBLIC, final_under_review)
    assert not policy.can(public, Action.PUBLIC_COMMENT_MODERATE)
    assert not policy.can(public, Action.PUBLIC_COMMENT_VIEW_ALL)


def test_inactive_users_are_treated_as_the_public(administrator):
    administrator.is_active = False
    assert not policy.can(administrator, Action.ADMINISTER)


def test_superuser_counts_as_administrator(agreement):
    root = User.objects.create_superuser("root", "root@example.test", "pw")
    assert policy.can(root, Action.ADMINISTER)


def test_require_raises_the_service_error(pola_staff, polb_milestone):
    with pytest.raises(Forbidden):
        policy.require(pola_staff, Action.PLAN_SUBMIT, polb_milestone)


def test_every_action_has_a_rule():
    assert set(policy.RULES) == set(Action)


def test_database_binds_port_staff_to_exactly_one_port(pola):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="loose", role=Role.PORT_STAFF, party=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="confused", role=Role.AQMD_REVIEWER, party=pola)


@pytest.mark.parametrize(
    "action", [Action.MILESTONE_VIEW, Action.AUDIT_VIEW, Action.AGREEMENT_VIEW, Action.PLAN_EDIT]
)
def test_visible_gives_the_rows_can_allows(
    action, pola_staff, polb_staff, reviewer, administrator, board_member
):
    rows = Milestone.objects.all()
    for user in (AnonymousUser(), pola_staff, polb_staff, reviewer, administrator, board_member):
        expected = {m.pk for m in rows if policy.can(user, action, m)}
        assert set(policy.visible(user, action, rows).values_list("pk", flat=True)) == expected
