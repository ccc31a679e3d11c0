"""Who sees and does what: port staff their own port's plans (drafts included); AQMD and the
board only submitted versions; nobody else sees an unsubmitted draft (404, not in lists)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from core.errors import Forbidden
from plans import services
from plans.models import Decision, VersionDocument
from tests.factories import UserFactory
from tests.pdfs import pdf_upload


@pytest.fixture
def pola_colleague(pola):
    return UserFactory.create(username="pola.colleague", role=Role.PORT_STAFF, party=pola)


def _draft_urls(version) -> list[str]:
    return [
        reverse("plans:plan", args=[version.plan_id]),
        reverse("plans:version", args=[version.pk]),
        reverse("plans:version-edit", args=[version.pk]),
    ]


def test_other_staff_of_the_same_port_can_edit_the_draft(draft, pola_colleague):
    services.project_update(
        project=draft.projects.get(), data={"quantity": 7}, actor=pola_colleague
    )
    assert draft.projects.get().quantity == 7


@pytest.mark.parametrize("who", ["polb_staff", "reviewer", "administrator", "board_member"])
def test_nobody_outside_the_port_sees_an_unsubmitted_draft(client, draft, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    for url in _draft_urls(draft):
        assert client.get(url).status_code == 404, url
    listing = client.get(reverse("plans:list"))
    assert listing.status_code == 200
    assert reverse("plans:plan", args=[draft.plan_id]) not in listing.text


def test_nobody_outside_the_port_downloads_a_drafts_document(client, draft, pola_staff, reviewer):
    attached = services.version_document_add(
        version=draft, upload=pdf_upload("Site plan.pdf"), actor=pola_staff
    )
    url = reverse("plans:document", args=[attached.pk])
    client.force_login(reviewer)
    assert client.get(url).status_code == 404
    client.force_login(pola_staff)
    response = client.get(url)
    assert response.status_code == 200
    assert "Site plan.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize("who", ["polb_staff", "reviewer", "board_member"])
def test_nobody_outside_the_port_can_edit_or_submit(draft, request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(Forbidden):
        services.project_update(project=draft.projects.get(), data={"quantity": 2}, actor=user)
    with pytest.raises(Forbidden):
        services.version_submit(version=draft, actor=user)
    with pytest.raises(Forbidden):
        services.plan_revise(plan=draft.plan, actor=user)


def test_a_port_cannot_start_a_plan_for_the_other_port(polb_staff, pola, phase1):
    with pytest.raises(Forbidden):
        services.plan_start(party=pola, phase=phase1, actor=polb_staff)


@pytest.mark.parametrize("who", ["reviewer", "administrator", "board_member", "pola_staff"])
def test_a_submitted_version_is_visible_to_aqmd_the_board_and_its_port(
    client, submitted, request, who
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("plans:plan", args=[submitted.plan_id])).status_code == 200
    assert client.get(reverse("plans:version", args=[submitted.pk])).status_code == 200


def test_the_other_port_does_not_see_a_submitted_plan(client, submitted, polb_staff):
    client.force_login(polb_staff)
    assert client.get(reverse("plans:plan", args=[submitted.plan_id])).status_code == 404
    assert client.get(reverse("plans:version", args=[submitted.pk])).status_code == 404


@pytest.mark.parametrize("who", ["board_member", "pola_staff", "polb_staff"])
def test_only_aqmd_reviews_and_decides(submitted, request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(Forbidden):
        services.version_start_review(version=submitted, actor=user)
    with pytest.raises(Forbidden):
        services.version_decide(
            version=submitted, decision=Decision.APPROVED, reasons="", actor=user
        )


@pytest.mark.parametrize("who", ["board_member", "polb_staff"])
def test_the_board_and_the_other_port_cannot_comment(submitted, request, who):
    with pytest.raises(Forbidden):
        services.comment_add(version=submitted, body="hi", actor=request.getfixturevalue(who))


@pytest.mark.parametrize("who", ["reviewer", "polb_staff", "board_member"])
def test_only_the_ports_staff_withdraw(submitted, request, who):
    with pytest.raises(Forbidden):
        services.version_withdraw(version=submitted, actor=request.getfixturevalue(who))


def test_the_board_gets_403_when_posting_a_decision(client, submitted, board_member):
    client.force_login(board_member)
    response = client.post(
        reverse("plans:decide", args=[submitted.pk]), {"decision": "approved", "reasons": ""}
    )
    assert response.status_code == 403


def test_the_review_queue_is_for_aqmd_only(client, submitted, pola_staff, board_member, reviewer):
    for user, expected in ((pola_staff, 403), (board_member, 403), (reviewer, 200)):
        client.force_login(user)
        assert client.get(reverse("plans:review-queue")).status_code == expected


def test_anonymous_visitors_are_sent_to_sign_in(client, submitted):
    response = client.get(reverse("plans:plan", args=[submitted.plan_id]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_reviewer_downloads_a_submitted_document(client, draft, pola_staff, reviewer):
    attached = services.version_document_add(version=draft, upload=pdf_upload(), actor=pola_staff)
    services.version_submit(version=draft, actor=pola_staff)
    client.force_login(reviewer)
    assert client.get(reverse("plans:document", args=[attached.pk])).status_code == 200
    assert VersionDocument.objects.count() == 1


def test_the_other_port_gets_404_when_posting_to_a_draft(client, draft, polb_staff):
    client.force_login(polb_staff)
    target = draft.targets.get()
    project = draft.projects.get()
    posts = [
        reverse("plans:target-add", args=[draft.pk]),
        reverse("plans:submit", args=[draft.pk]),
        reverse("plans:remove", args=["target", target.pk]),
        reverse("plans:remove", args=["project", project.pk]),
        reverse("plans:milestone-add", args=[project.pk]),
        reverse("plans:target-edit", args=[target.pk]),
        reverse("plans:project-edit", args=[project.pk]),
    ]
    for url in posts:
        assert client.post(url, {}).status_code == 404, url
    assert draft.targets.count() == 1
    assert draft.projects.count() == 1


def test_a_reviewer_gets_403_on_the_editor_of_a_submitted_version(client, submitted, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("plans:version-edit", args=[submitted.pk])).status_code == 403
