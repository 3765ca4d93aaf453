"""Exports of records: generators of rows plus the one xlsx writer (portal.lib.xlsx)."""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.db.models import QuerySet

from portal.lib.audit import StudentRef
from records.models import EnrollmentRecord

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
    records: QuerySet[EnrollmentRecord], progress=None, students: list | None = None
) -> bytes:
    from portal.lib.xlsx import write_rows

    buffer = io.BytesIO()
    rows = roster_rows(records, progress, students)
    write_rows(buffer, title="学生名单", header=ROSTER_HEADER, rows=rows)
    return buffer.getvalue()
