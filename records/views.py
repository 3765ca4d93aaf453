"""Record pages: the student's 学籍信息 and self-check, and the staff's classes, records
and the registrar's 有误 queue. Views parse, call a service, and render."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required, student_required
from accounts.models import Role
from portal.lib import idnumbers, jobs
from portal.lib.audit import StudentRef, log_access
from portal.lib.files import private_file_response
from portal.lib.models import AuditEvent
from records import tasks
from records.access import class_for_read, record_for_read
from records.campaign import current_notice
from records.errors import FieldErrors, RecordError
from records.forms import (
    BindFactsForm,
    DecisionForm,
    DegreeBindForm,
    QueueFilterForm,
    RecordEditForm,
    RecordSearchForm,
    ReportForm,
    show_errors,
)
from records.models import (
    DegreeRecord,
    DiscrepancyEvidence,
    DiscrepancyItem,
    DiscrepancyReport,
    EnrollmentRecord,
    ReportState,
    SchoolClass,
)
from records.panels import record_panels
from records.rules import label as field_label
from records.selectors import (
    class_progress,
    record_field_rows,
    with_state,
)
from records.self_check import check_state
from records.services import binding, checks, corrections
from records.services.search import search_records

STAFF = (Role.COUNSELOR, Role.COLLEGE, Role.REGISTRAR)


def _open_reports(records) -> dict[int, DiscrepancyReport]:
    reports = DiscrepancyReport.objects.filter(record__in=records).order_by("created_at")
    reports = reports.prefetch_related("items")
    latest: dict[int, DiscrepancyReport] = {}
    for report in reports:
        latest[report.record_id] = report
    return latest


@student_required
def my_records(request):
    """学籍信息: opening it binds the matching records and records that the student
    looked (seed 001); with nothing bound it says which case of seed 003 applies. A
    未注册 record of hers is shown read-only, unbound; each record says whether it can
    be checked, and if not why (records.self_check)."""
    user = request.user
    records = list(
        binding.with_bindable(checks.with_last_revocation(with_state(related=True)), user)
    )
    degrees = list(binding.with_bindable(_degrees(), user))
    if any(binding.is_bindable(found) for found in records + degrees):
        binding.records_bind(user=user, request=request)
        records = list(
            binding.with_bindable(checks.with_last_revocation(with_state(related=True)), user)
        )
        degrees = list(_degrees().filter(user=user))
    bound = [record for record in records if record.user_id == user.pk]
    binding.records_mark_viewed(records=bound)
    panels, reports = record_panels(bound), _open_reports(bound)
    items = [
        {
            "record": record,
            "bound": record.user_id == user.pk,
            "check": check_state(record),
            "fields": record_field_rows(record, full_id=True),
            "panels": panels.get(record.pk, []),
            "report": reports.get(record.pk),
        }
        for record in records
    ]
    context = {
        "items": items,
        "degrees": degrees,
        "diagnosis": None if records else binding.binding_diagnosis(user),
        "notice": current_notice(user, bound),
    }
    return render(request, "records/my_records.html", context)


def _degrees():
    return DegreeRecord.objects.select_related("institution")


@student_required
def bind_more(request):
    """还有学籍没有显示出来？尝试绑定学籍 / 我还有学历没显示出来."""
    facts_form = BindFactsForm(request.POST if "bind_record" in request.POST else None)
    degree_form = DegreeBindForm(
        request.POST if "bind_degree" in request.POST else None, prefix="degree"
    )
    try:
        if facts_form.is_bound and facts_form.is_valid():
            binding.record_bind_by_facts(
                user=request.user, **facts_form.cleaned_data, request=request
            )
            messages.success(request, _("绑定成功。"))
            return redirect("records:my_records")
        if degree_form.is_bound and degree_form.is_valid():
            binding.degree_bind(user=request.user, **degree_form.cleaned_data, request=request)
            messages.success(request, _("学历绑定成功。"))
            return redirect("records:my_records")
    except RecordError as error:
        (facts_form if facts_form.is_bound else degree_form).add_error(None, error.message)
    return render(
        request, "records/bind_more.html", {"facts_form": facts_form, "degree_form": degree_form}
    )


def _own_record(request, pk: int) -> EnrollmentRecord:
    return get_object_or_404(EnrollmentRecord.objects.with_related(), pk=pk, user=request.user)


@student_required
def record_confirm(request, pk: int):
    """正确, after a second confirmation (seed 004 shows a 再次确认 dialog)."""
    record = _own_record(request, pk)
    checkable, reason = check_state(record)
    if request.method == "POST":
        try:
            checks.record_confirm(record=record, user=request.user, request=request)
        except RecordError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已确认：学籍信息正确。"))
        return redirect("records:my_records")
    if not checkable:  # no dialog for a record that cannot be confirmed: say why
        messages.error(request, reason)
        return redirect("records:my_records")
    return render(request, "records/record_confirm.html", {"record": record})


@student_required
def report_create(request, pk: int):
    """有误: tick the wrong fields, give the right values, explain, attach evidence."""
    record = _own_record(request, pk)
    form = ReportForm(request.POST or None, request.FILES or None, record=record)
    if request.method == "POST" and form.is_valid():
        evidence = [checks.Evidence(kind=k, upload=f) for k, f in form.evidence]
        try:
            checks.report_submit(
                record=record,
                user=request.user,
                claims=form.claims,
                explanation=form.cleaned_data["explanation"],
                evidence=evidence,
                request=request,
            )
        except FieldErrors as error:
            form.show_errors(error.errors)
        except RecordError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("有误申请已提交，学籍管理部门核实后会通知您。"))
            return redirect("records:my_records")
    notice = current_notice(request.user)
    context = {
        "record": record,
        "form": form,
        "notice": notice,
        # Said before the form, not after she has uploaded everything.
        "deadline_passed": checks.deadline_passed(notice),
    }
    return render(request, "records/discrepancy_create.html", context)


@require_POST
@student_required
def report_withdraw(request, pk: int):
    report = get_object_or_404(DiscrepancyReport, pk=pk, user=request.user)
    try:
        checks.report_withdraw(report=report, user=request.user, request=request)
    except RecordError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("申请已撤回。"))
    return redirect("records:my_records")


@login_required
def evidence_file(request, token: str):
    """Evidence scans: the student who sent them and the staff in scope only."""
    reports = DiscrepancyReport.objects.visible_to(request.user) | DiscrepancyReport.objects.filter(
        user=request.user
    )
    evidence = get_object_or_404(DiscrepancyEvidence, token=token, report__in=reports)
    report = evidence.report
    if report.user_id != request.user.pk:
        log_access(
            request.user,
            "records.evidence_viewed",
            report,
            students=[StudentRef(record_id=report.record_id, user_id=report.user_id)],
            changes={"evidence": evidence.pk},
            request=request,
        )
    is_pdf = evidence.content_type == "application/pdf"
    return private_file_response(
        evidence.file,
        content_type=evidence.content_type,
        filename=f"evidence-{evidence.pk}{evidence.extension}",
        attachment=is_pdf,
    )


@login_required
def record_detail(request, pk: int):
    record = record_for_read(request, pk)
    # Full ID number, birth date and 生源 for the holder only (portal.lib.idnumbers.mask);
    # the registrar sees them where she corrects the record (record_edit, the queue).
    full_id = request.user.pk == record.user_id
    context = {
        "record": record,
        "fields": record_field_rows(record, full_id=full_id),
        "panels": record_panels([record]).get(record.pk, []),
        "can_edit": request.user.role == Role.REGISTRAR or request.user.is_admin,
    }
    return render(request, "records/record_detail.html", context)


@role_required(*STAFF)
def class_list(request):
    classes = class_progress(SchoolClass.objects.visible_to(request.user)).order_by(
        "college__code", "-cohort", "code"
    )
    return render(request, "records/class_list.html", {"classes": classes})


@role_required(*STAFF)
def class_detail(request, pk: int):
    school_class = class_for_read(request, pk)
    records = (
        with_state()
        .visible_to(request.user)
        .filter(school_class=school_class)
        # A row shows these and the state (record_state reads status and user_id, not
        # the user).
        .only("student_number", "name", "id_number", "status", "user_id", "first_viewed_at")
        .order_by("student_number")
    )
    return render(
        request, "records/class_detail.html", {"school_class": school_class, "records": records}
    )


@role_required(Role.REGISTRAR, Role.COLLEGE)
def record_list(request):
    """Search the records in scope by name, student number, examinee or ID number.

    The query comes only in a POST body (with its CSRF token), never in a URL, where an ID
    number would be kept by access logs, proxies and the browser's history; a `q` in a GET
    is ignored and never shown. Each search is audited with the query masked and the
    students found as its subjects; searches by ID number are limited per account
    (records.services.search). A GET lists the records in scope, page by page."""
    if request.method == "GET" and "q" in request.GET:
        # An old link or bookmark: drop the query from the address, search nothing.
        messages.info(request, _("查询内容不能放在网址中，请在下方查询框中输入后查询。"))
        return redirect("records:record_list")
    records = EnrollmentRecord.objects.visible_to(request.user).select_related(
        "college", "school_class", "major"
    )
    form = RecordSearchForm(request.POST if request.method == "POST" else None)
    if not form.is_valid():
        page = Paginator(records.order_by("student_number"), 50).get_page(request.GET.get("page"))
        return render(request, "records/record_list.html", {"page": page, "form": form})
    query = form.cleaned_data["q"].strip()
    try:
        found = search_records(request.user, records, query).order_by("student_number")
    except RecordError as error:  # too many searches by ID number: nothing is looked up
        form.add_error(None, error.message)
        page = Paginator(records.none(), 50).get_page(1)
        return render(request, "records/record_list.html", {"page": page, "form": form})
    page = Paginator(found, 50).get_page(form.cleaned_data["page"])
    page.object_list = list(page.object_list)
    log_access(
        request.user,
        "records.searched",
        None,
        students=page.object_list,
        changes={"q": idnumbers.mask(query), "found": page.paginator.count},
        label=_("查询学籍"),
        request=request,
    )
    context = {"page": page, "form": form, "query": query}
    return render(request, "records/record_list.html", context)


@require_POST
@role_required(*STAFF)
def roster_export(request):
    """Start an export of the records in scope (ID numbers masked) as a background job."""
    job = jobs.job_start(
        owner=request.user,
        kind="records.roster_export",
        title=_("导出学生名单"),
        task=tasks.export_roster,
    )
    return redirect(job)


# The registrar's 有误 queue --------------------------------------------------------------


def _filtered_reports(request, form):
    reports = DiscrepancyReport.objects.visible_to(request.user)
    if not form.is_valid():
        return reports.filter(state=ReportState.SUBMITTED)
    data = form.cleaned_data
    reports = reports.filter(state=data["state"]) if data["state"] else reports
    if data["college"]:
        reports = reports.filter(record__college=data["college"])
    if data["school_class"]:
        klass = data["school_class"]
        reports = reports.filter(
            Q(record__school_class__code=klass) | Q(record__school_class__name=klass)
        )
    if data["field"]:
        reports = reports.filter(
            Exists(DiscrepancyItem.objects.filter(report=OuterRef("pk"), field=data["field"]))
        )
    if data["older_than"]:
        reports = reports.filter(
            created_at__lte=timezone.now() - timedelta(days=data["older_than"])
        )
    return reports


def _evidence_count():
    files = (
        DiscrepancyEvidence.objects.filter(report=OuterRef("pk"))
        .order_by()
        .values("report")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(files), 0)


@role_required(Role.REGISTRAR)
def report_queue(request):
    # Open reports unless the registrar chose a state ("全部" sends an empty one); a page
    # link carries the filters but may lack the state, and must not widen the list.
    params = request.GET.copy()
    params.setdefault("state", ReportState.SUBMITTED)
    form = QueueFilterForm(params, user=request.user)
    reports = (
        # No join in the filters, so no DISTINCT, and the evidence count is a subquery:
        # neither the page nor the paginator's count groups every report in scope.
        _filtered_reports(request, form)
        .select_related("record__college", "record__school_class")
        # What a row shows, no more: the records' 35 columns cost more than the query.
        .only(
            "created_at",
            "state",
            "record__student_number",
            "record__name",
            "record__college__name",
            "record__school_class__name",
        )
        .prefetch_related(Prefetch("items", queryset=DiscrepancyItem.objects.order_by("pk")))
        .annotate(n_evidence=_evidence_count())
        .order_by("created_at")
    )
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    return render(request, "records/discrepancy_queue.html", {"form": form, "page": page})


@role_required(Role.REGISTRAR)
def report_detail(request, pk: int):
    queryset = DiscrepancyReport.objects.visible_to(request.user).select_related(
        "record",
        "record__institution",
        "record__major",
        "record__college",
        "record__school_class",
        "user",
        "reviewer",
        "notice_link__notice",  # the notice it was filed under (notices.links)
    )
    report = get_object_or_404(queryset, pk=pk)
    form = DecisionForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        try:
            _decide(request, report, form)
        except RecordError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("处理结果已保存，已通知学生。"))
            return redirect("records:report_queue")
    record = report.record
    context = {
        "report": report,
        "form": form,
        "record": record,
        "items": _labelled(report.items.all()),
        "evidence": report.evidence.all(),
        "history": DiscrepancyReport.objects.filter(record=record)
        .exclude(pk=report.pk)
        .order_by("-created_at"),
        "trail": AuditEvent.objects.filter(
            target_type=record._meta.label, target_id=str(record.pk)
        )[:20],
    }
    log_access(request.user, "records.viewed", record, students=[record], request=request)
    return render(request, "records/discrepancy_detail.html", context)


def _labelled(items):
    items = list(items)
    for item in items:
        item.label = field_label(item.field)
    return items


def _decide(request, report, form) -> None:
    if form.cleaned_data["decision"] == "accept":
        corrections.report_accept(
            report=report,
            reviewer=request.user,
            fields=form.cleaned_data["fields_to_apply"],
            note=form.cleaned_data["note"],
            request=request,
        )
    else:
        corrections.report_reject(
            report=report, reviewer=request.user, reason=form.reason, request=request
        )


@role_required(Role.REGISTRAR)
def record_edit(request, pk: int):
    """A direct correction of a record, with a mandatory reason, audited."""
    record = get_object_or_404(
        EnrollmentRecord.objects.visible_to(request.user).with_related(), pk=pk
    )
    form = RecordEditForm(request.POST or None, record=record)
    if request.method == "POST" and form.is_valid():
        try:
            corrections.record_edit(
                record=record,
                editor=request.user,
                values=form.changed_values(),
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except FieldErrors as error:
            show_errors(form, error.errors)
        except RecordError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("学籍已修改，已通知学生重新确认。"))
            return redirect("records:record_detail", pk=record.pk)
    # The edit page shows the full record, ID number included (PIPL: audited).
    log_access(request.user, "records.edit_viewed", record, students=[record], request=request)
    return render(request, "records/record_edit.html", {"record": record, "form": form})
