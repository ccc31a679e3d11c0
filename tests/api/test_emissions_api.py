"""Emissions inventories in the API: read with derived figures, enter and correct figures,
review, CSV import with row-level errors, and the figures as CSV and XLSX downloads."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from reports import derived
from reports.models import BASELINE_YEAR, EmissionsInventory, InventoryFigure, InventoryStatus
from reports.seed import seed_public_inventories

from .conftest import error_of

HEADER = "port,year,metric,value,unit,precision,source\n"


def figure(metric="DPM", value="170.5", **extra):
    return {"metric": metric, "value": value, "source": "port inventory", **extra}


@pytest.fixture
def seeded(agreement):
    seed_public_inventories()


@pytest.fixture
def submitted(client_as, pola_staff):
    response = client_as("pola_staff").post(
        "/api/v1/emissions-inventories/entries/",
        {"port": "POLA", "year": 2030, "figures": [figure(), figure("TEU", "9000000")]},
    )
    assert response.status_code == 201, response.content
    return EmissionsInventory.objects.get(pk=response.json()["id"])


def ids(client, query="") -> set[int]:
    response = client.get(f"/api/v1/emissions-inventories/{query}")
    assert response.status_code == 200, response.content
    return {i["id"] for i in response.json()["results"]}


def test_port_staff_enter_figures_that_go_to_aqmd_for_review(submitted):
    assert submitted.status == InventoryStatus.SUBMITTED
    assert submitted.figures.get(metric="DPM").value == Decimal("170.5")


def test_an_administrators_figures_are_accepted_at_once(client_as, agreement):
    response = client_as("administrator").post(
        "/api/v1/emissions-inventories/entries/",
        {"port": "POLB", "year": 2030, "figures": [figure()]},
    )
    assert response.status_code == 201
    assert response.json()["status"] == "accepted"


def test_port_staff_cannot_enter_the_other_ports_figures(client_as, polb_staff, agreement):
    response = client_as("polb_staff").post(
        "/api/v1/emissions-inventories/entries/",
        {"port": "POLA", "year": 2030, "figures": [figure()]},
    )
    assert response.status_code == 403
    assert not EmissionsInventory.objects.exists()


def test_bad_figures_name_their_fields_and_save_nothing(client_as, pola_staff):
    response = client_as("pola_staff").post(
        "/api/v1/emissions-inventories/entries/",
        {"port": "POLA", "year": 2030, "figures": [figure(value=None), figure("NOx", "-1")]},
    )
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"DPM.value", "NOx.value"}
    assert not EmissionsInventory.objects.exists()


def test_entering_an_existing_port_and_year_corrects_it(client_as, submitted):
    response = client_as("pola_staff").post(
        "/api/v1/emissions-inventories/entries/",
        {"port": "POLA", "year": 2030, "figures": [figure(value="160")]},
    )
    assert response.status_code == 200
    assert response.json()["id"] == submitted.pk


def test_correcting_figures_replaces_the_entered_ones(client_as, submitted):
    response = client_as("pola_staff").put(
        f"/api/v1/emissions-inventories/{submitted.pk}/figures/",
        {"figures": [figure(value="150")]},
    )
    assert response.status_code == 200, response.content
    assert [(f["metric"], f["value"]) for f in response.json()["figures"]] == [("DPM", "150.000")]


def test_aqmd_accepts_or_rejects_with_a_reason(client_as, submitted):
    reviewer = client_as("reviewer")
    url = f"/api/v1/emissions-inventories/{submitted.pk}/review/"
    refused = reviewer.post(url, {"decision": "reject"})
    assert refused.status_code == 400
    assert "note" in error_of(refused)["fields"]
    rejected = reviewer.post(url, {"decision": "reject", "note": "DPM is in kg, not tons."})
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["review_note"] == "DPM is in kg, not tons."
    conflict = reviewer.post(url, {"decision": "accept"})
    assert conflict.status_code == 409  # only submitted inventories are reviewed
    assert error_of(conflict)["code"] == "conflict"


def test_each_role_sees_the_inventories_the_pages_show(client_as, seeded, submitted):
    accepted = set(EmissionsInventory.objects.accepted().values_list("pk", flat=True))
    assert accepted and submitted.pk not in accepted
    assert ids(client_as("reviewer")) >= accepted | {submitted.pk}
    assert ids(client_as("pola_staff"), "?page_size=500") == accepted | {submitted.pk}
    for role in ("polb_staff", "board_member", "anonymous"):
        assert ids(client_as(role), "?page_size=500") == accepted, role
        response = client_as(role).get(f"/api/v1/emissions-inventories/{submitted.pk}/")
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"


def test_the_list_filters_by_port_year_and_status_and_orders(client_as, seeded, submitted):
    client = client_as("reviewer")
    assert ids(client, "?status=submitted") == {submitted.pk}
    polb = ids(client, "?port=polb&year_min=2010&year_max=2012&page_size=500")
    assert polb == set(
        EmissionsInventory.objects.filter(party__code="POLB", year__range=(2010, 2012)).values_list(
            "pk", flat=True
        )
    )
    ordered = client.get("/api/v1/emissions-inventories/?ordering=-year,port").json()["results"]
    assert (ordered[0]["year"], ordered[0]["port"]) == (2030, "POLA")


def test_derived_figures_are_those_of_reports_derived(client_as, seeded):
    inventory = EmissionsInventory.objects.get(party__code="POLA", year=2012)
    body = client_as("anonymous").get(f"/api/v1/emissions-inventories/{inventory.pk}/").json()
    by_metric = {d["metric"]: d for d in body["derived"]}
    assert set(by_metric) == {f["metric"] for f in body["figures"]}
    figures = {
        year: {
            f.metric: f
            for f in InventoryFigure.objects.filter(
                inventory__party__code="POLA", inventory__year=year
            )
        }
        for year in (BASELINE_YEAR, 2012)
    }
    dpm = derived.metric_point(figures, 2012, "DPM")
    assert by_metric["DPM"]["change_vs_2005_pct"] == "-79" == f"{dpm.change_pct}"
    assert by_metric["DPM"]["change_source"] == "computed"
    assert dpm.intensity is not None
    assert Decimal(by_metric["DPM"]["intensity_per_10k_teu"]) == dpm.intensity.quantize(
        Decimal("0.001")
    )


def test_a_percentage_only_figure_gets_its_derived_absolute_value(client_as, seeded):
    record = (
        InventoryFigure.objects.filter(basis="published_reduction")
        .select_related("inventory")
        .first()
    )
    assert record is not None
    body = (
        client_as("anonymous").get(f"/api/v1/emissions-inventories/{record.inventory_id}/").json()
    )
    point = next(d for d in body["derived"] if d["metric"] == record.metric)
    assert point["change_source"] == "published"
    assert point["value_basis"] in ("derived", "published_reduction")


# --- CSV import ---------------------------------------------------------------------------


def upload(text: str | bytes, name="figures.csv"):
    data = text.encode() if isinstance(text, str) else text
    return {"file": SimpleUploadedFile(name, data, content_type="text/csv")}


def test_a_good_file_imports(client_as, pola_staff):
    text = HEADER + "POLA,2013,DPM,170.5,short tons/yr,exact,port inventory 2013\n"
    response = client_as("pola_staff").post(
        "/api/v1/emissions-inventories/import/", upload(text), format="multipart"
    )
    assert response.status_code == 200, response.content
    inventory = EmissionsInventory.objects.get()
    assert response.json() == {"inventories": [inventory.pk], "figures": 1}
    assert inventory.status == InventoryStatus.SUBMITTED


def test_a_bad_row_answers_each_error_by_line_and_column_and_saves_nothing(client_as, pola_staff):
    text = (
        HEADER
        + "POLA,2013,DPM,170,short tons/yr,exact,src\n"
        + "POLA,2013,NOx,abc,short tons/yr,exact,src\n"
        + "POLB,2013,SOx,5,short tons/yr,exact,src\n"
        + "POLA,20x3,DPM,1,short tons/yr,exact,\n"
    )
    response = client_as("pola_staff").post(
        "/api/v1/emissions-inventories/import/", upload(text), format="multipart"
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert "Nothing was saved" in error["message"]
    assert error["fields"] == {
        "rows.3.value": ["Not a number."],
        "rows.3.change_vs_2005_pct": ["Give the published change vs 2005."],
        "rows.4.port": ["You may not enter this port's figures."],
        "rows.5.year": ["A year between 1990 and 2100."],
        "rows.5.source": ["Say where the figure comes from."],
    }
    assert not EmissionsInventory.objects.exists()


def test_a_file_that_is_not_utf8_text_is_refused(client_as, pola_staff):
    response = client_as("pola_staff").post(
        "/api/v1/emissions-inventories/import/", upload(b"\xff\xfe\x00bad"), format="multipart"
    )
    assert response.status_code == 400
    assert "file" in error_of(response)["fields"]


def test_a_file_over_the_upload_limit_is_413(client_as, pola_staff, settings):
    settings.UPLOAD_MAX_BYTES = 10
    response = client_as("pola_staff").post(
        "/api/v1/emissions-inventories/import/", upload(HEADER), format="multipart"
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


def test_an_import_without_a_file_names_the_field(client_as, pola_staff):
    response = client_as("pola_staff").post(
        "/api/v1/emissions-inventories/import/", {}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in error_of(response)["fields"]


# --- Downloads ----------------------------------------------------------------------------


def test_the_csv_download_honours_the_filters_and_what_the_user_sees(client_as, seeded, submitted):
    response = client_as("polb_staff").get(
        "/api/v1/emissions-inventories/export.csv?port=POLA&year_min=2030"
    )
    assert response.status_code == 200
    assert not list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    response = client_as("pola_staff").get(
        "/api/v1/emissions-inventories/export.csv?port=POLA&year_min=2030"
    )
    assert 'filename="emissions-figures.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["Port"], r["Year"], r["Metric"], r["Value"], r["Unit"]) for r in rows] == [
        ("POLA", "2030", "DPM", "170.500", "short tons/yr"),
        ("POLA", "2030", "TEU", "9000000.000", "TEU"),
    ]
    assert rows[0]["Review status"] == "Submitted for AQMD review"


def test_the_xlsx_download_has_the_same_rows(client_as, seeded):
    query = "?port=POLB&year_min=2005&year_max=2006"
    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                client_as("anonymous")
                .get(f"/api/v1/emissions-inventories/export.csv{query}")
                .content.decode("utf-8-sig")
            )
        )
    )
    response = client_as("anonymous").get(f"/api/v1/emissions-inventories/export.xlsx{query}")
    assert response.status_code == 200
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) - 1 == len(csv_rows) > 0
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [
        (r["Port"], int(r["Year"]), r["Metric"]) for r in csv_rows
    ]
