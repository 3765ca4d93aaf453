"""The rows of a class feedback sheet (反馈表, seed 004 附件 2), filled from what each
student did: "无误", the anomaly in words, or "未校对".

Rows are in ascending student number (seed 004: 按学号由小到大的顺序). A whole college
is read in a constant number of queries and grouped by class here, so that a workbook of
120 classes costs what one class costs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from imaging.models import DisputeReason, Photo, PhotoKind, PhotoState, PhotoVerification
from notices import done
from notices.models import FeedbackRemark, FeedbackSheet, Notice
from notices.selectors import audience_q, record_is_done, with_task_flags
from portal.lib.audit import StudentRef
from records.models import (
    CheckResult,
    College,
    DiscrepancyReport,
    EnrollmentRecord,
    RecordStatus,
    ReportState,
    SchoolClass,
)
from records.rules import label as field_label
from records.rules import value_for_others
from records.self_check import check_state

OK, ANOMALY, MISSING = "ok", "anomaly", "missing"


@dataclass
class SheetRow:
    """One row: 序号, 学号, 姓名, 校对结果, and words the monitor or counselor added.

    `result` is what staff read (reported values as records.rules
    .value_for_others shows them: ID numbers masked); `brief` the same without any
    reported value, for the class monitor, a classmate (without_values)."""

    number: int
    student_number: str
    name: str
    result: str
    state: str
    remark: str = ""
    brief: str = ""
    record_id: int | None = None
    done: bool = False
    record: EnrollmentRecord | None = field(default=None, repr=False, compare=False)

    @property
    def result_text(self) -> str:
        """校对结果 as printed: the portal's words, then the added words."""
        return f"{self.result}；{self.remark}" if self.remark else self.result

    def as_signed(self) -> dict:
        data = asdict(self)
        data.pop("record")
        return data

    @classmethod
    def from_signed(cls, data: dict) -> SheetRow:
        # Every signed row keeps its brief (rows signed before: notices migration 0005).
        return cls(**data)

    def without_values(self) -> SheetRow:
        """The row as the class monitor sees it: which field was reported, no values."""
        return replace(self, result=self.brief)


def without_values(rows: list[SheetRow], *, staff: bool) -> list[SheetRow]:
    """`rows` as a viewer sees them: staff whole, a student (the monitor) without values."""
    return rows if staff else [row.without_values() for row in rows]


def row_students(rows: list[SheetRow]) -> list[StudentRef]:
    """The students a sheet's rows name, for the audit of who saw them (a signed row keeps
    its record id only; a live row has the record and so the account)."""
    return [
        StudentRef(record_id=row.record_id, user_id=row.record.user_id if row.record else None)
        for row in rows
        if row.record_id is not None
    ]


def student_number_key(number: str) -> tuple:
    """Ascending student number, numerically when the numbers are digits of mixed length."""
    return (0, len(number), number) if number.isdigit() else (1, 0, number)


# Reading the records --------------------------------------------------------------------


SHEET_FIELDS = (
    "institution", "college", "school_class", "student_number", "name", "id_type", "id_number",
    "admission_year", "expected_graduation", "level", "status", "user", "first_viewed_at",
)  # fmt: skip


def sheet_records(notice: Notice, records: QuerySet[EnrollmentRecord]) -> QuerySet:
    """The notice's records among `records`, with the flags of what each student did."""
    return with_task_flags(records.filter(audience_q(notice))).only(*SHEET_FIELDS)


@dataclass(frozen=True)
class PhotoInfo:
    """What the sheet says of one current photo; the verification only when disputed."""

    kind: str
    state: str
    reason: str = ""
    comment: str = ""


