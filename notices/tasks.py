"""Background tasks of the notices app: thin, they call the exports and services.

Each task checks the job owner's scope again: a job's parameters are ids, and ids are
never trusted (docs/security.md: access control)."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from imaging.filters import missing_diploma_filters
from notices.errors import NoticeError
from notices.exports import FeedbackWorkbook, filename_for
from notices.feedback import (
    changes_since_signature,
    college_rows,
    row_students,
    rows_of_sheet,
)
from notices.models import FeedbackSheet, Notice
from notices.selectors import ReminderDelivery, records_in_scope
from notices.services.reminders import (
    ReminderResult,
    diploma_reminders_send,
    reminders_deliver,
    reminders_send,
)
from portal.lib.audit import log_access
from portal.lib.jobs import JobError, run_job
from records.models import College, SchoolClass


def _notice(job) -> Notice:
    notice = Notice.objects.followed_by(job.owner).filter(pk=job.params["notice"]).first()
    if notice is None:
        raise JobError(_("通知不存在或您无权查看。"))
    return notice


def export_college(job, progress) -> dict:
    """One workbook for a whole college: a worksheet per class, in class order."""
    notice = _notice(job)
    college = College.objects.visible_to(job.owner).filter(pk=job.params["college"]).first()
    if college is None:
        raise JobError(_("学院不存在或您无权查看。"))
    classes = college_rows(notice, college)
    if not classes:
        raise JobError(_("该学院没有本通知涉及的班级。"))
    sheets = {
        s.school_class_id: s
        for s in FeedbackSheet.objects.filter(notice=notice, school_class__college=college)
    }
    progress.set_total(len(classes), message=_("正在生成反馈表…"))
    book = FeedbackWorkbook(notice)
    rows = 0
    students = []
    for school_class, live in classes:
        sheet = sheets.get(school_class.pk)
        if sheet is not None and sheet.is_signed and not sheet.is_handed_in:
            # A signature on rows that changed since does not stand (notices.exports).
            sheet.changes = changes_since_signature(sheet, live)
        # A sheet handed in is the record of what was handed in: never the live rows.
        class_rows = rows_of_sheet(sheet, live) if sheet is not None else live
        book.add_class(school_class, class_rows, sheet)
        rows += len(class_rows)
        students += row_students(class_rows)
        progress.advance()
    progress.attach(filename_for(notice, college.name), book.content())
    # PIPL: the export names every student of the college in it (the download too).
    log_access(job.owner, "notices.college_exported", job, students=students)
    return {
        "headline": _("反馈表已生成：%(classes)d 个班级，%(rows)d 名学生。")
        % {"classes": len(classes), "rows": rows},
        "links": [[_("返回校对进度"), reverse("notices:progress", args=[notice.pk])]],
    }


@task()
def export_college_sheets(job_id: str) -> None:
    run_job(job_id, export_college)


def send(job, progress) -> dict:
    notice = _notice(job)
    school_class = None
    if job.params.get("school_class"):
        school_class = (
            SchoolClass.objects.visible_to(job.owner).filter(pk=job.params["school_class"]).first()
        )
        if school_class is None:
            raise JobError(_("班级不存在或您无权查看。"))
    records = records_in_scope(
        job.owner, college_id=job.params.get("college"), school_class=school_class
    )
    try:
        result = reminders_send(
            notice=notice, records=records, by=job.owner, progress=progress, job=job
        )
    except NoticeError as exc:
        raise JobError(exc.message) from exc
    delivery = reminders_deliver(job=job)
    scope = {k: job.params[k] for k in ("college", "school_class") if job.params.get(k)}
    preview = reverse("notices:remind", args=[notice.pk])
    return _reminder_result(
        result,
        delivery,
        back=(_("返回校对进度"), reverse("notices:progress", args=[notice.pk])),
        preview=f"{preview}?{urlencode(scope)}" if scope else preview,
    )


def _reminder_result(
    result: ReminderResult, delivery: ReminderDelivery, *, back, preview: str
) -> dict:
    """Sent, failed and waiting count reminders after the first attempt; the job page
    follows the retries (templates/notices/_reminder_delivery.html)."""
    headline = _(
        "已发送 %(sent)d 条提醒；发送失败 %(failed)d 条，等待重试 %(waiting)d 条；"
        "今日已提醒过 %(already)d 人；无法联系 %(unreachable)d 人。"
    ) % {
        "sent": delivery.sent,
        "failed": delivery.failed,
        "waiting": delivery.waiting,
        "already": result.already,
        "unreachable": result.unreachable,
    }
    return {
        "headline": headline,
        "summary": [
            [_("已发送"), delivery.sent],
            [_("发送失败"), delivery.failed],
            [_("等待发送"), delivery.waiting],
            [_("今日已提醒过（跳过）"), result.already],
            [_("无法联系"), result.unreachable],
        ],
        "links": [
            [_("查看无法联系的学生"), preview],
            list(back),
        ],
    }


@task()
def send_reminders(job_id: str) -> None:
    run_job(job_id, send)


def send_diploma(job, progress) -> dict:
    """The graduates of one year whose 学历照片 is not confirmed, in the owner's scope."""
    year, filters = job.params["year"], job.params.get("filters", {})
    graduates = missing_diploma_filters(job.owner, year, filters).qs
    result = diploma_reminders_send(
        graduates=graduates, year=year, by=job.owner, progress=progress, job=job
    )
    delivery = reminders_deliver(job=job)
    query = urlencode({"year": year, **filters})
    back = f"{reverse('imaging:missing_diploma')}?{query}"
    preview = f"{reverse('notices:diploma_remind')}?{query}"
    return _reminder_result(
        result, delivery, back=(_("返回学历照片未确认名单"), back), preview=preview
    )


@task()
def send_diploma_reminders(job_id: str) -> None:
    run_job(job_id, send_diploma)
