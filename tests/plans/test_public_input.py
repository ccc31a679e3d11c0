"""Public input on draft plans: public pages, the comment form, AQMD's moderation."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import Conflict, Forbidden, ServiceError
from plans import public_services, services
from plans.models import (
    PUBLIC_COMMENT_MAX_LENGTH,
    PublicComment,
    PublicCommentStatus,
    VersionKind,
)
from tests.pdfs import pdf_upload

from .conftest import make_draft

GOOD = {
    "text": "Please put the chargers away from the Wilmington homes.",
    "name": "Ana Ruiz",
    "community": "Wilmington",
    "email": "ana@example.org",
    "website": "",
}


def _comment(version, *, text="A comment", status=None, moderator=None, **kwargs):
    comment = public_services.public_comment_submit(version=version, text=text, **kwargs)
    if status == PublicCommentStatus.PUBLISHED:
        public_services.public_comment_moderate(comment=comment, publish=True, actor=moderator)
    elif status == PublicCommentStatus.REJECTED:
        public_services.public_comment_moderate(
            comment=comment, publish=False, note="Off topic", actor=moderator
        )
    return comment


# --- what the public sees ------------------------------------------------------------------


def test_the_public_list_shows_submitted_drafts_but_never_unsubmitted_ones(
    client, submitted, polb_staff, phase1
):
    hidden = make_draft(polb_staff, phase1)
    response = client.get(reverse("public-plans:list"))
    assert response.status_code == 200
    assert reverse("public-plans:version", args=[submitted.pk]) in response.text
    assert reverse("public-plans:version", args=[hidden.pk]) not in response.text
    long_beach = response.text.split("<main")[1].split("Port of Long Beach")[1]
    assert (
        long_beach.split("</p>")[0]
        .strip()
        .startswith('</h3>\n  \n  <p class="not-published">Not yet published')
    )


def test_an_unsubmitted_draft_is_a_404_for_the_public(client, draft):
    assert client.get(reverse("public-plans:version", args=[draft.pk])).status_code == 404
    assert client.post(reverse("public-plans:comment", args=[draft.pk]), GOOD).status_code == 404
    assert not PublicComment.objects.exists()


def test_a_final_plan_is_public_only_once_approved(client, final_submitted, reviewer):
    url = reverse("public-plans:version", args=[final_submitted.pk])
    assert client.get(url).status_code == 404
    services.version_decide(
        version=final_submitted, decision="approved", reasons="", actor=reviewer
    )
    response = client.get(url)
    assert response.status_code == 200
    assert "approved final plan" in response.text
    assert 'action="' + reverse("public-plans:comment", args=[final_submitted.pk]) not in (
        response.text
    )


def test_the_public_version_page_shows_targets_projects_milestones_and_the_open_period(
    client, submitted
):
    response = client.get(reverse("public-plans:version", args=[submitted.pk]))
    assert response.status_code == 200
    text = response.text
    assert "Pier 400 chargers" in text
    assert "Chargers energised" in text
    assert "Open: comments are taken until AQMD decides" in text
    assert '<label for="id_text">' in text
    assert "csrfmiddlewaretoken" in text


def test_documents_of_a_public_version_download_without_login_others_do_not(
    client, pola_staff, phase1
):
    version = make_draft(pola_staff, phase1)
    services.version_document_add(version=version, upload=pdf_upload("Map.pdf"), actor=pola_staff)
    attached = version.documents.get()
    url = reverse("public-plans:document", args=[attached.pk])
    assert client.get(url).status_code == 404  # still an unsubmitted draft
    services.version_submit(version=version, actor=pola_staff)
    response = client.get(url)
    assert response.status_code == 200
    assert "Map.pdf" in response["Content-Disposition"]
    assert "Map.pdf" in client.get(reverse("public-plans:version", args=[version.pk])).text


# --- commenting ----------------------------------------------------------------------------


def test_a_comment_is_received_pending_and_not_shown_until_published(client, submitted):
    url = reverse("public-plans:comment", args=[submitted.pk])
    response = client.post(url, GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("public-plans:version", args=[submitted.pk]) + "#main"
    comment = PublicComment.objects.get()
    assert comment.status == PublicCommentStatus.PENDING
    assert (comment.name, comment.community, comment.email) == (
        "Ana Ruiz",
        "Wilmington",
        "ana@example.org",
    )
    page = client.get(response["Location"])
    assert "Your comment was received" in page.text
    assert GOOD["text"] not in page.text


def test_a_published_comment_is_shown_with_name_and_community_but_never_the_email(
    client, submitted, reviewer
):
    _comment(
        submitted,
        text="Shore power first, please.",
        name="Ana Ruiz",
        community="Wilmington",
        email="ana@example.org",
        status=PublicCommentStatus.PUBLISHED,
        moderator=reviewer,
    )
    _comment(submitted, text="Still pending text", email="p@example.org")
    _comment(
        submitted,
        text="Rejected text",
        email="r@example.org",
        status=PublicCommentStatus.REJECTED,
        moderator=reviewer,
    )
    for url in (
        reverse("public-plans:version", args=[submitted.pk]),
        reverse("public-plans:list"),
    ):
        text = client.get(url).text
        assert "@example.org" not in text
        assert "Still pending text" not in text
        assert "Rejected text" not in text
    text = client.get(reverse("public-plans:version", args=[submitted.pk])).text
    assert "Shore power first, please." in text
    assert "Ana Ruiz, Wilmington" in text


def test_an_anonymous_comment_is_signed_anonymous(client, submitted, reviewer):
    _comment(submitted, text="No name given", status="published", moderator=reviewer)
    assert "Anonymous" in client.get(reverse("public-plans:version", args=[submitted.pk])).text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "Write your comment."),
        ({"text": "   "}, "Write your comment."),
        ({"text": "x" * (PUBLIC_COMMENT_MAX_LENGTH + 1)}, "at most 5,000 characters"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"website": "http://spam.example"}, "must be empty"),
    ],
)
def test_a_bad_comment_is_refused_with_an_error_summary(client, submitted, data, message):
    response = client.post(reverse("public-plans:comment", args=[submitted.pk]), GOOD | data)
    assert response.status_code == 400
    assert 'class="error-summary"' in response.text
    assert "There is a problem" in response.text
    assert message in response.text
    assert not PublicComment.objects.exists()


def test_a_comment_on_a_withdrawn_draft_is_refused_with_a_clear_message(
    client, submitted, pola_staff
):
    services.version_withdraw(version=submitted, actor=pola_staff)
    page = client.get(reverse("public-plans:version", args=[submitted.pk]))
    assert "Closed" in page.text
    assert 'id="id_text"' not in page.text
    response = client.post(reverse("public-plans:comment", args=[submitted.pk]), GOOD)
    assert response.status_code == 400
    assert "The port withdrew this draft plan, so the comment period is closed." in response.text
    assert not PublicComment.objects.exists()


def test_comments_are_taken_under_review_and_closed_once_decided(submitted, reviewer):
    services.version_start_review(version=submitted, actor=reviewer)
    assert _comment(submitted).status == PublicCommentStatus.PENDING
    services.version_decide(
        version=submitted, decision="changes_requested", reasons="More detail", actor=reviewer
    )
    with pytest.raises(ServiceError, match="AQMD has decided on this version"):
        _comment(submitted)


def test_the_comment_form_needs_the_csrf_token(submitted):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("public-plans:comment", args=[submitted.pk]), GOOD)
    assert response.status_code == 403
    assert not PublicComment.objects.exists()


def test_submitting_a_comment_is_audited_as_the_public_with_the_name_not_the_email(
    client, submitted
):
    client.post(reverse("public-plans:comment", args=[submitted.pk]), GOOD)
    comment = PublicComment.objects.get()
    event = AuditEvent.objects.get(action="public_comment.submitted")
    assert event.actor is None
    assert event.actor_label == "public"
    assert event.object_id == str(comment.pk)
    assert event.party_id == submitted.plan.party_id
    assert "Ana Ruiz (Wilmington)" in event.note
    assert "ana@example.org" not in f"{event.note} {event.before} {event.after}"


# --- moderation ----------------------------------------------------------------------------


def test_a_reviewer_publishes_from_the_queue_and_it_is_audited(client, submitted, reviewer):
    comment = _comment(submitted, text="Publish me", email="e@example.org")
    client.force_login(reviewer)
    queue = client.get(reverse("public-plans:moderation"))
    assert queue.status_code == 200
    assert "Publish me" in queue.text
    assert "e@example.org" in queue.text  # AQMD may reply; the public never sees it
    response = client.post(
        reverse("public-plans:moderate", args=[comment.pk]), {f"c{comment.pk}-decision": "publish"}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == PublicCommentStatus.PUBLISHED
    assert comment.moderated_by == reviewer
    assert comment.moderated_at is not None
    event = AuditEvent.objects.get(action="public_comment.published")
    assert event.actor == reviewer
    assert "Publish me" not in client.get(reverse("public-plans:moderation")).text
    client.logout()
    assert "Publish me" in client.get(reverse("public-plans:version", args=[submitted.pk])).text


def test_an_administrator_rejects_with_a_note_and_a_rejection_needs_one(
    client, submitted, administrator
):
    comment = _comment(submitted, text="Spam spam")
    client.force_login(administrator)
    url = reverse("public-plans:moderate", args=[comment.pk])
    response = client.post(url, {f"c{comment.pk}-decision": "reject"})
    assert response.status_code == 400
    assert "Say why the comment is not published." in response.text
    comment.refresh_from_db()
    assert comment.status == PublicCommentStatus.PENDING
    response = client.post(
        url, {f"c{comment.pk}-decision": "reject", f"c{comment.pk}-note": "Advertising"}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.status, comment.moderation_note) == ("rejected", "Advertising")
    event = AuditEvent.objects.get(action="public_comment.rejected")
    assert (event.actor, event.note) == (administrator, "Advertising")


@pytest.mark.parametrize("who", ["pola_staff", "board_member"])
def test_port_staff_and_the_board_cannot_moderate(client, submitted, who, request):
    comment = _comment(submitted)
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("public-plans:moderation")).status_code == 403
    response = client.post(
        reverse("public-plans:moderate", args=[comment.pk]), {f"c{comment.pk}-decision": "publish"}
    )
    assert response.status_code == 403
    with pytest.raises(Forbidden):
        public_services.public_comment_moderate(
            comment=comment, publish=True, actor=request.getfixturevalue(who)
        )
    comment.refresh_from_db()
    assert comment.status == PublicCommentStatus.PENDING


def test_the_public_is_sent_to_sign_in_for_moderation(client, submitted):
    comment = _comment(submitted)
    for response in (
        client.get(reverse("public-plans:moderation")),
        client.post(reverse("public-plans:moderate", args=[comment.pk]), {}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_moderating_twice_the_same_way_is_a_no_op_and_the_other_way_a_conflict(
    submitted, reviewer, administrator
):
    comment = _comment(submitted)
    public_services.public_comment_moderate(comment=comment, publish=True, actor=reviewer)
    again = public_services.public_comment_moderate(
        comment=comment, publish=True, actor=administrator
    )
    assert again.moderated_by == reviewer
    assert AuditEvent.objects.filter(action="public_comment.published").count() == 1
    with pytest.raises(Conflict):
        public_services.public_comment_moderate(
            comment=comment, publish=False, note="No", actor=administrator
        )


# --- port staff and AQMD see every comment -------------------------------------------------


def test_the_port_and_aqmd_see_pending_comments_other_ports_and_the_board_do_not(
    client, submitted, reviewer, pola_staff, polb_staff, board_member
):
    _comment(submitted, text="Pending for staff", email="hidden@example.org")
    url = reverse("public-plans:all-comments", args=[submitted.pk])
    for user in (pola_staff, reviewer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert "Pending for staff" in response.text
        assert "Awaiting moderation" in response.text
        assert "hidden@example.org" not in response.text
        version_page = client.get(reverse("plans:version", args=[submitted.pk]))
        assert url in version_page.text
    client.force_login(polb_staff)
    assert client.get(url).status_code == 404  # another port's row is not theirs to see
    client.force_login(board_member)
    assert client.get(url).status_code == 403
    assert url not in client.get(reverse("plans:version", args=[submitted.pk])).text


# --- the database keeps the rules ----------------------------------------------------------


def test_the_database_refuses_an_empty_overlong_or_unrecorded_moderation(submitted, reviewer):
    rows = [
        PublicComment(version=submitted, text=""),
        PublicComment(version=submitted, text="x" * (PUBLIC_COMMENT_MAX_LENGTH + 1)),
        PublicComment(version=submitted, text="t", status="published"),
        PublicComment(
            version=submitted,
            text="t",
            status="rejected",
            moderated_by=reviewer,
            moderated_at=timezone.now(),
        ),
        PublicComment(version=submitted, text="t", status="hidden"),
    ]
    for row in rows:
        with pytest.raises(IntegrityError), transaction.atomic():
            row.save()


def test_a_draft_kind_version_is_the_only_one_open_for_comment(pola_staff, phase1):
    final = make_draft(pola_staff, phase1, kind=VersionKind.FINAL)
    services.version_submit(version=final, actor=pola_staff)
    assert not final.open_for_public_comment
    assert not final.visible_to_public


# --- how people find it --------------------------------------------------------------------


def test_the_public_finds_the_plans_from_the_header_and_the_status_page(client, agreement):
    link = f'href="{reverse("public-plans:list")}"'
    assert link in client.get(reverse("home")).text
    status_page = client.get(reverse("public-status")).text
    assert status_page.count(link) == 2  # the header and the page itself


def test_only_aqmd_gets_the_moderation_link(client, reviewer, pola_staff, board_member):
    link = f'href="{reverse("public-plans:moderation")}"'
    client.force_login(reviewer)
    assert link in client.get(reverse("public-plans:list")).text
    for user in (pola_staff, board_member):
        client.force_login(user)
        assert link not in client.get(reverse("public-plans:list")).text


def test_the_public_list_marks_the_current_approved_version_and_the_superseded_one(
    client, submitted, pola_staff, reviewer
):
    services.version_decide(version=submitted, decision="approved", reasons="", actor=reviewer)
    second, _ = services.plan_revise(plan=submitted.plan, actor=pola_staff)
    services.version_submit(version=second, actor=pola_staff)
    services.version_decide(version=second, decision="approved", reasons="", actor=reviewer)
    third, _ = services.plan_revise(plan=submitted.plan, actor=pola_staff)
    # A draft-kind version is public once submitted, whatever AQMD decides.
    third = services.version_update(version=third, kind="draft", summary="", actor=pola_staff)
    services.version_submit(version=third, actor=pola_staff)
    services.version_decide(
        version=third, decision="changes_requested", reasons="More detail", actor=reviewer
    )
    response = client.get(reverse("public-plans:list"))
    row = next(p for p in response.context["phases"][0].plans if p.party.code == "POLA")
    assert [(line.version.number, line.label) for line in row.versions] == [
        (3, "Sent back for changes"),
        (2, "Approved: the current plan"),
        (1, "Superseded by version 2"),
    ]
    assert "The current approved plan is version 2." in response.text
    assert "Changes requested" not in response.text.split("<main")[1]
    assert "status-changes_requested" not in response.text
    first = client.get(reverse("public-plans:version", args=[submitted.pk])).text
    assert "Superseded by version 2" in first
    sent_back = client.get(reverse("public-plans:version", args=[third.pk])).text
    assert "Sent back for changes" in sent_back
    assert "Changes requested" not in sent_back.split("<main")[1]


def test_a_cached_public_version_page_gives_each_visitor_a_working_token(settings, submitted):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    url = reverse("public-plans:version", args=[submitted.pk])
    Client().get(url)  # kept (its comment form carries a token: kept by the view, cut there)
    visitor = Client(enforce_csrf_checks=True)
    with CaptureQueriesContext(connection) as ctx:
        page = visitor.get(url)
    assert len(ctx.captured_queries) <= 3  # the data version, not the page's own queries
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None and "csrftoken" in page.cookies
    posted = visitor.post(
        reverse("public-plans:comment", args=[submitted.pk]),
        {"text": "Cached page, working form.", "csrfmiddlewaretoken": token.group(1)},
    )
    assert posted.status_code == 302
    assert PublicComment.objects.filter(text="Cached page, working form.").exists()
    cache.clear()
