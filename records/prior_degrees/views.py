"""专升本: 绑定专科学历 (the student), the 专升本 list and its .xlsx (staff)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.decorators import role_required, student_required
from accounts.models import Role
from portal.lib.tables import table_for
from portal.lib.throttle import client_ip
from portal.lib.xlsx import download_name
from records import exports
from records.access import record_for_student
from records.errors import RecordError
from records.filters import PriorDegreeFilter, prior_degree_filter_words
from records.forms import DegreeBindForm
from records.selectors import class_suggestions, zsb_records
from records.services import prior_degrees
from records.tables import PriorDegreeTable

STAFF = (Role.COUNSELOR, Role.COLLEGE, Role.REGISTRAR)


@student_required
def prior_degree_bind(request, pk: int):
    """绑定专科学历: certificate number, graduation year and school of her 专科 diploma
    (seed 002 "我还有学历没显示出来"), for one of her own 本科 records."""
    record = record_for_student(request, pk)
    if not prior_degrees.can_bind_prior_degree(record):
        messages.info(request, _("该学籍不需要绑定专科学历，或已关联专科学历。"))
        return redirect("records:my_records")
    form = DegreeBindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            prior_degrees.prior_degree_bind(
                by=request.user, record=record, **form.cleaned_data, ip=client_ip(request)
            )
        except RecordError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("专科学历绑定成功，请核对专科学历信息。"))
            return redirect("records:my_records")
    return render(request, "records/prior_degree_bind.html", {"record": record, "form": form})


def _filtered(request) -> PriorDegreeFilter:
    """The 专升本 students in the person's scope as the filters keep them: the page and its
    export list the same."""
    return PriorDegreeFilter(request.GET, zsb_records(request.user), user=request.user)


@role_required(*STAFF)
def zsb_list(request):
    """专升本学生的专科学历: who has not had her 专科 degree found, bound or confirmed (seed
    003: 专升本学生……则是专科学历有问题，需要核查专科资格)."""
    filters = _filtered(request)
    context = {
        "filter": filters,
        "table": table_for(request, PriorDegreeTable(filters.qs)),
        "suggestions": class_suggestions(request.user),
    }
    return render(request, "records/zsb_list.html", context)


@require_GET
@role_required(*STAFF)
def zsb_export(request):
    """The list as filtered, as .xlsx (ID numbers masked); the export names every student
    in it (PIPL)."""
    filters = _filtered(request)
    students: list = []
    content = exports.prior_degree_workbook(
        filters.qs,
        note=exports.export_note(request.user, *prior_degree_filter_words(filters)),
        students=students,
    )
    filename = download_name(
        _("专升本学生专科学历名单"), exports.scope_label(request.user), exports.export_date()
    )
    return exports.audited_download(request, "records.zsb_exported", students, filename, content)
