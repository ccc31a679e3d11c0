"""Each penalties list endpoint makes the same number of queries for 10 rows as for 500."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from agreement.models import Milestone, MilestoneKind, Party
from core.models import Document
from penalties.models import (
    Default,
    ExtensionRequest,
    FlexibilityClaim,
    FundEntry,
    FundEntryKind,
    Penalty,
    PenaltySchedule,
)

HEX = "0" * 64


def _milestones(n: int) -> list[Milestone]:
    pola = Party.objects.get(code="POLA")
    return Milestone.objects.bulk_create(
        Milestone(
            party=pola,
            kind=MilestoneKind.PROJECT,
            title=f"Project {i}",
            due_date=dt.date(2026, 1, 1) + dt.timedelta(days=i),
        )
        for i in range(n)
    )


def add_defaults(n: int, *, actor: User) -> None:
    schedule = PenaltySchedule.objects.get()
    defaults = Default.objects.bulk_create(
        Default(milestone=m, party_id=m.party_id, ordinal=i + 1, due_date=m.due_date)
        for i, m in enumerate(_milestones(n))
    )
    Penalty.objects.bulk_create(
        Penalty(
            default=d,
            party_id=d.party_id,
            amount=Decimal("50000.00"),
            schedule=schedule,
            tier_ordinal=1,
        )
        for d in defaults
    )


def _document(actor: User) -> Document:
    return Document.objects.create(
        original_name="a.pdf", file="documents/a.pdf", sha256=HEX, size_bytes=1, uploaded_by=actor
    )


def add_extension_requests(n: int, *, actor: User) -> None:
    document = _document(actor)
    rows = ExtensionRequest.objects.bulk_create(
        ExtensionRequest(
            milestone=m,
            party_id=m.party_id,
            current_due_date=m.due_date,
            requested_due_date=m.due_date + dt.timedelta(days=30),
            reason="r",
            filed_by=actor,
        )
        for m in _milestones(n)
    )
    ExtensionRequest.documents.through.objects.bulk_create(
        ExtensionRequest.documents.through(extensionrequest=r, document=document) for r in rows
    )


def add_flexibility_claims(n: int, *, actor: User) -> None:
    document = _document(actor)
    rows = FlexibilityClaim.objects.bulk_create(
        FlexibilityClaim(milestone=m, party_id=m.party_id, reason="r", filed_by=actor)
        for m in _milestones(n)
    )
    FlexibilityClaim.documents.through.objects.bulk_create(
        FlexibilityClaim.documents.through(flexibilityclaim=c, document=document) for c in rows
    )


def add_fund_entries(n: int, *, actor: User) -> None:
    add_defaults(n, actor=actor)
    FundEntry.objects.bulk_create(
        FundEntry(
            kind=FundEntryKind.RECEIPT,
            amount=p.amount,
            balance_after=p.amount * (i + 1),
            occurred_on=dt.date(2027, 1, 1),
            penalty=p,
            party_id=p.party_id,
        )
        for i, p in enumerate(Penalty.objects.filter(fund_receipt__isnull=True).order_by("id"))
    )


# (list URL, how to add rows, queries with a session: session + user + the list's own)
LISTS = [
    ("/api/v1/defaults/", add_defaults, 4),
    ("/api/v1/penalties/", add_defaults, 4),
    ("/api/v1/extension-requests/", add_extension_requests, 5),
    ("/api/v1/flexibility-claims/", add_flexibility_claims, 5),
    ("/api/v1/fund/entries/", add_fund_entries, 4),
]


@pytest.mark.parametrize("rows", [10, 500])
@pytest.mark.parametrize(("url", "add_rows", "queries"), LISTS, ids=[u for u, *_ in LISTS])
def test_penalties_list_query_count_does_not_grow_with_rows(
    client_as, pola_staff, url, add_rows, queries, rows
):
    add_rows(rows, actor=pola_staff)
    client = client_as("pola_staff")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 500})
    assert response.status_code == 200
    assert len(response.json()["results"]) == rows
    assert len(ctx.captured_queries) == queries, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("rows", [10, 200])
@pytest.mark.parametrize(
    ("url", "add_rows", "queries"),
    [
        ("/api/v1/defaults/export.csv", add_defaults, 3),
        ("/api/v1/penalties/export.xlsx", add_defaults, 3),
        ("/api/v1/fund/entries/export.csv", add_fund_entries, 3),
    ],
)
def test_penalties_download_query_count_does_not_grow_with_rows(
    client_as, pola_staff, url, add_rows, queries, rows
):
    add_rows(rows, actor=pola_staff)
    client = client_as("pola_staff")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert len(ctx.captured_queries) == queries, [q["sql"] for q in ctx.captured_queries]
