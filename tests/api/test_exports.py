"""Milestone downloads (CSV, XLSX) from the page and the API honour the same filters."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from core.exports import Column, render_csv
from tests.factories import MilestoneFactory


def csv_rows(response) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def xlsx_rows(response) -> list[dict[str, Any]]:
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def projects(pola, polb):
    MilestoneFactory(party=pola, title="=HYPERLINK(evil)", due_date=dt.date(2027, 8, 1))
    MilestoneFactory(party=pola, title="Chargers, phase A", due_date=dt.date(2027, 9, 1))
    MilestoneFactory(party=polb, title="Cranes", due_date=dt.date(2027, 8, 15))


@pytest.mark.parametrize("prefix", ["/api/v1/milestones/export", "/milestones/export"])
def test_csv_download_honours_filters_and_port_scope(client_as, projects, prefix):
    response = client_as("pola_staff").get(f"{prefix}.csv?kind=project&due_date_before=2027-12-31")
    assert response.status_code == 200
    assert 'filename="milestones.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [(r["Port"], r["Title"], r["Due date (Pacific)"]) for r in rows] == [
        ("POLA", "'=HYPERLINK(evil)", "2027-08-01"),  # formulas are neutralised
        ("POLA", "Chargers, phase A", "2027-09-01"),
    ]
    assert rows[0]["Kind"] == "Project milestone"
    assert rows[0]["Provisional date"] == "no"


@pytest.mark.parametrize("prefix", ["/api/v1/milestones/export", "/milestones/export"])
def test_xlsx_download_reads_back_with_typed_dates(client_as, projects, prefix):
    response = client_as("reviewer").get(f"{prefix}.xlsx?kind=project&ordering=-due_date")
    assert response.status_code == 200
    rows = xlsx_rows(response)
    due = [r["Due date (Pacific)"] for r in rows]
    assert [r["Port"] for r in rows] == ["POLA", "POLB", "POLA"]
    assert all(isinstance(d, dt.datetime) for d in due)  # a real date cell, not text
    assert [d.date() for d in due] == [
        dt.date(2027, 9, 1),
        dt.date(2027, 8, 15),
        dt.date(2027, 8, 1),
    ]
    assert rows[0]["Phase"] is None


def test_the_public_downloads_what_it_may_see(client_as, projects):
    rows = csv_rows(
        client_as("anonymous").get("/api/v1/milestones/export.csv?port=POLB&kind=project")
    )
    assert [r["Title"] for r in rows] == ["Cranes"]


def test_a_download_with_an_invalid_filter_is_a_400(client_as, agreement):
    assert (
        client_as("reviewer").get("/milestones/export.csv?due_date_after=nope").status_code == 400
    )
    api = client_as("reviewer").get("/api/v1/milestones/export.csv?status=nope")
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "invalid"


def test_the_api_download_ignores_accept_headers(client_as, agreement):
    response = client_as("reviewer").get("/api/v1/milestones/export.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200


def test_the_helper_writes_headers_and_blank_cells():
    body = render_csv(
        [{"a": None, "b": True}], [Column("A", lambda r: r["a"]), Column("B", lambda r: r["b"])]
    )
    assert body.decode("utf-8-sig").splitlines() == ["A,B", ",yes"]
