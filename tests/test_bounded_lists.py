"""No page, list or download grows with the table: pages of 50, keyset pages for the audit
trail, dashboards that look 90 days ahead with counts, downloads capped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from agreement import deadlines
from agreement.models import Milestone, MilestoneKind
from audit import chain
from audit.models import AuditEvent
from core import exports
from core.views import LIST_PAGE_SIZE
from dashboard.selectors import dashboard_for
from tests.clients import api_as


def _milestones(party, n: int, *, start_days: int) -> None:
    today = deadlines.pacific_today()
    Milestone.objects.bulk_create(
        Milestone(
            party=party,
            kind=MilestoneKind.PROJECT,
            title=f"Bounded test milestone {i}",
            due_date=today + dt.timedelta(days=start_days + i),
        )
        for i in range(n)
    )


def test_the_milestones_page_of_penalties_shows_one_page_of_fifty(client, pola_staff, pola):
    _milestones(pola, 120, start_days=1)
    client.force_login(pola_staff)
    first = client.get(reverse("penalties:milestones"))
    assert first.status_code == 200
    assert len(first.context["rows"]) == LIST_PAGE_SIZE
    assert "Page 1 of" in first.content.decode()
    last = client.get(reverse("penalties:milestones"), {"page": 99})
    assert 0 < len(last.context["rows"]) <= LIST_PAGE_SIZE


def test_the_dashboard_lists_the_next_90_days_and_counts_what_it_does_not_show(pola_staff, pola):
    _milestones(pola, 30, start_days=-40)  # 30 past due
    _milestones(pola, 100, start_days=1)  # 90 within 90 days, then later
    board = dashboard_for(user=pola_staff)
    assert len(board.overdue) == 20 and board.overdue_count >= 30
    assert len(board.upcoming.items) == 20
    horizon = deadlines.pacific_today() + dt.timedelta(days=90)
    assert all(item.milestone.due_date <= horizon for item in board.upcoming.items)
    assert (
        board.upcoming.count
        == Milestone.objects.open()
        .filter(party=pola, due_date__gt=deadlines.pacific_today(), due_date__lte=horizon)
        .count()
    )


def test_audit_events_come_in_keyset_pages_that_cover_the_trail_once(reviewer, pola):
    chain.append_many(
        AuditEvent(
            actor_label="system",
            action=f"test.step{i}",
            object_type="agreement.party",
            object_id=str(pola.pk),
            object_repr="POLA",
            party=pola,
        )
        for i in range(25)
    )
    client = api_as(reviewer)
    url: str | None = "/api/v1/audit-events/?page_size=10"
    seen: list[int] = []
    while url:
        body = client.get(url).json()
        assert "count" not in body  # no COUNT(*) of the trail
        seen += [e["id"] for e in body["results"]]
        url = body["next"]
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == len(set(seen)) == AuditEvent.objects.count()
    oldest_first = client.get("/api/v1/audit-events/?ordering=id&page_size=5").json()
    ids = [e["id"] for e in oldest_first["results"]]
    assert ids == sorted(ids) and ids[0] == min(seen)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_download_past_the_row_limit_asks_to_narrow_the_filters(
    client, reviewer, pola, monkeypatch, fmt
):
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 20)
    _milestones(pola, 30, start_days=1)
    client.force_login(reviewer)
    response = client.get(reverse("milestone-export", args=[fmt]))
    assert response.status_code == 400
    assert "narrow the filters" in response.content.decode()
    narrowed = client.get(reverse("milestone-export", args=[fmt]), {"kind": "draft_plan"})
    assert narrowed.status_code == 200
