"""Online verification report pages: the student's 学籍在线验证报告 of a record and
学历证书电子注册备案表 of her degrees, each report's page (either kind), and the public
verify page, which shows either kind by its code.

The student's pages fetch through the owner's scope (404 for anyone else, admins too:
a report is the student's own business). The public page is open to anyone with a code.
"""

import segno
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from accounts.decorators import student_required
from portal.lib.throttle import client_ip
from records.access import degree_for_student, online_report_for_owner, record_for_student
from records.errors import RecordError
from records.history.selectors import report_viewings
from records.models import OnlineReport, ReportKind
from records.online_reports import services
from records.online_reports.fields import report_rows
from records.online_reports.forms import (
    DegreeReportCreateForm,
    ReportCreateForm,
    ReportExtendForm,
    VerifyForm,
)
from records.selectors import degree_records

QR_SCALE = 4  # px per module: about 4 cm wide on screen and on paper
STATUS_LABELS = {
    services.VALID: gettext_lazy("有效"),
    services.EXPIRED: gettext_lazy("已过期"),
    services.CLOSED: gettext_lazy("已关闭"),
}


def _status(report: OnlineReport) -> dict:
    status = services.report_status(report)
    return {"code": status, "label": STATUS_LABELS[status]}


def _item(report: OnlineReport) -> dict:
    return {"report": report, "status": _status(report), "code": services.code_display(report.code)}


def _list_url(report: OnlineReport) -> str:
    """Where the student's list of this report's kind is."""
    if report.kind == ReportKind.DEGREE:
        return reverse("reports:degree_report_list")
    return reverse("reports:report_list", args=[report.record_id])


def _qr(request, report: OnlineReport) -> dict:
    """The public address of a report and its QR code, as a data: URI image (the CSP
    allows img-src data:, and no inline script is needed)."""
    url = request.build_absolute_uri(reverse("reports:report_public", args=[report.code]))
    qr = segno.make(url, error="m")
    return {
        "public_url": url,
        "qr_uri": qr.svg_data_uri(scale=QR_SCALE, light="#fff"),
        "qr_size": qr.symbol_size(scale=QR_SCALE)[0],
    }


@student_required
def report_list(request, record_pk: int):
    record = record_for_student(request, record_pk)
    items = [_item(report) for report in record.online_reports.all()]
    context = {"record": record, "items": items, "form": ReportCreateForm()}
    return render(request, "records/online_reports/list.html", context)


@student_required
def degree_report_list(request):
    """学历证书电子注册备案表: each degree bound to her, its 备案表 and a form to create one."""
    degrees = degree_records(user=request.user).prefetch_related("online_reports")
    items = [
        {
            "degree": degree,
            "reports": [_item(report) for report in degree.online_reports.all()],
            # One form per degree on the page: its ids told apart (labels stay right).
            "form": DegreeReportCreateForm(auto_id=f"id_degree{degree.pk}_%s"),
        }
        for degree in degrees
    ]
    context = {"items": items}
    return render(request, "records/online_reports/degree_list.html", context)


@student_required
def degree_report_create(request, degree_pk: int):
    degree = degree_for_student(request, degree_pk)
    return _create(
        request,
        DegreeReportCreateForm,
        {"degree": degree},
        "records/online_reports/degree_create.html",
        _("学历证书电子注册备案表已生成。"),
    )


@student_required
def report_create(request, record_pk: int):
    record = record_for_student(request, record_pk)
    return _create(
        request,
        ReportCreateForm,
        {"record": record},
        "records/online_reports/create.html",
        _("在线验证报告已生成。"),
    )


def _create(request, form_class, subject: dict, template: str, done: str):
    """Either kind: `subject` is {"record": …} or {"degree": …} (the service's keyword and
    the template's name for it)."""
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_create(
                **subject,
                by=request.user,
                months=form.cleaned_data["months"],
                ip=client_ip(request),
            )
        except RecordError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, done)
            return redirect("reports:report_detail", pk=report.pk)
    return render(request, template, {**subject, "form": form})


@student_required
def report_detail(request, pk: int):
    report = online_report_for_owner(request, pk)
    status = _status(report)
    context = {
        "report": report,
        "status": status,
        "code": services.code_display(report.code),
        "fields": report_rows(report),
        "extend_form": ReportExtendForm(),
        "list_url": _list_url(report),
    }
    # Who opened it: when and from which network (masked), not just how often.
    context["viewings"], context["more_viewings"] = report_viewings(
        OnlineReport.objects.filter(pk=report.pk)
    )
    if status["code"] == services.VALID:
        context.update(_qr(request, report))
    return render(request, "records/online_reports/detail.html", context)


@student_required
def report_extend(request, pk: int):
    report = online_report_for_owner(request, pk)
    form = ReportExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        months = form.cleaned_data["months"]
        try:
            report = services.report_extend(
                report=report, by=request.user, months=months, ip=client_ip(request)
            )
        except RecordError as error:
            form.add_error(None, error.message)
        else:
            end = date_format(timezone.localtime(report.valid_until), "DATETIME_FORMAT")
            messages.success(request, _("有效期已延长至 %(end)s。") % {"end": end})
            return redirect("reports:report_detail", pk=report.pk)
    context = {"report": report, "code": services.code_display(report.code), "form": form}
    return render(request, "records/online_reports/extend.html", context)


@student_required
def report_close(request, pk: int):
    """GET asks for the second confirmation; POST closes (docs/quality.md: destructive actions
    are confirmed twice)."""
    report = online_report_for_owner(request, pk)
    if request.method == "POST":
        try:
            services.report_close(report=report, by=request.user, ip=client_ip(request))
        except RecordError as error:
            messages.error(request, error.message)
        else:
            if report.degree_id is not None:
                messages.success(request, _("备案表已关闭，该验证码已失效。"))
            else:
                messages.success(request, _("报告已关闭，该验证码已失效。"))
        return redirect("reports:report_detail", pk=report.pk)
    context = {
        "report": report,
        "status": _status(report),
        "code": services.code_display(report.code),
    }
    return render(request, "records/online_reports/close.html", context)


@never_cache
def report_verify(request):
    """公众: type a code to open its report."""
    form = VerifyForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("reports:report_public", code=form.cleaned_data["code"])
    return render(request, "records/online_reports/verify.html", {"form": form})


@never_cache
def report_public(request, code: str):
    """The report for anyone with the code; the same page says why when there is none."""
    try:
        report = services.report_lookup(code=code, by=request.user, ip=client_ip(request))
    except services.ReportUnavailable as error:
        status = 429 if error.reason == "throttled" else 404
        context = {"error": error, "form": VerifyForm()}
        return render(request, "records/online_reports/public.html", context, status=status)
    context = {
        "report": report,
        "code": services.code_display(report.code),
        "fields": report_rows(report),
    }
    if report.kind == ReportKind.DEGREE:
        # The 备案表 is printed and handed over: its QR code leads back to this page.
        context.update(_qr(request, report))
        return render(request, "records/online_reports/degree_public.html", context)
    return render(request, "records/online_reports/public.html", context)
