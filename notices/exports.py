"""The feedback sheet as a print-ready workbook (seed 004, 附件 2).

One worksheet per class: the title, the class line, the table with borders (序号, 学号,
姓名, 校对结果, 本人签名 wide enough to sign), and seed 004's footer: 辅导员签名,
学院领导 and 学院（公章） with blank room to sign and stamp by hand, and under them, small,
the electronic signatures the portal holds (who, when, the leader's opinion). A4 portrait,
the title rows repeated on every printed page, fitted to the page width.

Layout, in points: title rows 30 + 20 + 32, data rows 24, footer 6 + 44 + 14, on 749 pt
of printable A4 height (top 0.6", bottom 0.7"): 25 data rows and the footer fit one page
and a class of 40 takes two (tests/notices/test_sheet_pdf.py checks it with LibreOffice).

Written in openpyxl's write-only mode, which streams rows and still supports print
titles, page set-up and merged cells. Every cell goes through portal.lib.xlsx.styled_cell:
a name or remark beginning with = + - @ is stored as text, never as a formula.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.properties import PageSetupProperties

from notices.feedback import SheetRow
from notices.models import FeedbackSheet, Notice, NoticeTask
from portal.lib.xlsx import (
    BOX,
    SHEET_NAME_FORBIDDEN,
    cell_styles,
    display_width,
    download_name,
    styled_cell,
)
from records.models import SchoolClass

WIDTHS = (6, 15, 11, 44, 18)  # 序号, 学号, 姓名, 校对结果, 本人签名 (character units)
RESULT_WIDTH = WIDTHS[3]
TITLE_HEIGHTS = (30, 20, 32)
ROW_HEIGHT = 24  # room for a handwritten signature
LINE_HEIGHT = 15
FOOTER_GAP, FOOTER_HEIGHT, SIGNED_HEIGHT = 6, 44, 14  # gap, room to sign, e-signatures
FONT = "宋体"
A4 = "9"

TITLES = {
    NoticeTask.RECORD_CHECK: gettext_lazy("学籍信息自查反馈表"),
    NoticeTask.PHOTO_CHECK: gettext_lazy("高等教育学历电子注册图像信息校对反馈表"),
    NoticeTask.BOTH: gettext_lazy("学籍信息自查及图像信息校对反馈表"),
}


def sheet_title(notice: Notice) -> str:
    """The form's title, with the cohorts the notice is for: "…反馈表（2018、2019 届）"."""
    base = str(TITLES.get(notice.task, _("校对反馈表")))
    rules = list(notice.audience.all())
    years = sorted({r.graduation_year for r in rules if r.graduation_year})
    cohorts = sorted({r.cohort for r in rules if r.cohort})
    if years:
        return base + "（" + "、".join(map(str, years)) + _(" 届") + "）"
    if cohorts:
        return base + "（" + "、".join(map(str, cohorts)) + _(" 级") + "）"
    return base


def class_line(school_class: SchoolClass) -> str:
    return _("班级名称：%(name)s") % {"name": school_class.full_name}


def row_height(text: str) -> float:
    """A data row tall enough for its 校对结果, wrapped in its column."""
    lines = max(1, math.ceil(display_width(text) / (RESULT_WIDTH - 2)))
    return max(ROW_HEIGHT, lines * LINE_HEIGHT + 6)


@dataclass
class _Styles:
    title: object
    line: object
    header: object
    center: object
    text: object
    wrap: object
    footer: object
    signed: object