def load_details(notice: Notice, records: list[EnrollmentRecord], source: QuerySet) -> None:
    """Attach `sheet_reports` and `sheet_photos` to each record, in a fixed number of
    queries. `source` is the records' queryset, used as a subquery (no list of ids)."""
    ids = source.values("pk")
    by_record = {r.pk: r for r in records}
    for record in records:
        record.sheet_reports, record.sheet_photos = [], []
    if notice.asks_record_check:
        reports = DiscrepancyReport.objects.filter(
            record__in=ids,
            state__in=(ReportState.SUBMITTED, ReportState.ACCEPTED, ReportState.REJECTED),
        )
        for report in reports.order_by("created_at", "pk").prefetch_related("items"):
            if report.record_id in by_record:
                by_record[report.record_id].sheet_reports.append(report)
    if notice.asks_photo_check:
        _load_photos(ids, by_record)


def _load_photos(ids, by_record: dict[int, EnrollmentRecord]) -> None:
    photos = Photo.objects.filter(record__in=ids, is_current=True).order_by("kind", "pk")
    rows = list(photos.values_list("pk", "record_id", "kind", "state"))
    disputed = [pk for pk, _r, _k, state in rows if state == PhotoState.DISPUTED]
    words = {
        v.photo_id: (v.reason, v.comment)
        for v in PhotoVerification.objects.filter(photo_id__in=disputed).order_by("pk")
    }
    for pk, record_id, kind, state in rows:
        if record_id in by_record:
            reason, comment = words.get(pk, ("", ""))
            by_record[record_id].sheet_photos.append(PhotoInfo(kind, state, reason, comment))


def _remarks(notice: Notice, source: QuerySet) -> dict[int, str]:
    remarks = FeedbackRemark.objects.filter(sheet__notice=notice, record__in=source.values("pk"))
    return dict(remarks.values_list("record_id", "text"))


def _read(notice: Notice, records: QuerySet) -> tuple[list[EnrollmentRecord], dict[int, str]]:
    source = sheet_records(notice, records)
    loaded = list(source)
    load_details(notice, loaded, source)
    return loaded, _remarks(notice, source)


def class_rows(notice: Notice, school_class: SchoolClass) -> list[SheetRow]:
    """The live rows of one class."""
    records, remarks = _read(notice, EnrollmentRecord.objects.filter(school_class=school_class))
    return rows_for(notice, records, remarks)


def college_rows(notice: Notice, college: College) -> list[tuple[SchoolClass, list[SheetRow]]]:
    """Every class of the college that the notice is for, in class order, with its rows."""
    records, remarks = _read(
        notice, EnrollmentRecord.objects.filter(college=college, school_class__isnull=False)
    )
    by_class: dict[int, list[EnrollmentRecord]] = {}
    for record in records:
        by_class.setdefault(record.school_class_id, []).append(record)
    classes = (
        SchoolClass.objects.filter(pk__in=list(by_class))
        .select_related("college")
        .order_by("cohort", "code")
    )
    return [(c, rows_for(notice, by_class[c.pk], remarks)) for c in classes]


def rows_for(notice: Notice, records: list[EnrollmentRecord], remarks: dict) -> list[SheetRow]:
    """The sheet's rows, worded in the portal's language whatever the reader's: the 反馈表
    is seed 004's Chinese form, and the rows kept with a signature are compared word for
    word with today's (changes_since_signature), which must not change with a browser's
    language."""
    ordered = sorted(records, key=lambda r: student_number_key(r.student_number))
    rows = []
    for number, record in enumerate(ordered, start=1):
        with translation.override(settings.LANGUAGE_CODE):
            state, result, brief = describe(notice, record)
        rows.append(
            SheetRow(
                number=number,
                student_number=record.student_number,
                name=record.name,
                result=result,
                state=state,
                remark=remarks.get(record.pk, ""),
                brief=brief,
                record_id=record.pk,
                done=record_is_done(notice, record),
                record=record,
            )
        )
    return rows


def rows_of_sheet(sheet: FeedbackSheet, live: list[SheetRow] | None = None) -> list[SheetRow]:
    """What the sheet says: the rows as handed in once the college has countersigned (the
    record of what was handed in never changes); until then the students' states as they
    are now (`live`, read if not given), the counselor's signature notwithstanding."""
    if sheet.is_handed_in and sheet.signed_rows is not None:
        return [SheetRow.from_signed(row) for row in sheet.signed_rows]
    return live if live is not None else class_rows(sheet.notice, sheet.school_class)


