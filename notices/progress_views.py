"""Staff pages of a notice with a task: progress per college and class, the students who
have not done it (with their list as .xlsx and reminders), and the class feedback sheets.

Counselors see their classes, college staff their college, the registrar everything:
every list goes through `visible_to(user)`; a constant number of queries a page."""

from dataclasses import fields
from operator import attrgetter
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from notices import charts, reminder_views, selectors, tasks
from notices.access import (
    STAFF,
    class_for_scope,
    college_for_export,
    countersigns_sheet,
    exports_college,
    follows_sheet_changes,
    notice_for_progress,
    remarks_sheet,
    sees_progress_chart,
    sees_reported_values,
    sees_satisfaction,
    sheet_for_countersign,
    sheet_for_read,
    sheet_for_remark,
    sheet_for_sign,
    signs_sheet,
)
from notices.errors import NoticeError, SignatureNeedsConfirmation
from notices.exports import class_workbook, filename_for
from notices.feedback import (
    attach_changes,
    changes_since_signature,
    class_rows,
    row_students,
    rows_of_sheet,
    without_values,
)
from notices.forms import CountersignForm, ScopeForm
from notices.lists import pending_workbook, required_by_class, required_title
from notices.services import reminders as reminder_services
from notices.services import sheets as sheet_services
from portal.lib import jobs
from portal.lib.audit import log_access
from portal.lib.numbers import parse_id
from portal.lib.throttle import client_ip
from portal.lib.xlsx import download_name, xlsx_response
from records.exports import export_date, scope_label
from records.models import SchoolClass

staff_required = role_required(*STAFF)


def _scope(request, data) -> tuple[ScopeForm, int | None, SchoolClass | None]:
    """The college and class a list, an export or a reminder is narrowed to, both
    checked against the user's scope: one outside it is a 404, never "everything"."""
    form = ScopeForm(data, user=request.user)
    if not form.is_valid():
        raise Http404
    college = form.cleaned_data.get("college")
    class_pk = form.cleaned_data.get("school_class")
    school_class = None
    if class_pk:
        school_class = class_for_scope(request, class_pk)
    return form, (college.pk if college else None), school_class


@staff_required
def progress(request, pk: int):
    notice = notice_for_progress(request, pk)
    sheet_services.sheets_sync(notice=notice)
    form, college_id, _class = _scope(request, request.GET)
    classes = selectors.class_progress(notice, request.user, college_id=college_id)
    if request.GET.get("sheets") == "missing":
        classes = [row for row in classes if not (row.sheet and row.sheet.is_handed_in)]
    classes, sort = _sorted_by_count(classes, request.GET.get("sort", ""))
    if follows_sheet_changes(request.user):
        attach_changes(notice, [row.sheet for row in classes if row.sheet])
    # 往届毕业生: graduates known by a 学历 alone count under their college and major.
    graduates = selectors.graduate_progress(notice, request.user)
    colleges = selectors.college_progress(notice, request.user, graduates)
    total = selectors.total(colleges)
    if college_id:
        graduates = [row for row in graduates if row.college_id == college_id]
    context = {
        "notice": notice,
        "scope_form": form,
        "college_id": college_id,
        "colleges": colleges,
        "classes": classes,
        "graduates": graduates,
        "total": total,
        "sheets_filter": request.GET.get("sheets", ""),
        "sort": sort,
        "can_export_college": exports_college(request.user),
        "sees_satisfaction": sees_satisfaction(request.user),
    }
    if context["can_export_college"]:
        # The export's own copy of the college field: two forms, one page, distinct ids.
        context["export_form"] = ScopeForm(request.GET, user=request.user, auto_id="export_%s")
    if sees_progress_chart(request.user):
        context["chart"] = charts.notice_chart(notice, request.user, target=total.n_students)
    return render(request, "notices/progress.html", context)


# The class table's columns that sort (`?sort=n_done`, `?sort=-n_done`): its counts.
SORTABLE_COUNTS = frozenset(f.name for f in fields(selectors.Counts)) | {
    "n_pending",
    "percent_done",
}


def _sorted_by_count(rows: list, sort: str) -> tuple[list, str]:
    """The class rows by one of their counts (an unknown one: the class order, unsorted);
    classes with the same count keep the class order."""
    name = sort.removeprefix("-")
    if name not in SORTABLE_COUNTS:
        return rows, ""
    key = attrgetter(f"counts.{name}")
    return sorted(rows, key=key, reverse=sort.startswith("-")), sort


@staff_required
def pending_export(request, pk: int):
    """The students who have not done the task, as .xlsx (ID numbers masked)."""
    notice = notice_for_progress(request, pk)
    form, college_id, school_class = _scope(request, request.GET)
    college = form.cleaned_data.get("college")
    label = school_class.full_name if school_class else (college.name if college else "")
    students: list = []
    content = pending_workbook(
        notice,
        request.user,
        label=label,
        college_id=college_id,
        school_class=school_class,
        students=students,
    )
    filename = download_name(
        _("未完成名单"), notice.number, label or scope_label(request.user), export_date()
    )
    log_access(
        request.user,
        "notices.pending_exported",
        notice,
        students=students,
        changes={"file": filename},
        ip=client_ip(request),
    )
    return xlsx_response(content, filename)