class FeedbackWorkbook:
    """Add one class after another, then save: `FeedbackWorkbook(notice).add_class(…)`."""

    def __init__(self, notice: Notice):
        self.notice = notice
        self.title = sheet_title(notice)
        self.workbook = Workbook(write_only=True)
        self._names: set[str] = set()
        self._styles = self._make_styles()

    def _make_styles(self) -> _Styles:
        middle = Alignment(vertical="center", wrap_text=True)
        styles = cell_styles(
            self.workbook,
            font=FONT,
            size=11,
            title={
                "font": Font(name=FONT, size=16, bold=True),
                "alignment": Alignment(horizontal="center", vertical="center"),
            },
            line={"alignment": Alignment(vertical="center")},
            header={
                "font": Font(name=FONT, size=11, bold=True),
                "border": BOX,
                "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
            },
            center={"border": BOX, "alignment": Alignment(horizontal="center", vertical="center")},
            text={"border": BOX, "alignment": Alignment(vertical="center")},
            wrap={"border": BOX, "alignment": middle},
            footer={
                "font": Font(name=FONT, size=11, bold=True),
                "alignment": Alignment(vertical="top", wrap_text=True),
            },
            signed={
                "font": Font(name=FONT, size=8, color="555555"),
                "alignment": Alignment(vertical="top", wrap_text=True, shrink_to_fit=True),
            },
        )
        return _Styles(**styles)

    def _sheet_name(self, school_class: SchoolClass) -> str:
        base = SHEET_NAME_FORBIDDEN.sub("", school_class.name).strip("'")[:31] or "班级"
        name, n = base, 1
        while name in self._names:
            n += 1
            suffix = f"({n})"
            name = base[: 31 - len(suffix)] + suffix
        self._names.add(name)
        return name

    def add_class(
        self, school_class: SchoolClass, rows: list[SheetRow], sheet: FeedbackSheet | None
    ) -> None:
        ws = self.workbook.create_sheet(self._sheet_name(school_class))
        self._page_setup(ws)
        s = self._styles
        for index, width in enumerate(WIDTHS):
            ws.column_dimensions[chr(ord("A") + index)].width = width
        for index, height in enumerate(TITLE_HEIGHTS, start=1):
            ws.row_dimensions[index].height = height
        ws.merged_cells.add("A1:E1")
        ws.merged_cells.add("A2:C2")
        ws.merged_cells.add("D2:E2")
        ws.append([styled_cell(ws, self.title, s.title)] + [styled_cell(ws, None, s.title)] * 4)
        college = school_class.college.name if school_class.college_id else ""
        ws.append(
            [styled_cell(ws, class_line(school_class), s.line), None, None]
            + [styled_cell(ws, f"{college}  {self.notice.number}", s.line)]
        )
        header = [_("序号"), _("学号"), _("姓名"), self._result_header(), _("本人签名")]
        ws.append([styled_cell(ws, text, s.header) for text in header])
        for number, row in enumerate(rows, start=4):
            text = row.result_text
            ws.row_dimensions[number].height = row_height(text)
            ws.append(
                [
                    styled_cell(ws, row.number, s.center),
                    styled_cell(ws, row.student_number, s.center),
                    styled_cell(ws, row.name, s.text),
                    styled_cell(ws, text, s.wrap),
                    styled_cell(ws, None, s.text),
                ]
            )
        self._footer(ws, len(rows) + 4, sheet)

    def _result_header(self) -> str:
        return _("校对结果（无异常填“无误”，异常情况请如实填写异常内容）")

    def _footer(self, ws, row: int, sheet: FeedbackSheet | None) -> None:
        """Seed 004's line, with room to sign and stamp by hand; the portal's electronic
        signatures small under it, never in the blanks."""
        s = self._styles
        ws.row_dimensions[row].height = FOOTER_GAP
        ws.append([])
        row += 1
        ws.row_dimensions[row].height = FOOTER_HEIGHT
        ws.merged_cells.add(f"A{row}:C{row}")
        ws.append(
            [styled_cell(ws, _("辅导员签名："), s.footer), None, None]
            + [
                styled_cell(ws, _("学院领导："), s.footer),
                styled_cell(ws, _("学院（公章）"), s.footer),
            ]
        )
        row += 1
        ws.row_dimensions[row].height = SIGNED_HEIGHT
        ws.merged_cells.add(f"A{row}:C{row}")
        ws.append(
            [styled_cell(ws, _signature(sheet, "counselor", self.notice), s.signed), None, None]
            + [styled_cell(ws, _signature(sheet, "leader", self.notice), s.signed), None]
        )

    def _page_setup(self, ws) -> None:
        ws.page_setup.paperSize = A4
        ws.page_setup.orientation = "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages tall as the class needs
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_title_rows = "1:3"
        ws.print_options.horizontalCentered = True
        margins = ws.page_margins
        margins.left = margins.right = 0.5
        margins.top, margins.bottom = 0.6, 0.7
        margins.header, margins.footer = 0.3, 0.3
        ws.oddFooter.center.text = _("第 &P 页，共 &N 页")

    def save(self, target) -> None:
        self.workbook.save(target)

    def content(self) -> bytes:
        buffer = io.BytesIO()
        self.save(buffer)
        return buffer.getvalue()


_OVERDUE = {"counselor": gettext_lazy("逾期未签名"), "leader": gettext_lazy("逾期未上交")}


def _signature(sheet: FeedbackSheet | None, who: str, notice: Notice) -> str | None:
    """The electronic signature the portal holds: "电子签名：张老师 2026-12-04 13:27", the
    leader's with her opinion; while unsigned, 逾期 once the sheets' deadline has passed
    (seed 004: 逾期不再受理), else None (the line stays blank). A counselor's signature on
    rows that changed since (`sheet.changes`, notices.feedback.attach_changes) says so."""
    signed_at = getattr(sheet, f"{who}_signed_at", None) if sheet is not None else None
    if not signed_at:
        return str(_OVERDUE[who]) if sheet is not None and sheet.is_late(notice) else None
    when = timezone.localtime(signed_at).strftime("%Y-%m-%d %H:%M")
    text = _("电子签名：%(name)s %(when)s") % {"name": getattr(sheet, f"{who}_name"), "when": when}
    if who == "counselor" and sheet.needs_new_signature:
        # The rows printed are today's, not those she signed: her signature does not stand.
        return _("签名后有变化，待辅导员重新签名（原%(signature)s）") % {"signature": text}
    if who == "leader" and sheet.leader_opinion:
        text += _("，意见：%(opinion)s") % {"opinion": sheet.leader_opinion}
    return text


def class_workbook(sheet: FeedbackSheet, rows: list[SheetRow]) -> bytes:
    book = FeedbackWorkbook(sheet.notice)
    book.add_class(sheet.school_class, rows, sheet)
    return book.content()


def filename_for(notice: Notice, label: str) -> str:
    """反馈表-<number>-<class or college>.xlsx (portal.lib.xlsx.download_name)."""
    return download_name(_("反馈表"), notice.number, label)
