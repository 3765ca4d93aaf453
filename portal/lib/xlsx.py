"""Writing spreadsheets safely: streamed (write-only) and free of formula injection;
and the one way a view answers with one (xlsx_response)."""

from __future__ import annotations

import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.core.files import File
from django.http import HttpResponse, HttpResponseBase
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from portal.lib.files import private_file_response
from portal.lib.middleware import PRIVATE_NO_STORE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Cells that Excel or LibreOffice would read as a formula or a command (docs/security.md).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")


def safe_cell(sheet, value: Any) -> Any:
    """A value to append to a write-only sheet: text that looks like a formula is
    stored as text (with Excel's quote prefix), never as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


TEXT = "@"  # Excel's "Text" number format: what is typed stays as typed (leading 0s, 18 digits)


@dataclass
class SheetSpec:
    """One sheet of `write_sheets`: a header, rows, and how a person will fill it in."""

    title: str
    header: list[str]
    rows: Iterable[list[Any]] = ()
    text_columns: Collection[int] = ()  # 0-based: formatted as text, the whole column
    text_rows: int = 0  # blank rows under the data whose text columns carry the format too
    widths: dict[int, float] = field(default_factory=dict)  # 0-based column -> width
    lead: list[list[Any]] = field(default_factory=list)  # lines above the header


def write_sheets(path_or_file, sheets: list[SheetSpec]) -> int:
    """Stream each sheet into one workbook; returns the number of data rows written."""
    workbook = Workbook(write_only=True)
    count = 0
    for spec in sheets:
        count += _write_sheet(workbook.create_sheet(spec.title[:31]), spec)
    workbook.save(path_or_file)
    return count


def _write_sheet(sheet, spec: SheetSpec) -> int:
    for index, width in spec.widths.items():
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    for index in spec.text_columns:
        # The column's own format covers rows nobody pre-formatted (Excel, WPS, LibreOffice).
        sheet.column_dimensions[get_column_letter(index + 1)].number_format = TEXT
    for line in spec.lead:
        sheet.append([safe_cell(sheet, value) for value in line])
    sheet.append(spec.header)
    count = 0
    for row in spec.rows:
        sheet.append(
            [
                _text(sheet, value) if i in spec.text_columns else safe_cell(sheet, value)
                for i, value in enumerate(row)
            ]
        )
        count += 1
    if spec.text_rows:
        width = max(spec.text_columns) + 1
        blank = [_text(sheet, None) if i in spec.text_columns else None for i in range(width)]
        for _ in range(spec.text_rows):
            sheet.append(blank)
    return count


def _text(sheet, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=None if value is None else str(value))
    cell.number_format = TEXT
    if value is not None:
        cell.data_type = "s"  # never a formula, whatever it starts with
        cell.quotePrefix = str(value).startswith(FORMULA_PREFIXES)
    return cell


def write_rows(path_or_file, *, title: str, header: list[str], rows: Iterable[list[Any]]) -> int:
    """Stream `rows` into a one-sheet workbook; returns the number of data rows."""
    return write_sheets(path_or_file, [SheetSpec(title=title, header=header, rows=rows)])


def xlsx_response(content: Workbook | bytes | File, filename: str) -> HttpResponseBase:
    """A download of a workbook (saved here), its bytes, or a stored .xlsx (a job's
    result, streamed; 404 when it is gone). Named by its RFC 5987 `filename*` (Chinese
    names survive every browser), never sniffed, never kept by a browser or a proxy
    (shared lab computers)."""
    if isinstance(content, Workbook):
        buffer = io.BytesIO()
        content.save(buffer)
        content = buffer.getvalue()
    response: HttpResponseBase
    if isinstance(content, bytes | bytearray):
        response = HttpResponse(content, content_type=XLSX)
    else:
        response = private_file_response(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = PRIVATE_NO_STORE
    return response
