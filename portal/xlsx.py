"""Writing spreadsheets safely: streamed (write-only) and free of formula injection."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

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


def write_rows(path_or_file, *, title: str, header: list[str], rows: Iterable[list[Any]]) -> int:
    """Stream `rows` into a one-sheet workbook; returns the number of data rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([safe_cell(sheet, value) for value in row])
        count += 1
    workbook.save(path_or_file)
    return count