@staff_required
def required_list(request, pk: int):
    """Issue 15 §2: per class, the students whose required task is still open; after the
    cutoff, those who did not do it in time (未按时完成). Through the user's scope
    (records_in_scope): a counselor sees her classes only. Linked from the progress page
    of a required task; for another task it is the class-by-class 未完成名单."""
    notice = notice_for_progress(request, pk)
    form, college_id, school_class = _scope(request, request.GET)
    classes = required_by_class(
        notice, request.user, college_id=college_id, school_class=school_class
    )
    query = urlencode({k: v for k, v in request.GET.items() if k in ("college", "school_class")})
    context = {
        "notice": notice,
        "title": required_title(notice),
        "after_cutoff": notice.is_required
        and notice.window_end is not None
        and timezone.now() > notice.window_end,
        "classes": classes,
        "n_students": sum(len(c.rows) for c in classes),
        "scope_form": form,
        "export_query": f"?{query}" if query else "",
    }
    return render(request, "notices/required_list.html", context)


@staff_required
def required_export(request, pk: int):
    """required_list as .xlsx (ID numbers masked), audited like the other exports."""
    notice = notice_for_progress(request, pk)
    form, college_id, school_class = _scope(request, request.GET)
    college = form.cleaned_data.get("college")
    label = school_class.full_name if school_class else (college.name if college else "")
    title = required_title(notice)
    students: list = []
    content = pending_workbook(
        notice,
        request.user,
        label=label,
        title=title,
        college_id=college_id,
        school_class=school_class,
        students=students,
    )
    filename = download_name(
        title, notice.number, label or scope_label(request.user), export_date()
    )
    log_access(
        request.user,
        "notices.required_exported",
        notice,
        students=students,
        changes={"file": filename},
        ip=client_ip(request),
    )
    return xlsx_response(content, filename)


def _reminder_plan(request, notice, data):
    """The plan of the notice's reminders for the college / class asked (in scope, or 404)."""
    _form, college_id, school_class = _scope(request, data)
    scope = {"college": college_id, "school_class": school_class.pk if school_class else None}
    records = selectors.records_in_scope(
        request.user, college_id=college_id, school_class=school_class
    )
    plan = reminder_services.notice_reminder_plan(notice=notice, records=records)
    return plan, {key: value for key, value in scope.items() if value}


@staff_required
def remind(request, pk: int):
    """GET: the preview of the reminders; POST: send them (a background job), once
    confirmed when there are more than a handful."""
    notice = notice_for_progress(request, pk)
    data = request.POST if request.method == "POST" else request.GET
    try:
        plan, scope = _reminder_plan(request, notice, data)
    except NoticeError as error:
        messages.error(request, error.message)
        return redirect("notices:progress", notice.pk)
    query = f"?{urlencode(scope)}" if scope else ""
    context = {
        "notice": notice,
        "title": _("提醒未完成的学生：%(title)s") % {"title": notice.title},
        "hidden": scope,
        "post_url": reverse("notices:remind", args=[notice.pk]),
        "export_url": reverse("notices:remind_unreachable_export", args=[notice.pk]) + query,
        "back_url": reverse("notices:progress", args=[notice.pk]),
        "back_label": _("返回校对进度"),
    }

    def start():
        return jobs.job_start(
            owner=request.user,
            kind="notices.remind",
            title=_("发送提醒：%(title)s") % {"title": notice.title},
            task=tasks.send_reminders,
            params={"notice": notice.pk, "college": None, "school_class": None, **scope},
        )

    return reminder_views.preview_or_send(request, plan, context, start=start)


@staff_required
def remind_unreachable_export(request, pk: int):
    notice = notice_for_progress(request, pk)
    try:
        plan, _scope_ids = _reminder_plan(request, notice, request.GET)
    except NoticeError as error:
        messages.error(request, error.message)
        return redirect("notices:progress", notice.pk)
    return reminder_views.unreachable_export(
        request, plan, title=_("无法联系的学生"), about=notice.number, obj=notice
    )


@require_POST
@role_required(Role.COLLEGE, Role.REGISTRAR)
def college_export(request, pk: int):
    """A whole college's sheets as one workbook: a background job with progress."""
    notice = notice_for_progress(request, pk)
    _form, college_id, _class = _scope(request, request.POST)
    college_id = college_for_export(request.user, college_id)
    if not college_id:
        messages.error(request, _("请选择学院。"))
        return redirect("notices:progress", notice.pk)
    job = jobs.job_start(
        owner=request.user,
        kind="notices.college_export",
        title=_("导出学院反馈表：%(title)s") % {"title": notice.title},
        task=tasks.export_college_sheets,
        params={"notice": notice.pk, "college": college_id},
    )
    return redirect(job)


