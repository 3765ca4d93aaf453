"""Writing spreadsheets safely: streamed (write-only) and free of formula injection;
and the one way a view answers with one (xlsx_response)."""

from __future__ import annotations

import io
import itertools
import re
import unicodedata
from collections.abc import Collection, Iterable
from copy import copy
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.core.files import File
from django.http import HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

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


# Characters a sheet name may not hold (Excel refuses the workbook).
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

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


# --- Reports: a staff export as a person prints it ----------------------------------------

REPORT_FONT = "宋体"
A4 = "9"
SAMPLE_ROWS = 500  # the rows read ahead to size the columns; later ones wrap if wider
MIN_WIDTH, MAX_WIDTH = 6, 40  # character units
LANDSCAPE_FROM = 110  # a table wider than this (character units) prints landscape
HEADER_ROW = 3


@dataclass
class Report:
    """A list a member of staff downloads to read, file or print: a title, a line saying
    what it holds (scope, time), the header, the rows."""

    title: str
    header: list[str]
    rows: Iterable[list[Any]]
    note: str = ""
    text_columns: Collection[int] = ()  # 0-based: numbers kept as typed (学号, 证件号码)


def display_width(text: Any) -> int:
    """Width in character units as a spreadsheet shows it: a Chinese character takes two."""
    if text is None:
        return 0
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def _column_widths(header: list[str], sample: list[list[Any]]) -> list[float]:
    widths: list[float] = []
    for index, title in enumerate(header):
        cells = [display_width(title)] + [
            display_width(row[index]) for row in sample if index < len(row)
        ]
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, max(cells) + 2)))
    return widths


THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def cell_styles(workbook, *, font: str, size: float, **kinds: dict) -> dict[str, Any]:
    """Each kind of cell styled once, by its attributes (font, border, alignment …; the
    font defaults to `font` at `size`): cells then copy the style (styled_cell), which is
    what keeps a workbook of 20,000 styled rows fast in write-only mode."""
    scratch = workbook.create_sheet("_")
    styles = {}
    for kind, attributes in kinds.items():
        cell = WriteOnlyCell(scratch)
        for name, value in {"font": Font(name=font, size=size), **attributes}.items():
            setattr(cell, name, value)
        styles[kind] = cell._style
    workbook.remove(scratch)
    return styles


def styled_cell(sheet, value: Any, style, *, text: bool = False) -> WriteOnlyCell:
    """A write-only cell in one of cell_styles' styles. Text that looks like a formula is
    stored as text (docs/security.md); `text` stores any value as text (学号, 证件号码)."""
    cell = WriteOnlyCell(sheet, value=None if value is None else (str(value) if text else value))
    cell._style = copy(style)
    if isinstance(cell.value, str) and (text or cell.value.startswith(FORMULA_PREFIXES)):
        cell.data_type = "s"  # never a formula, whatever it starts with
        cell.quotePrefix = cell.value.startswith(FORMULA_PREFIXES)
    return cell


def _report_styles(workbook) -> dict[str, Any]:
    middle = Alignment(vertical="center", wrap_text=True)
    return cell_styles(
        workbook,
        font=REPORT_FONT,
        size=10,
        title={
            "font": Font(name=REPORT_FONT, size=14, bold=True),
            "alignment": Alignment(horizontal="center", vertical="center"),
        },
        note={"alignment": Alignment(vertical="center")},
        header={
            "font": Font(name=REPORT_FONT, size=10, bold=True),
            "border": BOX,
            "fill": PatternFill("solid", fgColor="E8E8E8"),
            "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
        },
        cell={"border": BOX, "alignment": middle},
        text={"border": BOX, "alignment": middle, "number_format": TEXT},
    )


def write_report(path_or_file, report: Report) -> int:
    """One sheet, printable as is: the title over the table, what it holds, the header
    (bold, shaded, repeated on every printed page, with a filter), every cell boxed,
    columns as wide as their content (up to MAX_WIDTH, then wrapped), A4 fitted to the
    page width, landscape when the table is wide, page numbers in the footer. Rows are
    streamed; the first SAMPLE_ROWS size the columns. Returns the number of data rows."""
    return write_reports(path_or_file, [report])


def write_reports(path_or_file, reports: list[Report]) -> int:
    """Several reports in one workbook, a sheet each (write_report's layout); returns the
    number of data rows of them all."""
    workbook = Workbook(write_only=True)
    styles = _report_styles(workbook)
    count = sum(_write_report_sheet(workbook, styles, report) for report in reports)
    workbook.save(path_or_file)
    return count


def _write_report_sheet(workbook, styles: dict[str, Any], report: Report) -> int:
    sheet = workbook.create_sheet(SHEET_NAME_FORBIDDEN.sub("", report.title)[:31] or "Sheet1")
    rows = iter(report.rows)
    sample = list(itertools.islice(rows, SAMPLE_ROWS))
    widths = _column_widths(report.header, sample)
    for index, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    # Before the first row: a write-only sheet writes its properties ahead of the rows.
    _report_page_setup(sheet, landscape=sum(widths) > LANDSCAPE_FROM)
    last = get_column_letter(len(report.header))
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.merged_cells.add(f"A2:{last}2")
    sheet.row_dimensions[1].height = 28
    sheet.append([styled_cell(sheet, report.title, styles["title"])])
    sheet.append([styled_cell(sheet, report.note or None, styles["note"])])
    sheet.append([styled_cell(sheet, title, styles["header"]) for title in report.header])
    count = 0
    for row in itertools.chain(sample, rows):
        sheet.append(
            [
                styled_cell(sheet, value, styles["text"], text=True)
                if index in report.text_columns and value is not None
                else styled_cell(sheet, value, styles["cell"])
                for index, value in enumerate(row)
            ]
        )
        count += 1
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + count}"
    return count


def _report_page_setup(sheet, *, landscape: bool) -> None:
    sheet.page_setup.paperSize = A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages tall as the list needs
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_options.horizontalCentered = True
    margins = sheet.page_margins
    margins.left = margins.right = 0.4
    # The footer needs its own height under the table: LibreOffice clips it otherwise.
    margins.top, margins.bottom = 0.5, 0.8
    margins.header, margins.footer = 0.3, 0.3
    sheet.oddFooter.center.text = _("第 &P 页，共 &N 页")


def download_name(*parts: Any) -> str:
    """The name a person would give the file: its parts joined by "-" (学生名单-信息工程学院-
    20261205.xlsx), without path or shell characters, at most 120 characters."""
    raw = "-".join(str(part) for part in parts if part not in (None, ""))
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", raw).strip("._-")
    return f"{safe[:120] or 'export'}.xlsx"


def report_bytes(*reports: Report) -> bytes:
    """One report, or several as the sheets of one workbook, as the bytes of an .xlsx."""
    buffer = io.BytesIO()
    write_reports(buffer, list(reports))
    return buffer.getvalue()


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
