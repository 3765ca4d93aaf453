"""Reminders with a preview: before anything is sent, staff read how many messages go out
and by which channel, the exact text, who was reminded today already, and who cannot be
reached and why (as a list to phone them, and as .xlsx). More than a handful of messages
go out only once the sender confirms their number; the sending is a background job.

The notice's reminders are reached from its progress page (progress_views.remind, which
uses the helpers here); the reminders about a 学历照片 not confirmed (seed 003) from the
imaging missing-diploma list, through imaging.actions (imaging never imports notices)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.decorators import role_required
from imaging import selectors as imaging_selectors
from imaging.actions import Action
from imaging.filters import (
    missing_diploma_filter_words,
    missing_diploma_filters,
    missing_diploma_params,
)
from notices import tasks
from notices.access import STAFF
from notices.services import reminders as services
from portal.lib import jobs
from portal.lib.audit import log_access
from portal.lib.numbers import parse_id
from portal.lib.throttle import client_ip
from portal.lib.xlsx import Report, download_name, report_bytes, xlsx_response
from records.exports import export_date, export_note, scope_label

staff_required = role_required(*STAFF)

SHOWN = 200  # unreachable students listed on the preview page; the .xlsx lists them all


def confirmed(request, plan: services.ReminderPlan) -> bool:
    """More than CONFIRM_ABOVE messages: the sender ticked "确认发送 N 条提醒" for at least
    as many as would go out now (a list that grew since the preview is shown again)."""
    if not plan.needs_confirmation:
        return True
    seen = parse_id(request.POST.get("n", ""))
    return request.POST.get("confirmed") == "1" and seen is not None and seen >= plan.n_send


def preview_or_send(request, plan: services.ReminderPlan, context: dict, *, start):
    """GET: the preview. POST: the job `start()` starts, once confirmed; unconfirmed, the
    preview again with the reason (400): nothing is sent on a GET or without it."""
    if request.method == "POST" and confirmed(request, plan):
        return redirect(start())
    return render_preview(request, plan, context, refused=request.method == "POST")


def render_preview(request, plan: services.ReminderPlan, context: dict, *, refused: bool):
    """The preview page; the students it names are logged (staff read who cannot be
    reached, and how to phone them). A long list is cut: the export holds it all."""
    shown = plan.unreachable[:SHOWN]
    log_access(
        request.user,
        "notices.remind_previewed",
        context.get("notice"),
        students=[r.record for r in shown],
        label=context["title"],
        ip=client_ip(request),
    )
    context = {
        **context,
        "plan": plan,
        "shown": shown,
        "n_hidden": len(plan.unreachable) - len(shown),
        "confirm_above": services.CONFIRM_ABOVE,
        "refused": refused,
    }
    return render(request, "notices/remind_preview.html", context, status=400 if refused else 200)


def unreachable_export(request, plan: services.ReminderPlan, *, title: str, about: str, obj):
    """无法联系的学生 as a printable .xlsx for staff: contacts included (a counselor phones
    them), ID numbers left out."""
    header = [_("学院"), _("班级"), _("学号"), _("姓名"), _("原因"), _("联系方式")]
    rows = [
        [
            r.record.college.name,
            r.record.school_class.name if r.record.school_class_id else "",
            r.record.student_number,
            r.record.name,
            r.reason_label,
            r.contact,
        ]
        for r in plan.unreachable
    ]
    report = Report(
        title=title,
        note=export_note(request.user, about),
        header=header,
        rows=rows,
        text_columns=(2, 5),
    )
    filename = download_name(title, about, scope_label(request.user), export_date())
    log_access(
        request.user,
        "notices.unreachable_exported",
        obj,
        students=[r.record for r in plan.unreachable],
        changes={"file": filename},
        label=filename,
        ip=client_ip(request),
    )
    return xlsx_response(report_bytes(report), filename)


# 学历照片 not confirmed (seed 003) -----------------------------------------------------------


def _year(request, data) -> int:
    """The 届 of the missing-diploma list: one of the user's scope, or 404."""
    year = parse_id(data.get("year", ""))
    if year is None or year not in imaging_selectors.graduation_years(request.user):
        raise Http404
    return year


def _diploma_plan(request, year: int, filters: dict[str, str]) -> services.ReminderPlan:
    """The graduates the missing-diploma list shows with these filters (imaging.filters)."""
    graduates = missing_diploma_filters(request.user, year, filters).qs
    return services.diploma_reminder_plan(graduates=graduates)


def _diploma_about(request, year: int, filters: dict[str, str]) -> str:
    """Whom a diploma reminder is about: "2026届", and the list's filters (学院, 班级…)."""
    words = missing_diploma_filter_words(missing_diploma_filters(request.user, year, filters))
    return " · ".join([_("%(year)s届") % {"year": year}, *words])


@staff_required
def diploma_remind(request):
    """GET: the preview; POST: send (a background job), once confirmed."""
    data = request.POST if request.method == "POST" else request.GET
    year = _year(request, data)
    filters = missing_diploma_params(data)
    plan = _diploma_plan(request, year, filters)
    query = urlencode({"year": year, **filters})
    context = {
        "title": _("提醒学历照片未确认的学生：%(about)s")
        % {"about": _diploma_about(request, year, filters)},
        "hidden": {"year": year, **filters},
        "post_url": reverse("notices:diploma_remind"),
        "export_url": f"{reverse('notices:diploma_unreachable_export')}?{query}",
        "back_url": f"{reverse('imaging:missing_diploma')}?{query}",
        "back_label": _("返回学历照片未确认名单"),
    }

    def start():
        return jobs.job_start(
            owner=request.user,
            kind="notices.diploma_remind",
            title=_("发送提醒：%(about)s 学历照片未确认")
            % {"about": _diploma_about(request, year, filters)},
            task=tasks.send_diploma_reminders,
            params={"year": year, "filters": filters},
        )

    return preview_or_send(request, plan, context, start=start)


@staff_required
def diploma_unreachable_export(request):
    year = _year(request, request.GET)
    title = _("无法联系的学生")
    about = _("%(year)s届学历照片未确认") % {"year": year}
    plan = _diploma_plan(request, year, missing_diploma_params(request.GET))
    return unreachable_export(request, plan, title=title, about=about, obj=None)


def missing_diploma_actions(user, year: int, filters: dict[str, str]) -> list[Action]:
    """提醒 on the imaging missing-diploma list, for the students it lists as filtered
    (registered in apps.py)."""
    url = f"{reverse('notices:diploma_remind')}?{urlencode({'year': year, **filters})}"
    label = (
        _("提醒名单中的学生（预览）")
        if filters
        else _("提醒%(year)s届全部学历照片未确认的学生（预览）") % {"year": year}
    )
    return [Action(label=label, url=url)]
