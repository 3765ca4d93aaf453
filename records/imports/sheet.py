"""The first visible worksheet, read with python-calamine, and its header row."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from records.imports.columns import ROSTER, ColumnSet, header_key
from records.imports.results import RosterImportError
from records.rules.values import is_blank, words

HEADER_SEARCH_ROWS = 20  # the header may sit under a title row or two


@dataclass
class Sheet:
    rows: Iterator[tuple[int, list[Any]]]  # (Excel row number, cells from column `first_column`)
    first_column: int  # 0-based index of the first cell of each row
    last_row: int

    def letter(self, index: int) -> str:
        return get_column_letter(self.first_column + index + 1)


def open_sheet(workbook: CalamineWorkbook) -> Sheet:
    """The first visible worksheet. Cells merged down a column (a 分院 written once for
    its block of students, as offices do) count for every row they cover."""
    names = [
        meta.name
        for meta in workbook.sheets_metadata
        if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
    ]
    if not names:
        raise RosterImportError(_("工作簿中没有可见的工作表。"))
    sheet = workbook.get_sheet_by_name(names[0])
    if sheet.start is None:
        raise RosterImportError(_("第一个工作表“%(name)s”是空的。") % {"name": names[0]})
    first_column = sheet.start[1]
    merged = [
        (top, left - first_column, bottom)
        for (top, left), (bottom, _right) in sheet.merged_cell_ranges or []
        if bottom > top
    ]
    # calamine yields rows from the sheet's first row (row 1), cells from its first column.
    rows = _fill_merged(enumerate(sheet.iter_rows(), start=1), merged)
    return Sheet(rows=rows, first_column=first_column, last_row=sheet.end[0] + 1)


def _fill_merged(rows: Iterable[tuple[int, list]], merged: list[tuple[int, int, int]]):
    if not merged:
        yield from rows
        return
    anchors: dict[tuple[int, int], Any] = {}
    for line, cells in rows:
        for top, column, bottom in merged:
            if line == top + 1 and column < len(cells):
                anchors[top, column] = cells[column]
            elif top + 1 < line <= bottom + 1 and column < len(cells) and is_blank(cells[column]):
                cells[column] = anchors.get((top, column), "")
        yield line, cells


@dataclass
class Header:
    line: int
    positions: dict[str, int]  # column key -> index in the row's cells
    titles: dict[str, str]  # column key -> the header as written


def find_header(sheet: Sheet, columns: ColumnSet = ROSTER) -> Header:
    """The first row (of the first HEADER_SEARCH_ROWS) that names three of the columns."""
    for line, cells in sheet.rows:
        found: dict[str, list[int]] = {}
        for index, cell in enumerate(cells):
            key = columns.header_keys.get(header_key(cell))
            if key:
                found.setdefault(key, []).append(index)
        if len(found) >= 3:
            return _header_from(line, cells, found, sheet, columns)
        if line >= HEADER_SEARCH_ROWS:
            break
    raise RosterImportError(
        _("前 %(n)d 行中找不到表头（%(hint)s等列名）。请确认第一个工作表是%(what)s。")
        % {"n": HEADER_SEARCH_ROWS, "hint": columns.hint, "what": columns.what}
    )


def _header_from(
    line: int, cells: list, found: dict[str, list[int]], sheet: Sheet, columns: ColumnSet
) -> Header:
    twice = [key for key, indexes in found.items() if len(indexes) > 1]
    if twice:
        key = twice[0]
        letters = "、".join(sheet.letter(i) for i in found[key])
        raise RosterImportError(
            _(
                "表头（第 %(line)d 行）中“%(title)s”出现了不止一次（%(letters)s 列），请删去多余的列。"
            )
            % {"line": line, "title": columns.by_key[key].title, "letters": letters}
        )
    missing = [c.title for c in columns.columns if c.required and c.key not in found]
    if missing:
        raise RosterImportError(
            _("表头（第 %(line)d 行）缺少必填列：%(missing)s。")
            % {"line": line, "missing": "、".join(missing)}
        )
    positions = {key: indexes[0] for key, indexes in found.items()}
    titles = {key: words(cells[index], 100) for key, index in positions.items()}
    return Header(line=line, positions=positions, titles=titles)
