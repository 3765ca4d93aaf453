"""What is left for a student (待办事项): her open tasks from every state, each with the
next concrete step, and her task on each notice. The home page's to-do, the to-do page
of the required check (issue 15 §2), each notice's task state and the hold at log-in all
read it; whether a part is done is notices.done's rule, which the progress counts, the
feedback sheet and the reminders read too.

It lives in notices because it reads every app below (records, imaging, the notices'
windows). A fixed number of queries, whatever the number of records and notices: her
records with their flags (notices.student.student_records), her notices
(notices_for_records), and only when one of her records has no photo or a photo to
re-collect, the batch entries and collection units that say why and where
(imaging.selectors.missing_photos, unit_choices)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from imaging import selectors as imaging_selectors
from imaging.selectors import MissingCause, MissingPhoto, UnitChoice
from notices import done
from notices.selectors import notice_is_for, notices_for_records, required_notices_of
from notices.student import DONE, StudentTask, student_records, student_tasks
from records.models import DegreeRecord, EnrollmentRecord
from records.selectors import degree_records
from records.self_check import check_done

# What part of a notice's task an item belongs to: its deadline comes from those notices.
RECORD, PHOTO = "record", "photo"


@dataclass
class TodoItem:
    """One open task: what is open (`text`), the next step (`step`) and where to take it
    (`url`, `link`). `waiting`: nothing for her to do now (staff decide next)."""

    kind: str
    text: str
    step: str
    url: str
    link: str
    record: EnrollmentRecord | None = None
    part: str = ""
    deadline: str = ""
    overdue: bool = False
    required: bool = False
    waiting: bool = False


@dataclass
class StudentTodo:
    records: list[EnrollmentRecord]
    items: list[TodoItem] = field(default_factory=list)
    tasks: list[StudentTask] = field(default_factory=list)  # each notice, her state on it

    @property
    def open_items(self) -> list[TodoItem]:
        return [item for item in self.items if not item.waiting]

    @property
    def waiting_items(self) -> list[TodoItem]:
        return [item for item in self.items if item.waiting]

    @property
    def required(self) -> list[StudentTask]:
        return required_open(self.tasks)


def required_open(tasks: list[StudentTask]) -> list[StudentTask]:
    """Her tasks on required notices (必须完成) that are started and not done; overdue ones
    included (the bar says 逾期; the hold at log-in does not apply to them: holds)."""
    return [
        task
        for task in tasks
        if task.notice.is_required and task.state not in (DONE, "none") and not task.upcoming
    ]


def holds(tasks: list[StudentTask]) -> list[StudentTask]:
    """The required tasks that take her to the to-do page at log-in: open and the window
    still open. After the cutoff the task is 逾期 and the hold lifts."""
    return [task for task in required_open(tasks) if not task.overdue]


def student_todo(
    user,
    *,
    records: list[EnrollmentRecord] | None = None,
    now: datetime.datetime | None = None,
) -> StudentTodo:
    """Everything left for `user`. `records`: student_records(user), if already loaded."""
    now = now or timezone.now()
    records = list(student_records(user)) if records is None else records
    tasks = student_tasks(notices_for_records(records), records, now) if records else []
    todo = StudentTodo(records=records, tasks=tasks)
    if not records:
        # A graduate with only a 学历 (往届毕业生): her degree is what she checks.
        degrees = list(degree_records(user=user))
        if degrees:
            todo.items += [item for degree in degrees for item in _degree_items(degree)]
        else:
            todo.items.append(_bind_item())
        return todo
    # An item for each part notices.done says is not done: the to-do and the notices'
    # task states cannot disagree.
    photos_open = [r for r in records if not done.photos_done(r)]
    no_photo = [r for r in photos_open if not r.has_photo]
    recollect = [r for r in photos_open if r.has_photo and r.photo_dispute_open]
    # Where to have a photo taken, for both, in one query (none when neither).
    where = imaging_selectors.unit_choices(no_photo + recollect) if no_photo or recollect else {}
    missing = imaging_selectors.missing_photos(no_photo, where=where)
    for record in records:
        todo.items += _record_items(record)
        if record in photos_open:
            todo.items += _photo_items(record, missing.get(record.pk), where.get(record.pk))
    for item in todo.items:
        _attach_deadline(item, tasks)
    return todo


def required_tasks(user, *, now: datetime.datetime | None = None) -> list[StudentTask]:
    """Her tasks on required notices still open (required_open), for the bar on every
    page and the hold at log-in: one query (her required notices: usually none), three
    when there is one (their rules, her records); no photo or batch look-up."""
    now = now or timezone.now()
    notices = required_notices_of(user, now=now)
    if not notices:
        return []
    records = list(student_records(user))
    mine = [n for n in notices if any(notice_is_for(n, r) for r in records)]
    return required_open(student_tasks(mine, records, now))


# The items -------------------------------------------------------------------------------


def _my_records(anchor: str = "") -> str:
    return reverse("records:my_records") + anchor


def _bind_item() -> TodoItem:
    return TodoItem(
        kind="bind",
        text=_("暂未查询到与您的姓名和证件号码匹配的学籍。"),
        step=_(
            "请打开“学籍信息”查看原因；学籍未显示的，可凭学校、学号等信息尝试绑定学籍，"
            "或联系学校学籍管理部门。"
        ),
        url=_my_records(),
        link=_("学籍信息"),
    )


def _degree_items(degree: DegreeRecord) -> list[TodoItem]:
    """A 学历 without a 学籍 online (degree_records annotates is_confirmed, has_open_report)."""
    url = reverse("records:degree_detail", args=[degree.pk])
    if degree.has_open_report:
        return [
            TodoItem(
                kind="report_waiting",
                text=_("学历信息有误申请审核中。"),
                step=_("学籍管理部门审核后会通知您；更正后请再次核对并确认。"),
                url=url,
                link=_("查看申请"),
                waiting=True,
            )
        ]
    if degree.is_confirmed:
        return []
    return [
        TodoItem(
            "check_record",
            _("学历信息尚未校对。"),
            _(
                "请查看并核对本人学历信息，核对无误后点击“学历信息正确”；有误请点击“学历信息有误”并提交更正申请。"
            ),
            url,
            _("学历信息"),
            part=RECORD,
        )
    ]


def _record_items(record: EnrollmentRecord) -> list[TodoItem]:
    anchor = _my_records(f"#record-{record.pk}")
    if record.has_open_report:
        return [
            TodoItem(
                kind="report_waiting",
                text=_("学籍信息有误申请审核中。"),
                step=_("学籍管理部门审核后会通知您；更正后请再次核对并确认。"),
                url=anchor,
                link=_("查看申请"),
                record=record,
                waiting=True,
            )
        ]
    if done.record_done(record):
        return []
    if done.prior_degree_to_check(record) and check_done(record):
        # 专升本: her 学籍 is checked; her 专科 degree is what is left.
        step = _(
            "专升本学生请核对本人专科学历，核对无误后点击“学历信息正确”；有误请点击“学历信息有误”并提交更正申请。"
        )
        return [
            _degree_item(
                record, record.prior_degree_id, _("专科学历尚未校对。"), step, _("专科学历")
            )
        ]
    if done.degree_to_check(record):  # a graduate: her 学历 is what she checks now
        step = _(
            "请查看并核对本人学历信息，核对无误后点击“学历信息正确”；有误请点击“学历信息有误”并提交更正申请。"
        )
        return [
            _degree_item(record, record.degree_pk, _("学历信息尚未校对。"), step, _("学历信息"))
        ]
    if record.first_viewed_at is None:
        text = _("学籍信息尚未查看。")
        step = _(
            "请查看并核对本人学籍信息，核对无误后点击“学籍信息正确”；"
            "有误请点击“学籍信息有误”并提交更正申请。"
        )
    else:
        text = _("学籍信息已查看，尚未确认。")
        step = _("核对无误后请点击“学籍信息正确”；有误请点击“学籍信息有误”并提交更正申请。")
    return [TodoItem("check_record", text, step, anchor, _("学籍信息"), record=record, part=RECORD)]


def _degree_item(record: EnrollmentRecord, degree_pk: int, text: str, step: str, link: str):
    """The record's part is a degree to check (her 学历, or her 专科 degree): its page."""
    url = reverse("records:degree_detail", args=[degree_pk])
    return TodoItem("check_record", text, step, url, link, record=record, part=RECORD)


