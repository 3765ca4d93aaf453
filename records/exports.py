"""Exports of records: generators of rows plus the one report writer (portal.lib.xlsx),
and what every staff export says of itself (whose, when)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Role
from portal.lib.audit import StudentRef, log_access
from portal.lib.throttle import client_ip
from portal.lib.xlsx import Report, report_bytes, xlsx_response
from records import rules
from records.models import (
    DiscrepancyItem,
    DiscrepancyReport,
    EnrollmentRecord,
    ReportState,
    SubjectKind,
)
from records.selectors import PriorDegreeState, prior_certificate


def audited_download(request, action: str, students: list, filename: str, content: bytes):
    """The workbook as a download, its export audited: PIPL, the export names every
    student in it (`students`, filled by the rows)."""
    log_access(
        request.user,
        action,
        None,
        students=students,
        changes={"file": filename},
        label=filename,
        ip=client_ip(request),
    )
    return xlsx_response(content, filename)


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


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _field_name(name: str) -> str:
    try:
        return rules.label(name)
    except FieldDoesNotExist:  # a field renamed since the report: its stored name
        return name


# The registrar's 有误 queue as filtered ------------------------------------------------

_STATES = dict(ReportState.choices)
_KINDS = dict(SubjectKind.choices)


def queue_header() -> list[str]:
    return [
        _("提交时间"), _("学院"), _("班级"), _("学号"), _("姓名"), _("证件号码"), _("有误字段"),
        _("现有信息"), _("申请更正为"), _("状态"), _("处理人"), _("处理时间"), _("类别"),
        _("证书编号"),
    ]  # fmt: skip


def _kind(report: DiscrepancyReport) -> list[str]:
    """The last two columns: 学籍 or 学历, and a degree's certificate number."""
    if report.degree_id:
        return [_("学历"), report.degree.certificate_number]
    return [_("学籍"), ""]


def queue_rows(
    reports: QuerySet[DiscrepancyReport], students: list | None = None
) -> Iterator[list]:
    """One row a reported field; the values as others than the student see them
    (records.rules.value_for_others: an ID number masked, a birth date as its year, a
    locating value not at all), the student's ID number masked."""
    for report in reports.iterator(chunk_size=500):
        record = report.subject  # a 学籍, or a 学历 (its class: none of its own)
        if students is not None:
            students.append(StudentRef(record_id=report.record_id, user_id=record.user_id))
        school_class = getattr(record, "school_class", None)
        head = [
            _when(report.created_at),
            record.college.name if record.college else "",
            school_class.name if school_class else "",
            record.student_number,
            record.name,
            record.masked_id_number,
        ]
        tail = [
            str(report.state_label),
            report.reviewer.get_full_name() if report.reviewer else "",
            _when(report.decided_at),
            *_kind(report),
        ]
        for item in report.items.all():
            current = rules.value_for_others(item.field, item.current_value)
            claimed = rules.value_for_others(item.field, item.claimed_value)
            yield [*head, _field_name(item.field), current, claimed, *tail]


def queue_workbook(
    reports: QuerySet[DiscrepancyReport], *, note: str = "", students: list | None = None
) -> bytes:
    report = Report(
        title=_("学籍有误申请"),
        note=note,
        header=queue_header(),
        rows=queue_rows(reports, students),
        text_columns=(3, 5, 13),
    )
    return report_bytes(report)


# Accepted corrections, re-keyed into the national system (学信网) -------------------------


def corrections_header() -> list[str]:
    return [
        _("学号"), _("姓名"), _("证件号码"), _("字段"), _("原值"), _("更正为"), _("处理人"),
        _("处理时间"), _("申请编号"), _("类别"), _("证书编号"),
    ]  # fmt: skip


def corrections_rows(
    items: QuerySet[DiscrepancyItem], students: list | None = None
) -> Iterator[list]:
    """One row an accepted field, its values whole: the office keys them as they are. The ID
    number as records.rules.id_number_for_rekeying shows it beside the student's fields."""
    loaded = list(items)
    fields: dict[tuple, set[str]] = defaultdict(set)
    for item in loaded:
        fields[item.report.record_id, item.report.degree_id].add(item.field)
    if students is not None:
        students.extend(
            StudentRef(record_id=i.report.record_id, user_id=i.report.subject.user_id)
            for i in loaded
        )
    for item in loaded:
        report, record = item.report, item.report.subject
        changed = fields[report.record_id, report.degree_id]
        yield [
            record.student_number,
            record.name,
            rules.id_number_for_rekeying(record.id_number, changed),
            _field_name(item.field),
            item.current_value,
            item.claimed_value,
            report.reviewer.get_full_name() if report.reviewer else "",
            _when(report.decided_at),
            report.pk,
            *_kind(report),
        ]


def corrections_workbook(
    items: QuerySet[DiscrepancyItem], *, note: str = "", students: list | None = None
) -> bytes:
    report = Report(
        title=_("学籍更正明细"),
        note=note,
        header=corrections_header(),
        rows=corrections_rows(items, students),
        text_columns=(0, 2, 4, 5, 10),
    )
    return report_bytes(report)


def queue_filter_words(filters: dict) -> list[str]:
    """The queue's filters as the export's note says them (QueueFilterForm's data)."""
    words = [_("状态：%(s)s") % {"s": _STATES.get(filters.get("state") or "", _("全部"))}]
    if filters.get("kind"):
        words.append(_("类别：%(k)s") % {"k": _KINDS.get(filters["kind"], filters["kind"])})
    if filters.get("college"):
        words.append(filters["college"].name)
    if filters.get("school_class"):
        words.append(_("班级：%(c)s") % {"c": filters["school_class"]})
    if filters.get("field"):
        words.append(_("字段：%(f)s") % {"f": _field_name(filters["field"])})
    if filters.get("older_than"):
        words.append(_("已等待不少于 %(n)d 天") % {"n": filters["older_than"]})
    return words


# 专升本: the students whose prior 专科 degree is not found, not bound or not confirmed ----------


def prior_degree_header() -> list[str]:
    return [
        _("学号"), _("姓名"), _("证件号码"), _("学院"), _("班级"), _("专科毕业证书编号"),
        _("专科毕业院校"), _("专科毕业日期"), _("专科学历状态"),
    ]  # fmt: skip


def prior_degree_rows(
    records: QuerySet[EnrollmentRecord], students: list | None = None
) -> Iterator[list]:
    """One row a 专升本 student (records.selectors.zsb_records); the ID number masked."""
    for record in records.iterator(chunk_size=1000):
        if students is not None:
            students.append(StudentRef(record_id=record.pk, user_id=record.user_id))
        degree = record.prior_degree
        yield [
            record.student_number,
            record.name,
            record.masked_id_number,
            record.college.name,
            record.school_class.name if record.school_class else "",
            prior_certificate(record),
            degree.institution.name if degree else "",
            degree.graduation_date.isoformat() if degree else "",
            str(PriorDegreeState(record.prior_state).label),
        ]


def prior_degree_workbook(
    records: QuerySet[EnrollmentRecord], *, note: str = "", students: list | None = None
) -> bytes:
    report = Report(
        title=_("专升本学生专科学历名单"),
        note=note,
        header=prior_degree_header(),
        rows=prior_degree_rows(records, students),
        text_columns=(0, 2, 5),
    )
    return report_bytes(report)
