"""The list of students who have not done a notice's task, as .xlsx: a generator of rows
plus the one streamed writer (portal.lib.xlsx). ID numbers are masked (PIPL, docs/security.md).
The list is for staff only (notices.progress_views.pending_export): it carries the phone
and e-mail of each student's account, so that they can be reached."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.feedback import describe, load_details, sheet_records
from notices.models import Notice
from notices.selectors import pending_records, records_in_scope
from portal.lib.audit import StudentRef
from portal.lib.xlsx import Report, report_bytes
from records.exports import export_note
from records.models import EnrollmentRecord, SchoolClass


def pending_header() -> list[str]:
    return [
        _("学院"), _("班级"), _("学号"), _("姓名"), _("证件号码"), _("账号"), _("已查看"),
        _("校对情况"), _("手机号"), _("邮箱"),
    ]  # fmt: skip


def account_state(record: EnrollmentRecord) -> str:
    if record.user_id:
        return _("已绑定学籍")
    if record.has_account:
        return _("已注册，未绑定")
    return _("未注册")


def pending_rows(
    notice: Notice,
    user,
    *,
    college_id: int | None = None,
    school_class: SchoolClass | None = None,
    students: list | None = None,
) -> Iterator[list]:
    """The rows; each student listed is added to `students` (for the export's audit)."""
    records = records_in_scope(user, college_id=college_id, school_class=school_class)
    source = sheet_records(notice, pending_records(notice, records))
    loaded = list(
        source.select_related("college", "school_class")
        # The bound account's, else nothing (a LEFT JOIN, not the account's columns).
        .annotate(account_phone=F("user__phone"), account_email=F("user__email"))
        .order_by("college__code", "school_class__code", "student_number")
    )
    load_details(notice, loaded, source)
    if students is not None:
        students.extend(StudentRef(record_id=r.pk, user_id=r.user_id) for r in loaded)
    for record in loaded:
        _state, words, _brief = describe(notice, record)
        yield [
            record.college.name,
            record.school_class.name if record.school_class_id else "",
            record.student_number,
            record.name,
            record.masked_id_number,
            account_state(record),
            _("是") if record.first_viewed_at else _("否"),
            words,
            record.account_phone or "",
            record.account_email or "",
        ]


def required_title(notice: Notice, now=None) -> str:
    """A required task's list (issue 15 §2): those who still have it open, and after the
    cutoff those who did not do it in time (未按时完成); another task's: 未完成名单."""
    if not notice.is_required:
        return _("未完成名单")
    now = now or timezone.now()
    if notice.window_end and now > notice.window_end:
        return _("未按时完成名单")
    return _("必须完成任务未完成名单")


@dataclass
class ClassList:
    """One class of the required task's list: its students still open (pending_rows)."""

    name: str
    college: str
    rows: list[list] = field(default_factory=list)


def required_by_class(
    notice: Notice, user, *, students: list | None = None, **scope
) -> list[ClassList]:
    """pending_rows, grouped by class in class order: the staff page of a required task."""
    classes: dict[tuple[str, str], ClassList] = {}
    for row in pending_rows(notice, user, students=students, **scope):
        college, name = row[0], row[1]
        classes.setdefault((college, name), ClassList(name, college)).rows.append(row)
    return list(classes.values())


def pending_workbook(
    notice: Notice,
    user,
    *,
    label: str = "",
    title: str = "",
    students: list | None = None,
    **scope,
) -> bytes:
    """The list under `title` ("未完成名单" unless told), what it holds (the notice,
    `label`: the class or college chosen) and the time of export."""
    report = Report(
        title=title or _("未完成名单"),
        note=export_note(user, f"{notice.number} {notice.title}", label),
        header=pending_header(),
        rows=pending_rows(notice, user, students=students, **scope),
        text_columns=(2, 4, 8),
    )
    return report_bytes(report)
