"""The milestones page: the API's filters, pages of 50, and downloads of what it shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import MilestoneFactory


@pytest.fixture
def projects(pola, polb):
    MilestoneFactory(party=pola, title="Chargers", due_date=dt.date(2027, 9, 1))
    MilestoneFactory(party=polb, title="Cranes", due_date=dt.date(2027, 8, 15))


def test_the_milestones_page_offers_downloads_with_the_same_filters(client, reviewer, projects):
    client.force_login(reviewer)
    response = client.get(reverse("milestone-list"), {"kind": "project", "port": "POLB"})
    assert response.status_code == 200
    assert [m.title for m in response.context["page"]] == ["Cranes"]
    assert 'href="/milestones/export.csv?kind=project&amp;port=POLB"' in response.text
    assert 'href="/milestones/export.xlsx?kind=project&amp;port=POLB"' in response.text


def test_the_milestones_page_is_public_and_scoped_for_port_staff(client, polb_staff, projects):
    assert client.get(reverse("milestone-list")).status_code == 200
    client.force_login(polb_staff)
    page = client.get(reverse("milestone-list"), {"kind": "project"})
    assert [m.title for m in page.context["page"]] == ["Cranes"]


def test_an_invalid_filter_shows_the_error_and_no_rows(client, agreement):
    response = client.get(reverse("milestone-list"), {"due_date_after": "soon"})
    assert response.status_code == 200
    assert "field-error" in response.text
    assert list(response.context["page"]) == []


def test_the_page_download_is_the_filtered_rows(client, reviewer, projects):
    client.force_login(reviewer)
    response = client.get(
        reverse("milestone-export", args=["csv"]), {"port": "POLB", "kind": "project"}
    )
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and "Cranes" in lines[1]


@pytest.mark.parametrize("extra", [0, 60])
def test_the_page_query_count_does_not_grow_with_milestones(client, reviewer, pola, extra):
    for n in range(extra):
        MilestoneFactory(party=pola, due_date=dt.date(2030, 1, 1) + dt.timedelta(days=n))
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("milestone-list"))
    # session, user, the count, the page of milestones, their date changes; the filter's
    # ports and phases
    assert len(ctx.captured_queries) == 7, [q["sql"] for q in ctx.captured_queries]
