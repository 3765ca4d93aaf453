"""The steps every import of the framework takes alike (the roster's, records.imports;
the degrees', records.imports.degrees): whose institution a user may import, reading the
first sheet row by row into a RowReader with progress, and the order errors are listed in.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from accounts.models import Role
from records.imports.columns import ColumnSet
from records.imports.results import RosterImportError, RowError
from records.imports.sheet import Header, Sheet, find_header, open_sheet
from records.imports.validation import RowReader
from records.models import Institution

PROGRESS_STEP = 500


class Progress:
    """Reports to a job's progress (portal.lib.jobs.JobProgress), if any: the first half of
    the bar is validation, the second half the write."""

    def __init__(self, progress):
        self.target, self.rows = progress, 0

    def start(self, rows: int) -> None:
        self.rows = max(rows, 1)
        if self.target is not None:
            self.target.set_total(2 * self.rows, message=_("正在校验…"))

    def writing(self) -> None:
        # Written before the transaction opens: the page sees it while the rows go in.
        if self.target is not None:
            self.target.set_total(2 * self.rows, message=_("校验通过，正在写入…"))

    def finish(self, message: str, *, validated_only: bool = False) -> None:
        # The last message stays on the job page: it must say how the import ended.
        if self.target is not None:
            total = self.rows if validated_only else 2 * self.rows
            self.target.set_total(total, message=message)
            self.target.finish(message)

    def step(self, n: int, message: str) -> None:
        if self.target is not None and n > 0:
            self.target.advance(n, message=message)


def import_scope(by) -> Institution | None:
    """A registrar imports their own institution's files only; the command (no user)
    and administrators may import any."""
    if by is None or by.is_superuser or by.role != Role.REGISTRAR:
        return None
    if by.institution_id is None:
        raise RosterImportError(_("您的账号没有关联院校，不能导入名单。请联系系统管理员。"))
    return by.institution


def read_rows(
    path: Path,
    columns: ColumnSet,
    reader: Callable[[Sheet, Header], RowReader],
    progress: Progress,
) -> RowReader:
    """Phase 1 over the first visible sheet: every row given to the reader that
    `reader(sheet, header)` makes."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = open_sheet(workbook)
    except CalamineError as exc:
        raise RosterImportError(
            _("无法读取该工作簿，文件可能已损坏。请在 Excel 中打开并另存为 .xlsx 后重试。")
        ) from exc
    with contextlib.closing(workbook):
        header = find_header(sheet, columns)
        validator = reader(sheet, header)
        progress.start(sheet.last_row - header.line)
        for count, (line, cells) in enumerate(sheet.rows, start=1):
            validator.add(line, cells)
            if count % PROGRESS_STEP == 0:
                progress.step(PROGRESS_STEP, _("正在校验…"))
    progress.step(progress.rows % PROGRESS_STEP, _("校验完毕"))
    return validator


def by_cell(error: RowError) -> tuple:
    """Errors in the order a person fixes them: by row, then column (A before AA)."""
    return (error.row, len(error.column), error.column)
