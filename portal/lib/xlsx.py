"""Writing spreadsheets safely: streamed (write-only) and free of formula injection."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

# Cells that Excel or LibreOffice would read as a formula or a command (docs/quality.md).
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