def _photo_items(
    record: EnrollmentRecord, missing: MissingPhoto | None, where: UnitChoice | None
) -> list[TodoItem]:
    if missing is not None:
        return [_missing_item(record, missing)]
    items = []
    if record.photos_pending:
        items.append(
            TodoItem(
                kind="check_photo",
                text=_("您有照片尚未校对。"),
                step=_("请查看照片是否是本人：是本人请点击“照片正确”，不是本人请点击“照片有误”。"),
                url=_my_records(f"#photo-check-{record.pk}"),
                link=_("图像校对"),
                record=record,
                part=PHOTO,
            )
        )
    if record.photo_dispute_open and where is not None:
        if where.units:
            step = _("请到图像采集单位重新采集：%(unit)s。新照片上传后请重新校对。") % {
                "unit": _unit_words(where)
            }
        else:
            step = _no_unit_words(record, where)
        items.append(
            TodoItem(
                kind="recollect_photo",
                text=_("您已报告照片有误，照片须重新采集。"),
                step=step,
                url=_units_url(where),
                link=_("图像采集单位联系方式"),
                record=record,
                part=PHOTO,
            )
        )
    return items


def _missing_item(record: EnrollmentRecord, missing: MissingPhoto) -> TodoItem:
    if missing.cause == MissingCause.NOT_DELIVERED:
        text = _("暂无照片：学校未收到您的照片（尚未采集，或采集单位尚未上传）。")
        if missing.where.units:
            step = _("请联系图像采集单位补采：%(unit)s。") % {"unit": _unit_words(missing.where)}
        else:
            step = _no_unit_words(record, missing.where)
    else:
        text = _("图像采集单位报送了您的照片，但未能导入您的学籍。")
        step = _("请联系学校学籍管理部门核对录取信息%(office)s。") % {
            "office": _office_words(record)
        }
    return TodoItem(
        kind="missing_photo",
        text=text,
        step=step,
        url=_my_records(f"#photo-check-{record.pk}"),
        link=_("查看原因"),
        record=record,
        part=PHOTO,
    )


