"""Each list endpoint makes the same number of queries for 10 rows as for 500."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from agreement.models import (
    Agreement,
    DateChangeKind,
    EmissionCategory,
    Milestone,
    MilestoneDateChange,
    MilestoneKind,
    Party,
    PartyKind,
    Phase,
)
from audit import chain
from audit.models import AuditEvent
from penalties.models import PenaltySchedule, PenaltyTier
from reports.models import (
    EmissionsInventory,
    FigureBasis,
    InventoryFigure,
    InventoryStatus,
    Metric,
    ReportRun,
    ReportStatus,
)


def add_parties(n: int, *, actor: User) -> None:
    Party.objects.bulk_create(
        Party(code=f"P{i}", name=f"Party {i}", kind=PartyKind.PORT, governing_body="Board")
        for i in range(n)
    )


def add_phases(n: int, *, actor: User) -> None:
    agreement = Agreement.objects.get()
    phases = Phase.objects.bulk_create(
        Phase(agreement=agreement, number=100 + i, title=f"Phase {i}") for i in range(n)
    )
    EmissionCategory.objects.bulk_create(
        EmissionCategory(code=f"c{p.number}", name="Category", phase=p) for p in phases
    )


def add_categories(n: int, *, actor: User) -> None:
    phase = Phase.objects.get(number=1)
    EmissionCategory.objects.bulk_create(
        EmissionCategory(code=f"x{i}", name=f"Category {i}", phase=phase) for i in range(n)
    )


def add_milestones(n: int, *, actor: User) -> None:
    pola = Party.objects.get(code="POLA")
    phase = Phase.objects.get(number=1)
    rows = Milestone.objects.bulk_create(
        Milestone(
            party=pola,
            phase=phase if i % 2 else None,
            kind=MilestoneKind.PROJECT,
            title=f"Project {i}",
            due_date=dt.date(2030, 1, 1) + dt.timedelta(days=i),
        )
        for i in range(n)
    )
    MilestoneDateChange.objects.bulk_create(
        MilestoneDateChange(
            milestone=m,
            kind=DateChangeKind.AMENDMENT,
            old_due_date=m.due_date,
            new_due_date=m.due_date,
            old_is_provisional=False,
            new_is_provisional=False,
            reason="r",
            actor=actor,
        )
        for m in rows
    )


def add_schedules(n: int, *, actor: User) -> None:
    schedules = PenaltySchedule.objects.bulk_create(
        PenaltySchedule(name=f"S{i}", effective_from=dt.date(2030, 1, 1) + dt.timedelta(days=i))
        for i in range(n)
    )
    PenaltyTier.objects.bulk_create(
        PenaltyTier(schedule=s, default_ordinal=1, amount=Decimal("50000")) for s in schedules
    )


def add_audit_events(n: int, *, actor: User) -> None:
    pola = Party.objects.get(code="POLA")
    for i in range(n):  # each event is a link of the hash chain
        chain.append(
            AuditEvent(
                actor_label="x",
                action="test",
                object_type="agreement.milestone",
                object_id=str(i),
                object_repr="m",
                party=pola,
            )
        )


def add_report_runs(n: int, *, actor: User) -> None:
    pola = Party.objects.get(code="POLA")
    ReportRun.objects.bulk_create(
        ReportRun(
            year=2026,
            party=pola,
            version=i + 1,
            status=ReportStatus.FAILED,
            error="boom",
            requested_by=actor,
        )
        for i in range(n)
    )


def add_inventories(n: int, *, actor: User) -> None:
    """Accepted inventories of extra ports (100 years each) with two figures, and a 2005
    baseline for each port to derive from."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ports = Party.objects.bulk_create(
        Party(code=f"X{i}", name=f"Port {i}", kind=PartyKind.PORT, governing_body="Board")
        for i in range(n // 100 + 1)
    )
    inventories = EmissionsInventory.objects.bulk_create(
        EmissionsInventory(
            party=ports[i // 100],
            year=2000 + i % 100,
            status=InventoryStatus.ACCEPTED,
            reviewed_at=now,
        )
        for i in range(n)
    )
    InventoryFigure.objects.bulk_create(
        InventoryFigure(
            inventory=inventory,
            metric=metric,
            value=Decimal(value),
            basis=FigureBasis.PUBLISHED,
            source="test",
        )
        for inventory in inventories
        for metric, value in ((Metric.DPM, "100"), (Metric.TEU, "1000000"))
    )


# (list URL, how to add rows, queries with a session: session + user + the list's own)
LISTS = [
    ("/api/v1/parties/", add_parties, 4),
    ("/api/v1/phases/", add_phases, 5),
    ("/api/v1/categories/", add_categories, 4),
    ("/api/v1/milestones/", add_milestones, 5),
    ("/api/v1/penalty-schedules/", add_schedules, 5),
    # keyset pages: no COUNT(*) of the trail
    ("/api/v1/audit-events/", add_audit_events, 3),
    ("/api/v1/report-runs/", add_report_runs, 4),
    # + the figures (prefetched) and the ports' accepted 2005 figures
    ("/api/v1/emissions-inventories/", add_inventories, 6),
]


@pytest.mark.parametrize("rows", [10, 500])
@pytest.mark.parametrize(("url", "add_rows", "queries"), LISTS, ids=[u for u, *_ in LISTS])
def test_list_query_count_does_not_grow_with_rows(
    client_as, pola_staff, url, add_rows, queries, rows
):
    add_rows(rows, actor=pola_staff)
    client = client_as("pola_staff")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 500})
    assert response.status_code == 200
    assert len(response.json()["results"]) >= min(rows, 500)
    assert len(ctx.captured_queries) == queries, [q["sql"] for q in ctx.captured_queries]


# (download URL, how to add rows, queries with a session)
DOWNLOADS = [
    ("/api/v1/milestones/export.csv", add_milestones, 4),
    ("/api/v1/emissions-inventories/export.csv", add_inventories, 4),
    ("/api/v1/emissions-inventories/export.xlsx", add_inventories, 4),
]


@pytest.mark.parametrize("rows", [10, 500])
@pytest.mark.parametrize(("url", "add_rows", "queries"), DOWNLOADS, ids=[u for u, *_ in DOWNLOADS])
def test_download_query_count_does_not_grow_with_rows(
    client_as, pola_staff, url, add_rows, queries, rows
):
    add_rows(rows, actor=pola_staff)
    client = client_as("pola_staff")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.content.splitlines()) > rows or url.endswith(".xlsx")
    assert len(ctx.captured_queries) == queries, [q["sql"] for q in ctx.captured_queries]
