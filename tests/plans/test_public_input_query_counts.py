"""The public plan list and a public version page cost the same at 5 and 50 comments."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plans.models import PublicComment, PublicCommentStatus

SIZES = [5, 50]


def _bulk_comments(version, moderator, n: int) -> None:
    now = timezone.now()
    PublicComment.objects.bulk_create(
        PublicComment(
            version=version,
            text=f"Comment {i}",
            name=f"Neighbour {i}",
            community="San Pedro",
            status=PublicCommentStatus.PUBLISHED if i % 2 else PublicCommentStatus.PENDING,
            moderated_by=moderator if i % 2 else None,
            moderated_at=now if i % 2 else None,
        )
        for i in range(n)
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("n", SIZES)
def test_the_public_plan_list_costs_the_same_at_5_and_50_comments(client, submitted, reviewer, n):
    _bulk_comments(submitted, reviewer, n)
    # phases; ports; public versions with their plan, port, phase and published-comment count
    assert _queries(client, reverse("public-plans:list")) == 3


@pytest.mark.parametrize("n", SIZES)
def test_the_public_version_page_costs_the_same_at_5_and_50_comments(
    client, submitted, reviewer, n
):
    _bulk_comments(submitted, reviewer, n)
    # version with plan, port and phase; targets; projects; their milestones; documents;
    # published comments; the plan's public versions (where this one stands)
    assert _queries(client, reverse("public-plans:version", args=[submitted.pk])) == 7


@pytest.mark.parametrize("n", SIZES)
def test_the_all_comments_page_costs_the_same_at_5_and_50_comments(client, submitted, reviewer, n):
    _bulk_comments(submitted, reviewer, n)
    client.force_login(reviewer)
    # session, user, version, comments with their moderator
    assert _queries(client, reverse("public-plans:all-comments", args=[submitted.pk])) == 4


@pytest.mark.parametrize("n", SIZES)
def test_the_moderation_queue_costs_the_same_at_5_and_50_comments(client, submitted, reviewer, n):
    _bulk_comments(submitted, reviewer, n)
    client.force_login(reviewer)
    # session, user, count for the paginator, one page of comments with their plan
    assert _queries(client, reverse("public-plans:moderation")) == 4
