"""Tables as downloads: CSV or XLSX of any rows with a column spec.

Pages and the API call :func:`export_response` with the same (filtered, scoped) rows they
list, so a download always matches what the user sees.  Other apps describe their columns
once (a list of :class:`Column`) and reuse this for defaults, penalties and the fund ledger.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

# Spreadsheet programs run cells that start with these as formulas (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# Decimals are money in this tracker: a number cell shown with two decimals.
MONEY_FORMAT = "#,##0.00"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    """One column: its (translatable) header and how to read the value from a row."""

    header: Any
    value: Callable[[Any], Any]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    text = force_str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell_value(value: Any) -> Any:
    """Numbers and dates stay typed in XLSX; aware datetimes become naive UTC (Excel has no
    time zones); text is guarded against formulas."""
    if value is None or isinstance(value, bool | int | decimal.Decimal | float):
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, dt.date):
        return value
    return _text(value)


def render_csv(rows: Iterable[Any], columns: Sequence[Column]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([force_str(c.header) for c in columns])
    for row in rows:
        writer.writerow([_text(c.value(row)) for c in columns])
    # A byte-order mark lets spreadsheet programs read the file as UTF-8.
    return ("\ufeff" + out.getvalue()).encode()


def render_xlsx(rows: Iterable[Any], columns: Sequence[Column], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    sheet.append([force_str(c.header) for c in columns])
    for row in rows:
        cells = []
        for column in columns:
            value = _cell_value(column.value(row))
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, decimal.Decimal):
                cell.number_format = MONEY_FORMAT
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# A download holds at most this many rows: past it the user is asked to narrow the filters
# (the request's memory and time stay bounded whatever the table's size).
EXPORT_MAX_ROWS = 20_000


def export_response(
    rows: Iterable[Any], columns: Sequence[Column], *, fmt: str, filename: str
) -> HttpResponse:
    """A download of ``rows`` as ``fmt`` (``csv`` or ``xlsx``) named ``filename.<fmt>``, or
    400 when there are more than ``EXPORT_MAX_ROWS``."""
    # A queryset is cut in SQL (LIMIT), before its rows and prefetches are loaded.
    rows = list(
        rows[: EXPORT_MAX_ROWS + 1]
        if isinstance(rows, QuerySet)
        else islice(rows, EXPORT_MAX_ROWS + 1)
    )
    if len(rows) > EXPORT_MAX_ROWS:
        return HttpResponseBadRequest(
            _(
                "More than %(n)s rows match: narrow the filters (for example by port, status "
                "or year) and download again."
            )
            % {"n": f"{EXPORT_MAX_ROWS:,}"},
            content_type="text/plain; charset=utf-8",
        )
    export_format = ExportFormat(fmt)
    if export_format is ExportFormat.CSV:
        body = render_csv(rows, columns)
    else:
        body = render_xlsx(rows, columns, title=filename)
    response = HttpResponse(body, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{export_format}"'
    return response
