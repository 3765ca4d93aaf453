"""What an import returns: counts, or every wrong cell; and the one error type."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from records.models import Institution


class RosterImportError(Exception):
    """The file as a whole cannot be imported; the message (Chinese) says what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    """One wrong cell: `row` as Excel numbers it, `column` its letter, `header` its title."""

    row: int
    column: str
    header: str
    reason: str

    def __str__(self) -> str:
        if not self.column:
            return _("第 %(row)d 行：%(reason)s") % {"row": self.row, "reason": self.reason}
        return _("第 %(row)d 行，%(column)s 列（%(header)s）：%(reason)s") % {
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "reason": self.reason,
        }


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    institution: Institution | None = None
    institution_created: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self, *, max_errors: int = 1000) -> dict[str, Any]:
        """The job result shown by templates/components/_job_result.html."""
        institution = str(self.institution) if self.institution else None
        if self.institution_created:
            institution = _("%(name)s（新建）") % {"name": institution}
        summary = [[_("院校"), institution]]
        if self.errors:
            headline = _("发现 %(n)d 处错误，没有写入任何数据。请改正后重新导入。") % {
                "n": len(self.errors)
            }
            summary.append([_("错误"), len(self.errors)])
        else:
            headline = (
                _("试导入通过：名单没有错误，以下为将发生的变化，数据未写入。")
                if self.dry_run
                else _("导入完成。")
            )
            summary += [
                [_("新建"), self.created],
                [_("更新"), self.updated],
                [_("未变"), self.unchanged],
            ]
        return {
            "headline": headline,
            "failed": bool(self.errors),
            "summary": summary,
            "errors": [
                {"row": e.row, "column": e.column, "header": e.header, "reason": e.reason}
                for e in self.errors[:max_errors]
            ],
            "errors_more": max(0, len(self.errors) - max_errors),
        }
