"""Downloads of defaults, penalties and the fund ledger (CSV, XLSX), from the pages and from
the API, honour the same filters; money is a Decimal ("50000.00"; a two-decimal number cell)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from agreement.models import Milestone, MilestoneStatus
from penalties.services import fund_disburse

from .penalty_records import NOW, port_records
from .test_exports import csv_rows
from .test_penalties_api_query_counts import add_fund_entries

API = "/api/v1"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def records(pola, polb, pola_staff, polb_staff, administrator):
    pola_records = port_records(pola, pola_staff, administrator)
    polb_records = port_records(polb, polb_staff, administrator)
    Milestone.objects.filter(pk=polb_records.paid.default.milestone_id).update(
        status=MilestoneStatus.MET, completed_at=NOW, closed_at=NOW
    )
    fund_disburse(
        amount=Decimal("1234.50"),
        occurred_on=dt.date(2027, 1, 31),
        project_name="=cmd|' /C calc'!A0",
        community="Wilmington",
        actor=administrator,
    )
    return pola_records, polb_records


def xlsx_rows(response) -> list[dict[str, Any]]:
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def xlsx_money_cells(response, header: str) -> list[tuple[object, str]]:
    """(value, number format) of each cell of a column, read back with openpyxl."""
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in sheet[1]]
    column = headers.index(header)
    return [(row[column].value, row[column].number_format) for row in sheet.iter_rows(min_row=2)]


DEFAULTS = [f"{API}/defaults/export", "/penalties/defaults/export"]
PENALTIES = [f"{API}/penalties/export", "/penalties/penalties/export"]
FUND = [f"{API}/fund/entries/export", "/penalties/fund/export"]


@pytest.mark.parametrize("prefix", DEFAULTS)
def test_defaults_csv_honours_port_cured_and_date_filters(client_as, records, prefix):
    client = client_as("reviewer")
    response = client.get(f"{prefix}.csv?port=POLB&cured=true")
    assert response.status_code == 200
    assert 'filename="defaults.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [(r["Port"], r["Default number"], r["Cured"]) for r in rows] == [("POLB", "2", "yes")]
    assert rows[0]["Penalty (USD)"] == "100000.00"
    assert rows[0]["Penalty status"] == "Paid"
    dated = csv_rows(client.get(f"{prefix}.csv?due_date_before=2027-01-05&ordering=port"))
    assert [(r["Port"], r["Missed due date (Pacific)"]) for r in dated] == [
        ("POLA", "2027-01-05"),
        ("POLB", "2027-01-05"),
    ]


@pytest.mark.parametrize("prefix", DEFAULTS)
def test_port_staff_download_their_own_ports_defaults(client_as, records, prefix):
    rows = csv_rows(client_as("pola_staff").get(f"{prefix}.csv"))
    assert {r["Port"] for r in rows} == {"POLA"} and len(rows) == 2


@pytest.mark.parametrize("prefix", PENALTIES)
def test_penalties_xlsx_has_money_as_two_decimal_numbers(client_as, records, prefix):
    response = client_as("anonymous").get(f"{prefix}.xlsx?status=paid&ordering=port")
    assert response.status_code == 200
    assert 'filename="penalties.xlsx"' in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert [(r["Port"], r["Status"], r["Payment reference"]) for r in rows] == [
        ("POLA", "Paid", "CHK-POLA"),
        ("POLB", "Paid", "CHK-POLB"),
    ]
    assert xlsx_money_cells(response, "Amount (USD)") == [(100000, "#,##0.00")] * 2
    assert isinstance(rows[0]["Paid at"], dt.datetime)


@pytest.mark.parametrize("prefix", PENALTIES)
def test_penalties_csv_honours_port_status_and_year(client_as, records, prefix):
    client = client_as("board_member")
    rows = csv_rows(client.get(f"{prefix}.csv?port=POLA&status=notice_sent&year=2027"))
    assert [(r["Port"], r["Amount (USD)"], r["Status"]) for r in rows] == [
        ("POLA", "50000.00", "Notice sent")
    ]
    assert csv_rows(client.get(f"{prefix}.csv?year=2026")) == []


@pytest.mark.parametrize("prefix", FUND)
def test_fund_ledger_downloads_honour_kind_port_and_year(client_as, records, prefix):
    client = client_as("anonymous")
    receipts = csv_rows(client.get(f"{prefix}.csv?kind=receipt&port=POLB"))
    assert [(r["Port"], r["Amount (USD)"], r["Kind"]) for r in receipts] == [
        ("POLB", "100000.00", "Receipt (penalty paid)")
    ]
    disbursed = csv_rows(client.get(f"{prefix}.csv?kind=disbursement&year=2027"))
    assert [(r["Amount (USD)"], r["Balance after (USD)"]) for r in disbursed] == [
        ("1234.50", "198765.50")
    ]
    assert disbursed[0]["Community project"].startswith("'=")  # no formula in a spreadsheet
    response = client.get(f"{prefix}.xlsx?kind=disbursement")
    assert response["Content-Disposition"].endswith('mitigation-fund-ledger.xlsx"')
    assert xlsx_money_cells(response, "Amount (USD)") == [(1234.5, "#,##0.00")]
    assert xlsx_money_cells(response, "Balance after (USD)") == [(198765.5, "#,##0.00")]


@pytest.mark.parametrize(
    "url",
    [
        "/penalties/defaults/export.csv?status=nope",
        "/penalties/penalties/export.xlsx?year=x",
        "/penalties/fund/export.csv?kind=nope",
        f"{API}/defaults/export.csv?due_date_after=nope",
        f"{API}/fund/entries/export.xlsx?occurred_on_after=nope",
    ],
)
def test_a_download_with_an_invalid_filter_is_a_400(client_as, agreement, url):
    assert client_as("reviewer").get(url).status_code == 400


@pytest.mark.parametrize(
    ("page", "export", "query"),
    [
        ("penalties:defaults", "penalties:defaults-export", "port=POLA&cured=false"),
        ("penalties:penalties", "penalties:penalties-export", "status=paid&year=2027"),
        ("penalties:fund", "penalties:fund-export", "kind=receipt&port=POLB"),
    ],
)
def test_each_page_links_its_downloads_with_its_filters(client_as, records, page, export, query):
    response = client_as("anonymous").get(f"{reverse(page)}?{query}&page=1")
    assert response.status_code == 200
    for fmt in ("csv", "xlsx"):
        link = f'href="{reverse(export, args=[fmt])}?{query.replace("&", "&amp;")}"'
        assert link in response.text, fmt


def test_the_pages_list_the_filtered_rows(client_as, records):
    client = client_as("anonymous")
    defaults = client.get("/penalties/?port=POLB&cured=true").text
    assert "POLB crane" in defaults and "POLA crane" not in defaults
    assert "POLB berth chargers" not in defaults
    penalties = client.get("/penalties/penalties/?status=notice_sent&port=POLA").text
    assert "POLA berth chargers" in penalties and "POLB berth chargers" not in penalties
    assert "$50,000.00" in penalties
    fund = client.get("/penalties/fund/?kind=disbursement").text
    assert "Wilmington" in fund and "CHK-POLA" not in fund


@pytest.mark.parametrize("name", ["penalties:defaults", "penalties:penalties", "penalties:fund"])
def test_the_filtered_pages_make_as_many_queries_for_10_rows_as_for_200(
    client_as, pola_staff, name
):
    client = client_as("reviewer")
    counts = []
    for rows in (10, 190):
        add_fund_entries(rows, actor=pola_staff)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name), {"port": "POLA"}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