# The class: who has not done it, and its feedback sheet ------------------------------


def _sheet_context(request, sheet) -> dict:
    live = class_rows(sheet.notice, sheet.school_class)
    user = request.user
    is_staff = sees_reported_values(user)
    changes = changes_since_signature(sheet, live) if is_staff else []
    sheet.changes = changes  # its state reads 待辅导员重新签名 when it changed since
    return {
        "sheet": sheet,
        "notice": sheet.notice,
        "school_class": sheet.school_class,
        "pending": [row for row in live if not row.done] if is_staff else [],
        # 签名后有变化 / 交表后有变化: staff read who and what (values included).
        "changes": changes,
        # The monitor (a student) reads which field a classmate reported, never the values.
        "rows": without_values(rows_of_sheet(sheet, live), staff=is_staff),
        "n_students": len(live),
        "n_done": sum(row.done for row in live),
        "is_staff": is_staff,
        "can_remark": not sheet.is_signed and remarks_sheet(user),
        "can_sign": signs_sheet(user),
        "can_countersign": countersigns_sheet(user),
        "late": sheet.is_late(sheet.notice),
        "countersign_form": CountersignForm(),
    }


@login_required
def sheet_detail(request, pk: int):
    """The sheet names a whole class: every view is audited (PIPL), the monitor's too."""
    sheet = sheet_for_read(request, pk)
    context = _sheet_context(request, sheet)
    students = row_students(context["rows"]) + row_students(context["pending"])
    log_access(
        request.user, "notices.sheet_viewed", sheet, students=students, ip=client_ip(request)
    )
    return render(request, "notices/sheet_detail.html", context)


@require_POST
@login_required
def sheet_remarks(request, pk: int):
    sheet = sheet_for_remark(request, pk)
    prefix = "remark_"
    texts = {}
    for key, value in request.POST.items():
        if key.startswith(prefix):
            record_id = parse_id(key[len(prefix) :])
            if record_id is None:
                messages.error(request, _("该学生不在本班反馈表中，请刷新页面后重新填写。"))
                return redirect("notices:sheet_detail", sheet.pk)
            texts[record_id] = value
    try:
        changed = sheet_services.sheet_remarks_save(
            sheet=sheet, texts=texts, by=request.user, ip=client_ip(request)
        )
    except NoticeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已保存 %(n)d 条补充说明。") % {"n": changed})
    return redirect("notices:sheet_detail", sheet.pk)


def _act(request, action, sheet, success: str, **kwargs):
    try:
        action(sheet=sheet, by=request.user, ip=client_ip(request), **kwargs)
    except NoticeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("notices:sheet_detail", sheet.pk)


@require_POST
@login_required
def sheet_sign(request, pk: int):
    """Sign, or sign again after a change; a sheet that is not true yet is signed only
    after a page that says why (students 未校对, the window still open)."""
    sheet = sheet_for_sign(request, pk)
    try:
        sheet_services.sheet_sign(
            sheet=sheet,
            by=request.user,
            acknowledged=request.POST.get("acknowledged") == "1",
            ip=client_ip(request),
        )
    except SignatureNeedsConfirmation as asked:
        context = {"sheet": sheet, "notice": sheet.notice, "warnings": asked.warnings}
        return render(request, "notices/sheet_sign_confirm.html", context)
    except NoticeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已签名。请学院领导复核。"))
    return redirect("notices:sheet_detail", sheet.pk)


@require_POST
@login_required
def sheet_unsign(request, pk: int):
    sheet = sheet_for_sign(request, pk)
    return _act(request, sheet_services.sheet_unsign, sheet, _("已撤回签名。"))


@require_POST
@login_required
def sheet_countersign(request, pk: int):
    sheet = sheet_for_countersign(request, pk)
    form = CountersignForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    return _act(
        request,
        sheet_services.sheet_countersign,
        sheet,
        _("已复核，反馈表已上交。"),
        opinion=form.cleaned_data["opinion"],
    )


@login_required
def sheet_export(request, pk: int):
    """One class's sheet as a print-ready .xlsx: as handed in once the college countersigned,
    else as the students stand now."""
    sheet = sheet_for_read(request, pk)
    if not sheet.is_handed_in:
        attach_changes(sheet.notice, [sheet])  # a signature on changed rows says so
    rows = without_values(rows_of_sheet(sheet), staff=sees_reported_values(request.user))
    content = class_workbook(sheet, rows)
    filename = filename_for(sheet.notice, sheet.school_class.name)
    log_access(
        request.user,
        "notices.sheet_exported",
        sheet,
        students=row_students(rows),
        changes={"file": filename},
        ip=client_ip(request),
    )
    return xlsx_response(content, filename)