def _unit_words(where: UnitChoice) -> str:
    """The first unit of the right province: name, address, phone."""
    unit = where.units[0]
    return _("%(name)s，地址：%(address)s，电话：%(phone)s") % {
        "name": unit.name,
        "address": unit.address,
        "phone": unit.phone,
    }


def _no_unit_words(record: EnrollmentRecord, where: UnitChoice) -> str:
    """None registered in her provinces: say so, and which office to ask instead."""
    return _("%(province)s的图像采集单位暂未登记，请联系学校学籍管理部门安排采集%(office)s。") % {
        "province": where.province_name,
        "office": _office_words(record),
    }


def _office_words(record: EnrollmentRecord) -> str:
    """ "：<office> <phone>" when the institution gives them, else nothing."""
    institution = record.institution
    words = " ".join(p for p in (institution.registrar_office, institution.registrar_phone) if p)
    return f"：{words}" if words else ""


def _units_url(where: UnitChoice) -> str:
    url = reverse("imaging:collection_units")
    return f"{url}?province={where.province}#province-{where.province}"


def _attach_deadline(item: TodoItem, tasks: list[StudentTask]) -> None:
    """The deadline of the soonest open notice that asks this item's part of the record:
    "还剩 N 天" or 逾期, and whether that notice is required (必须完成)."""
    if not item.part or item.record is None:
        return
    asks = "asks_record_check" if item.part == RECORD else "asks_photo_check"
    open_ = [
        task
        for task in tasks
        if task.state != DONE
        and not task.upcoming
        and getattr(task.notice, asks)
        and notice_is_for(task.notice, item.record)
    ]
    if not open_:
        return
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    first = min(open_, key=lambda task: task.notice.window_end or far)
    item.deadline, item.overdue = first.time_left, first.overdue
    item.required = any(task.notice.is_required for task in open_)