@dataclass(frozen=True)
class RowChange:
    """A student whose 校对结果 is not what was signed: before (as signed) and now."""

    student_number: str
    name: str
    before: str
    after: str


def changes_since_signature(sheet: FeedbackSheet, live: list[SheetRow]) -> list[RowChange]:
    """The rows of `live` that differ from the rows signed (by the counselor, or as handed
    in): 签名后有变化 before the college countersigns, 交表后有变化 after. Staff read it."""
    if sheet.signed_rows is None:
        return []
    signed = {row["record_id"]: SheetRow.from_signed(row) for row in sheet.signed_rows}
    now = {row.record_id: row for row in live}
    changes = []
    for record_id in sorted(set(signed) | set(now), key=lambda pk: _order(signed, now, pk)):
        before, after = signed.get(record_id), now.get(record_id)
        if before and after and before.result_text == after.result_text:
            continue
        row = after or before
        changes.append(
            RowChange(
                student_number=row.student_number,
                name=row.name,
                before=before.result_text if before else _("（签名时不在表中）"),
                after=after.result_text if after else _("（已不在本班）"),
            )
        )
    return changes


def attach_changes(notice: Notice, sheets: list[FeedbackSheet]) -> None:
    """Set `changes` (changes_since_signature) on each signed sheet of `sheets`: the live
    rows of all their classes read at once, so a page of 120 classes costs what one does."""
    signed = [sheet for sheet in sheets if sheet.signed_rows is not None]
    if not signed:
        return
    class_ids = [sheet.school_class_id for sheet in signed]
    records, remarks = _read(notice, EnrollmentRecord.objects.filter(school_class_id__in=class_ids))
    by_class: dict[int, list[EnrollmentRecord]] = {}
    for record in records:
        by_class.setdefault(record.school_class_id, []).append(record)
    for sheet in signed:
        live = rows_for(notice, by_class.get(sheet.school_class_id, []), remarks)
        sheet.changes = changes_since_signature(sheet, live)


def _order(signed: dict, now: dict, record_id) -> tuple:
    row = now.get(record_id) or signed[record_id]
    return student_number_key(row.student_number)


# The words ------------------------------------------------------------------------------


# A part of 校对结果 in two wordings: with the reported values as others may see them, and
# the brief (only which field was reported, for the class monitor).
Words = tuple[str, str]


def _same(text: str) -> Words:
    return text, text


@dataclass
class _Parts:
    anomalies: list[Words] = field(default_factory=list)
    missing: list[Words] = field(default_factory=list)
    untouched: list[Words] = field(default_factory=list)  # parts the student never started

    def joined(self, *groups: list[Words]) -> Words:
        words = [part for group in groups for part in group]
        return "；".join(w for w, _b in words), "；".join(b for _w, b in words)


def describe(notice: Notice, record: EnrollmentRecord) -> tuple[str, str, str]:
    """(state, 校对结果, brief) for one annotated, prefetched record (sheet_records): the
    reported values as others may see them, and the brief with only which field was
    reported (SheetRow.brief); both from one pass over the record."""
    parts = _Parts()
    if notice.asks_record_check:
        _record_part(record, parts)
    if notice.asks_photo_check:
        _photo_part(record, parts)
    if parts.anomalies:
        return ANOMALY, *parts.joined(parts.anomalies, parts.missing, parts.untouched)
    if not parts.missing and not parts.untouched:
        return OK, *_same(_("无误"))
    if not parts.missing and len(parts.untouched) == _task_parts(notice):
        return MISSING, *_same(_("未校对"))
    return MISSING, *parts.joined(parts.missing, parts.untouched)


def _task_parts(notice: Notice) -> int:
    return int(notice.asks_record_check) + int(notice.asks_photo_check)


