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


@dataclass(frozen=True)
class FieldChange:
    """One field of one existing record that a (re-)import changes, as people read it:
    labels of choices, names of colleges and majors, ID numbers masked."""

    student_number: str
    name: str
    field: str  # the field's label, e.g. 民族
    old: str
    new: str

    def __str__(self) -> str:
        return _("%(number)s %(name)s：%(field)s（%(old)s → %(new)s）") % {
            "number": self.student_number,
            "name": self.name,
            "field": self.field,
            "old": self.old,
            "new": self.new,
        }


# What the organisation may gain, in the order a registrar reads it, with its label.
NEW_KINDS = ("colleges", "departments", "majors", "classes")


def new_kind_label(kind: str) -> str:
    return {
        "colleges": _("分院"),
        "departments": _("系(所、函授站)"),
        "majors": _("专业"),
        "classes": _("班级"),
    }[kind]


MAX_CHANGES = 1000  # changes kept and shown; the rest are counted (changes_more)
MAX_NAMES_SHOWN = 200  # new names shown per kind; the rest are counted


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # A 考生号 that disagrees with 录取年份 or 生源省市: shown, not refused (unless strict).
    warnings: list[RowError] = field(default_factory=list)
    institution: Institution | None = None
    institution_created: bool = False
    dry_run: bool = False
    # What changed in existing records (the first MAX_CHANGES record × field pairs) and
    # what was (or, on a dry run, would be) created: kind -> names (NEW_KINDS).
    changes: list[FieldChange] = field(default_factory=list)
    changes_more: int = 0
    new_names: dict[str, list[str]] = field(default_factory=dict)
    revoked: int = 0  # students' confirmations (正确) revoked because their record changed
    # 专升本 records linked to the 专科 degree their 专科毕业证书编号 names (prior_degrees).
    prior_linked: int = 0
    # What identifies a record in the list of changes (FieldChange.student_number).
    key_title: str = field(default_factory=lambda: _("学号"))

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_change(self, change: FieldChange) -> None:
        if len(self.changes) < MAX_CHANGES:
            self.changes.append(change)
        else:
            self.changes_more += 1

    def new_names_shown(self) -> list[tuple[str, str]]:
        """(label, "a、b、c") per kind with new names; long lists end with their count."""
        shown = []
        for kind in NEW_KINDS:
            names = self.new_names.get(kind) or []
            if not names:
                continue
            text = "、".join(names[:MAX_NAMES_SHOWN])
            if len(names) > MAX_NAMES_SHOWN:
                text += _(" 等，共 %(n)d 个") % {"n": len(names)}
            shown.append((new_kind_label(kind), text))
        return shown

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
            summary += self.counts()
        if self.warnings:
            summary.append([_("警告"), len(self.warnings)])
        return {
            "headline": headline,
            "failed": bool(self.errors),
            "summary": summary,
            "errors": _rows(self.errors[:max_errors]),
            "errors_more": max(0, len(self.errors) - max_errors),
            "warnings": _rows(self.warnings[:max_errors]),
            "warnings_more": max(0, len(self.warnings) - max_errors),
            **self._changes_dict(),
        }

    def counts(self) -> list[list[Any]]:
        """The summary's counts of an import that went through (or would, on a dry run)."""
        counts: list[list[Any]] = [
            [_("新建"), self.created],
            [_("更新"), self.updated],
            [_("未变"), self.unchanged],
        ]
        if self.revoked:
            label = _("将失效的学生确认") if self.dry_run else _("已失效的学生确认")
            counts.append([label, self.revoked])
        if self.prior_linked:
            counts.append([_("专升本学籍关联到专科学历"), self.prior_linked])
        return counts

    def _changes_dict(self) -> dict[str, Any]:
        if self.errors:
            return {}
        return {
            "key_title": self.key_title,
            "created_title": _("将新建") if self.dry_run else _("已新建"),
            "created": [list(pair) for pair in self.new_names_shown()],
            "changes_title": _("将更新的字段") if self.dry_run else _("已更新的字段"),
            "changes": [
                {
                    "student_number": c.student_number,
                    "name": c.name,
                    "field": c.field,
                    "old": c.old,
                    "new": c.new,
                }
                for c in self.changes
            ],
            "changes_more": self.changes_more,
        }


def _rows(errors: list[RowError]) -> list[dict[str, Any]]:
    return [
        {"row": e.row, "column": e.column, "header": e.header, "reason": e.reason} for e in errors
    ]
