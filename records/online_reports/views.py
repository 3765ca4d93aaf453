"""学籍在线验证报告 pages: the student's reports of a record, and the public verify page.

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
from records.access import online_report_for_owner, record_for_student
from records.errors import RecordError
from records.history.selectors import report_viewings
from records.models import EnrollmentRecord, OnlineReport
from records.online_reports import services
from records.online_reports.forms import ReportCreateForm, ReportExtendForm, VerifyForm
from records.selectors import record_field_rows

# What the public report shows, in the order of the record page (seed 004).
REPORT_FIELDS = (
    "name", "sex", "birth_date", "id_number", "institution", "level", "major", "duration",
    "category", "study_form", "college", "school_class", "student_number", "entry_date",
    "expected_graduation", "status",
)  # fmt: skip
QR_SCALE = 4  # px per module: about 4 cm wide on screen and on paper
STATUS_LABELS = {
    services.VALID: gettext_lazy("有效"),
    services.EXPIRED: gettext_lazy("已过期"),
    services.CLOSED: gettext_lazy("已关闭"),
}


def _report_rows(record: EnrollmentRecord) -> list[dict]:
    """The fields of REPORT_FIELDS, the ID number masked (GB/T 35273: masked on the server)."""
    groups = record_field_rows(record, full_id=False)
    rows = {row["name"]: row for group in groups.values() for row in group}
    return [rows[name] for name in REPORT_FIELDS]


def _status(report: OnlineReport) -> dict:
    status = services.report_status(report)
    return {"code": status, "label": STATUS_LABELS[status]}


@student_required
def report_list(request, record_pk: int):
    record = record_for_student(request, record_pk)
    items = [
        {"report": report, "status": _status(report), "code": services.code_display(report.code)}
        for report in record.online_reports.all()
    ]
    context = {"record": record, "items": items, "form": ReportCreateForm()}
    return render(request, "records/online_reports/list.html", context)


@student_required
def report_create(request, record_pk: int):
    record = record_for_student(request, record_pk)
    form = ReportCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        months = form.cleaned_data["months"]
        try:
            report = services.report_create(
                record=record, by=request.user, months=months, ip=client_ip(request)
            )
        except RecordError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("在线验证报告已生成。"))
            return redirect("reports:report_detail", pk=report.pk)
    return render(request, "records/online_reports/create.html", {"record": record, "form": form})


@student_required
def report_detail(request, pk: int):
    report = online_report_for_owner(request, pk)
    status = _status(report)
    context = {
        "report": report,
        "status": status,
        "code": services.code_display(report.code),
        "fields": _report_rows(report.record),
        "extend_form": ReportExtendForm(),
    }
    # Who opened it: when and from which network (masked), not just how often.
    context["viewings"], context["more_viewings"] = report_viewings(
        OnlineReport.objects.filter(pk=report.pk)
    )
    if status["code"] == services.VALID:
        url = request.build_absolute_uri(reverse("reports:report_public", args=[report.code]))
        context["public_url"] = url
        # A data: URI image: the CSP allows img-src data:, and no inline script is needed.
        qr = segno.make(url, error="m")
        context["qr_uri"] = qr.svg_data_uri(scale=QR_SCALE, light="#fff")
        context["qr_size"] = qr.symbol_size(scale=QR_SCALE)[0]
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
        "fields": _report_rows(report.record),
    }
    return render(request, "records/online_reports/public.html", context)
