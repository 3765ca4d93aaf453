"""Exports of records: generators of rows plus the one report writer (portal.lib.xlsx),
and what every staff export says of itself (whose, when)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Role
from portal.lib.audit import StudentRef
from portal.lib.xlsx import Report, report_bytes
from records.models import EnrollmentRecord


def scope_label(user) -> str:
    """Whose students an export of this user holds: her college, her classes or her
    institution."""
    if user.role == Role.COLLEGE and user.college_id:
        return user.college.name
    if user.role == Role.COUNSELOR:
        return _("%(name)s老师所带班级") % {"name": user.get_full_name()}
    if user.institution_id:
        return user.institution.name
    return _("全部院校")


def export_note(user, *parts: str) -> str:
    """The line under an export's title: scope, what else narrows it, time of export."""
    when = date_format(timezone.localtime(), "DATETIME_FORMAT")
    return " · ".join(
        [scope_label(user), *[p for p in parts if p], _("导出时间：%(when)s") % {"when": when}]
    )


def export_date() -> str:
    return timezone.localdate().strftime("%Y%m%d")


ROSTER_HEADER = [
    "学号", "姓名", "性别", "证件号码", "学院", "班级", "专业名称", "层次", "录取年份",
    "学籍状态", "账号绑定", "已查看", "已确认",
]  # fmt: skip


def roster_rows(
    records: QuerySet[EnrollmentRecord], progress=None, students: list | None = None
) -> Iterator[list]:
    """One row a record; ID numbers masked (docs/security.md: masked in every export). Each
    student written is added to `students` (for the export's audit event)."""
    for record in records.iterator(chunk_size=2000):
        if students is not None:
            students.append(StudentRef(record_id=record.pk, user_id=record.user_id))
        yield [
            record.student_number,
            record.name,
            record.get_sex_display(),
            record.masked_id_number,
            record.college.name,
            record.school_class.name if record.school_class else "",
            record.major.name,
            record.get_level_display(),
            record.admission_year,
            record.get_status_display(),
            "是" if record.user_id else "否",
            "是" if record.first_viewed_at else "否",
            "是" if record.is_confirmed else "否",
        ]
        if progress is not None:
            progress.advance()


def roster_workbook(
    records: QuerySet[EnrollmentRecord],
    progress=None,
    students: list | None = None,
    *,
    note: str = "",
) -> bytes:
    rows = roster_rows(records, progress, students)
    return report_bytes(
        Report(title=_("学生名单"), note=note, header=ROSTER_HEADER, rows=rows, text_columns=(0, 3))
    )
