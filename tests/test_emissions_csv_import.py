"""CSV import of inventories: row-level errors, and nothing saved when any row is bad."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from core.errors import Forbidden, ServiceError, TooLarge
from reports.inventory_services import (
    ImportRejected,
    inventory_import_csv,
    inventory_import_upload,
)
from reports.models import EmissionsInventory, InventoryFigure, InventoryStatus
from reports.seed import PUBLIC_CSV

HEADER = "port,year,metric,value,unit,precision,source\n"


def test_the_public_file_imports_as_accepted_figures_for_an_administrator(administrator):
    result = inventory_import_csv(text=PUBLIC_CSV.read_text(), actor=administrator)
    assert result.figures == 40
    assert InventoryFigure.objects.count() == 40
    assert set(EmissionsInventory.objects.values_list("status", flat=True)) == {"accepted"}
    assert AuditEvent.objects.filter(action="emissions_inventory.imported").count() == len(
        result.inventories
    )


def test_a_bad_row_names_line_field_and_reason_and_nothing_is_saved(administrator):
    text = (
        HEADER
        + "POLA,2013,DPM,170,short tons/yr,exact,test source\n"
        + "POLX,2013,NOx,7000,short tons/yr,exact,test source\n"
        + "POLA,20x3,SOx,-5,short tons/yr,exact,\n"
        + "POLA,2013,DPM,171,short tons/yr,exact,test source\n"
        + "POLA,2013,TEU,8000000,short tons/yr,exact,test source\n"
    )
    with pytest.raises(ImportRejected) as caught:
        inventory_import_csv(text=text, actor=administrator)
    errors = {(e.line, e.field) for e in caught.value.row_errors}
    assert errors == {
        (3, "port"),
        (4, "year"),
        (4, "value"),
        (4, "source"),
        (5, "metric"),
        (6, "unit"),
    }
    assert "Nothing was saved" in str(caught.value)
    assert not EmissionsInventory.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="emissions_inventory").exists()


def test_a_file_without_the_required_columns_is_refused(administrator):
    with pytest.raises(ImportRejected) as caught:
        inventory_import_csv(text="port,year\nPOLA,2013\n", actor=administrator)
    assert caught.value.row_errors[0].line == 1
    assert "metric" in caught.value.row_errors[0].field


def test_port_staff_import_their_own_port_for_review_but_not_the_other_port(pola_staff, polb_staff):
    text = HEADER + "POLA,2013,DPM,170.5,short tons/yr,exact,port inventory 2013\n"
    inventory_import_csv(text=text, actor=pola_staff)
    inventory = EmissionsInventory.objects.get(party__code="POLA", year=2013)
    assert inventory.status == InventoryStatus.SUBMITTED
    assert inventory.figures.get().value == Decimal("170.5")
    with pytest.raises(ImportRejected) as caught:
        inventory_import_csv(text=text, actor=polb_staff)
    assert [(e.line, e.field) for e in caught.value.row_errors] == [(2, "port")]


def test_reviewers_and_the_public_cannot_import(reviewer):
    with pytest.raises(Forbidden):
        inventory_import_csv(text=HEADER, actor=reviewer)


def test_percentage_only_rows_import_with_their_basis(administrator):
    text = (
        "port,year,metric,value,unit,precision,source,change_vs_2005_pct\n"
        "POLB,2024,DPM,,short tons/yr,whole percent,press release,-90\n"
    )
    inventory_import_csv(text=text, actor=administrator)
    figure = InventoryFigure.objects.get()
    assert figure.basis == "published_reduction"
    assert figure.change_vs_2005_pct == -90


def test_the_import_command_prints_row_errors_and_saves_nothing(agreement, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "POLA,2013,DPM,abc,short tons/yr,exact,src\n")
    with pytest.raises(CommandError):
        call_command("import_inventory_csv", str(bad))
    assert "line 2, value: Not a number." in capsys.readouterr().err
    assert not InventoryFigure.objects.exists()
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "POLA,2013,DPM,170,short tons/yr,exact,src\n")
    call_command("import_inventory_csv", str(good))
    assert InventoryFigure.objects.count() == 1


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("figures.csv", data, content_type="text/csv")


def test_an_uploaded_file_imports_like_its_text(pola_staff):
    text = HEADER + "POLA,2013,DPM,170.5,short tons/yr,exact,port inventory 2013\n"
    result = inventory_import_upload(upload=_upload(("\ufeff" + text).encode()), actor=pola_staff)
    assert result.figures == 1
    assert InventoryFigure.objects.get().value == Decimal("170.5")


def test_an_upload_over_the_limit_is_refused_as_too_large(pola_staff, settings):
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(TooLarge):
        inventory_import_upload(upload=_upload(HEADER.encode()), actor=pola_staff)


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe\x00b\x00a\x00d", HEADER.encode() + b"POLA,2013,DPM,1,short tons/yr,\x00,s\n"],
    ids=["not utf-8", "nul character"],
)
def test_an_upload_that_is_not_utf8_text_names_the_file(pola_staff, data):
    with pytest.raises(ServiceError) as caught:
        inventory_import_upload(upload=_upload(data), actor=pola_staff)
    assert set(caught.value.fields) == {"file"}
    assert not InventoryFigure.objects.exists()


def test_an_upload_csv_cannot_read_names_the_file(pola_staff):
    data = (HEADER + "POLA,2013,DPM,1,short tons/yr,exact," + "x" * 200_000 + "\n").encode()
    with pytest.raises(ServiceError) as caught:
        inventory_import_upload(upload=_upload(data), actor=pola_staff)
    assert set(caught.value.fields) == {"file"}


def test_row_errors_are_also_fields_named_by_line_and_column(administrator):
    with pytest.raises(ImportRejected) as caught:
        inventory_import_csv(
            text=HEADER + "POLA,2013,DPM,-1,short tons/yr,exact,s\n", actor=administrator
        )
    assert caught.value.fields == {"rows.2.value": ["A figure cannot be negative."]}


def test_reviewers_cannot_upload_either(reviewer):
    with pytest.raises(Forbidden):
        inventory_import_upload(upload=_upload(HEADER.encode()), actor=reviewer)