def _record_part(record: EnrollmentRecord, parts: _Parts) -> None:
    reports = getattr(record, "sheet_reports", [])
    latest = reports[-1] if reports else None
    if record.has_open_report and latest is not None and latest.state == ReportState.SUBMITTED:
        parts.anomalies.append(_report_words(latest))
    elif done.degree_counts(record):
        _degree_part(record, parts)  # a graduate checks her 学历 (notices.done)
    elif not check_state(record).checkable:
        # 学籍异动 (seed 004) in words; such a record is not "未校对" (records.self_check).
        parts.anomalies.append(_same(_sheet_status_words(record)))
    elif record.is_confirmed:
        pass
    elif latest is not None and latest.state == ReportState.ACCEPTED:
        parts.missing.append(_same(_("学籍信息已更正，待本人再次确认")))
    elif latest is not None and latest.state == ReportState.REJECTED:
        parts.missing.append(_same(_("有误申请未通过，待本人确认")))
    else:
        parts.untouched.append(_same(_("学籍信息未校对")))
    if done.prior_degree_to_check(record):  # 专升本: her 专科 degree too (notices.done)
        parts.missing.append(_same(_("专科学历未校对")))


def _degree_part(record: EnrollmentRecord, parts: _Parts) -> None:
    if record.degree_result == CheckResult.REPORTED:
        parts.anomalies.append(_same(_("学历信息有误，待学籍管理部门处理")))
    elif record.degree_result != CheckResult.CONFIRMED:
        parts.untouched.append(_same(_("学历信息未校对")))


def _sheet_status_words(record: EnrollmentRecord) -> str:
    if record.status == RecordStatus.UNREGISTERED:
        return _("学籍尚未注册，注册后再校对")
    return _("学籍状态为“%(status)s”，无需校对") % {"status": record.get_status_display()}


def _report_words(report: DiscrepancyReport) -> Words:
    """学籍 anomaly in words: the field with the current and claimed values as others may
    see them (records.rules.value_for_others: an ID number masked, a birth date as its
    year, a 生源 place not at all), and the field alone."""
    items = sorted(report.items.all(), key=lambda item: item.pk)
    words = [_item_words(item) for item in items]
    if not words:
        return _same(_("学籍信息有误"))
    return "；".join(w for w, _b in words), "；".join(b for _w, b in words)


def _item_words(item) -> Words:
    name = _field_name(item.field)
    brief = _("%(field)s有误") % {"field": name}
    current = value_for_others(item.field, item.current_value)
    if current is None:
        return brief, brief
    return _("%(field)s有误：现为“%(current)s”，应为“%(claimed)s”") % {
        "field": name,
        "current": current or _("空"),
        "claimed": value_for_others(item.field, item.claimed_value),
    }, brief


def _field_name(name: str) -> str:
    try:
        return field_label(name)
    except FieldDoesNotExist:  # a field renamed since the report: show its stored name
        return name


def _photo_part(record: EnrollmentRecord, parts: _Parts) -> None:
    photos: list[PhotoInfo] = getattr(record, "sheet_photos", [])
    if not photos:
        # Seed 004: 学信网无图像信息的学生须补采照片 — an anomaly the sheet must show.
        parts.anomalies.append(_same(_("无照片，须补采")))
        return
    pending = [p for p in photos if p.state == PhotoState.UNVERIFIED]
    for photo in photos:
        if photo.state == PhotoState.DISPUTED:
            parts.anomalies.append(_same(_photo_words(photo)))
    if pending and len(pending) == len(photos):
        parts.untouched.append(_same(_("照片未校对")))
    elif pending:
        kinds = "、".join(str(PhotoKind(p.kind).label) for p in pending)
        parts.missing.append(_same(_("%(kinds)s未校对") % {"kinds": kinds}))


def _photo_words(photo: PhotoInfo) -> str:
    words = _("%(kind)s有误") % {"kind": PhotoKind(photo.kind).label}
    if photo.reason:
        words += "：" + str(DisputeReason(photo.reason).label)
    if photo.comment:
        words += f"（{photo.comment}）"
    return words
