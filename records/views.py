"""Record pages: the student's 学籍信息 and self-check, and the staff's classes, records
and the registrar's 有误 queue. Views parse, call a service, and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required, student_required
from accounts.models import Role
from portal.lib import idnumbers, jobs
from portal.lib.audit import log_access
from portal.lib.files import private_file_response
from portal.lib.tables import table_for
from portal.lib.throttle import client_ip
from portal.lib.xlsx import download_name
from records import exports, tasks
from records.access import (
    can_edit_records,
    class_for_read,
    degree_for_student,
    discrepancy_for_owner,
    discrepancy_for_review,
    evidence_for_read,
    record_for_edit,
    record_for_read,
    record_for_student,
)
from records.campaign import newest_first, record_notices
from records.errors import FieldErrors, RecordError
from records.filters import ClassFilter, RecordFilter
from records.forms import (
    BindFactsForm,
    CorrectionsRangeForm,
    DecisionForm,
    DegreeBindForm,
    DiscrepancyForm,
    QueueFilterForm,
    RecordEditForm,
    RecordSearchForm,
    show_errors,
)
from records.history.selectors import changes_since_confirmed, with_last_change
from records.models import ReportState
from records.panels import record_panels
from records.rules import label as field_label
from records.selectors import (
    accepted_corrections,
    class_members,
    class_progress,
    class_suggestions,
    classes_in_scope,
    degree_field_rows,
    degree_records,
    discrepancies_for_export,
    discrepancies_for_queue,
    discrepancy_history,
    latest_degree_discrepancy,
    latest_discrepancies,
    record_field_rows,
    record_trail,
    records_in_scope,
    with_state,
)
from records.self_check import check_state
from records.services import binding, checks, corrections, prior_degrees
from records.services.search import search_records
from records.tables import ClassTable, DiscrepancyTable, RecordTable

STAFF = (Role.COUNSELOR, Role.COLLEGE, Role.REGISTRAR)


def _own_records(user) -> list:
    """Her records and the unbound ones of her person (binding.with_bindable), with their
    state and what changed since her 正确 (with_last_change)."""
    return list(binding.with_bindable(with_last_change(with_state(related=True)), user))


def _own_degrees(user, records: list, *, bindable: bool) -> list:
    """Her degrees (and, `bindable`, the unbound ones of her person: binding.bindable_q),
    read with the prior 专科 degree of each of her 专升本 records, which is set on the
    record (records/_prior_degree.html) and listed only if it is one of those: one query
    either way. Joined to the records instead, the degree and its institution made
    PostgreSQL plan eight tables for every student's 学籍信息 (3 ms, though most students
    have no prior degree)."""
    mine = binding.bindable_q(user) if bindable else Q(user=user)
    prior = {record.prior_degree_id for record in records if record.prior_degree_id}
    if not prior:
        return list(degree_records().filter(mine))
    listed = ExpressionWrapper(mine, output_field=BooleanField())
    found = list(degree_records().filter(mine | Q(pk__in=prior)).annotate(listed=listed))
    by_pk = {degree.pk: degree for degree in found}
    for record in records:
        if record.prior_degree_id in by_pk:
            record.prior_degree = by_pk[record.prior_degree_id]
    return [degree for degree in found if degree.listed]


@student_required
def my_records(request):
    """学籍信息: opening it binds the matching records and records that the student
    looked (seed 001); with nothing bound it says which case of seed 003 applies. A
    未注册 record of hers is shown read-only, unbound; each record says whether it can
    be checked, and if not why (records.self_check)."""
    user = request.user
    records = _own_records(user)
    degrees = _own_degrees(user, records, bindable=True)
    if any(binding.is_bindable(found) for found in records + degrees):
        binding.records_bind(by=user, ip=client_ip(request))
        records = _own_records(user)
        degrees = _own_degrees(user, records, bindable=False)
    bound = [record for record in records if record.user_id == user.pk]
    binding.records_mark_viewed(records=bound)
    panels, reports = record_panels(bound), latest_discrepancies(bound)
    changes = changes_since_confirmed(bound, student=user)  # why her 正确 is open again
    items = [
        {
            "record": record,
            "bound": record.user_id == user.pk,
            "check": check_state(record),
            "fields": record_field_rows(record, full_id=True),
            "panels": panels.get(record.pk, []),
            "report": reports.get(record.pk),
            "changes": changes.get(record.pk),
        }
        for record in records
    ]
    context = {
        "items": items,
        "degrees": degrees,
        "diagnosis": None if records else binding.binding_diagnosis(user),
        # The notice each of her records is checked under (usually one for all).
        "notices": newest_first(record_notices(user, bound).values()),
    }
    return render(request, "records/my_records.html", context)


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
                by=request.user, **facts_form.cleaned_data, ip=client_ip(request)
            )
            messages.success(request, _("绑定成功。"))
            return redirect("records:my_records")
        if degree_form.is_bound and degree_form.is_valid():
            prior_degrees.bind_degree(
                by=request.user, **degree_form.cleaned_data, ip=client_ip(request)
            )
            messages.success(request, _("学历绑定成功。"))
            return redirect("records:my_records")
    except RecordError as error:
        (facts_form if facts_form.is_bound else degree_form).add_error(None, error.message)
    return render(
        request, "records/bind_more.html", {"facts_form": facts_form, "degree_form": degree_form}
    )


@student_required
def record_confirm(request, pk: int):
    """正确, after a second confirmation (seed 004 shows a 再次确认 dialog). The dialog
    names the record by its level, school and major; the audit, by its school."""
    record = record_for_student(request, pk, related=("institution", "major"))
    checkable, reason = check_state(record)
    if request.method == "POST":
        try:
            checks.record_confirm(record=record, by=request.user, ip=client_ip(request))
        except RecordError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已确认：学籍信息正确。"))
        return redirect("records:my_records")
    if not checkable:  # no dialog for a record that cannot be confirmed: say why
        messages.error(request, reason)
        return redirect("records:my_records")
    if closed := checks.confirm_closed(record):  # no dialog with nothing to confirm
        messages.info(request, closed)
        return redirect("records:my_records")
    return render(request, "records/record_confirm.html", {"record": record})


@student_required
def discrepancy_create(request, pk: int):
    """有误: tick the wrong fields, give the right values, explain, attach evidence."""
    record = record_for_student(request, pk)
    return _discrepancy_page(request, record, "record", reverse("records:my_records"))


def _discrepancy_page(request, subject, name: str, done_url: str):
    """The 有误 page of a 学籍 or a 学历 (`name` "record" or "degree": its template and
    its context's name); back to `done_url` once filed."""
    if closed := checks.report_closed(subject):  # said before she fills the form in
        messages.info(request, closed)
        return redirect(done_url)
    form = DiscrepancyForm(request.POST or None, request.FILES or None, record=subject)
    if request.method == "POST" and form.is_valid():
        evidence = [checks.Evidence(kind=k, upload=f) for k, f in form.evidence]
        try:
            checks.discrepancy_report(
                record=subject,
                by=request.user,
                claims=form.claims,
                explanation=form.cleaned_data["explanation"],
                evidence=evidence,
                ip=client_ip(request),
            )
        except FieldErrors as error:
            form.show_errors(error.errors)
        except RecordError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("有误申请已提交，学籍管理部门核实后会通知您。"))
            return redirect(done_url)
    notice = checks.notice_for(subject, request.user)
    context = {
        name: subject,
        "form": form,
        "notice": notice,
        # Said before the form, not after she has uploaded everything.
        "deadline_passed": checks.deadline_passed(notice),
    }
    template = (
        "records/degree_report.html" if name == "degree" else "records/discrepancy_create.html"
    )
    return render(request, template, context)


@require_POST
@student_required
def discrepancy_withdraw(request, pk: int):
    report = discrepancy_for_owner(request, pk)
    try:
        checks.discrepancy_withdraw(report=report, by=request.user, ip=client_ip(request))
    except RecordError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("申请已撤回。"))
    if report.is_of_degree:
        return redirect("records:degree_detail", pk=report.degree_id)
    return redirect("records:my_records")


# The graduate's 学历信息 -----------------------------------------------------------------


@student_required
def degree_detail(request, pk: int):
    """学历信息: every field of one of her degrees, its check state, 正确 / 有误 and her
    latest report. Opening it is her first look (as for a 学籍)."""
    degree = degree_for_student(request, pk)
    binding.degree_mark_viewed(degree=degree)
    context = {
        "degree": degree,
        "fields": degree_field_rows(degree),
        "report": latest_degree_discrepancy(degree),
    }
    return render(request, "records/degree_detail.html", context)


@student_required
def degree_confirm(request, pk: int):
    """学历信息正确, after a second confirmation, as for a 学籍."""
    degree = degree_for_student(request, pk)
    if request.method == "POST":
        try:
            checks.record_confirm(record=degree, by=request.user, ip=client_ip(request))
        except RecordError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已确认：学历信息正确。"))
        return redirect("records:degree_detail", pk=degree.pk)
    if closed := checks.confirm_closed(degree):  # no dialog with nothing to confirm
        messages.info(request, closed)
        return redirect("records:degree_detail", pk=degree.pk)
    return render(request, "records/degree_confirm.html", {"degree": degree})


@student_required
def degree_report(request, pk: int):
    """学历信息有误: the same form and service as a 学籍's, with the degree's fields."""
    degree = degree_for_student(request, pk)
    done_url = reverse("records:degree_detail", args=[degree.pk])
    return _discrepancy_page(request, degree, "degree", done_url)


@login_required
def evidence_file(request, token: str):
    """Evidence scans: the student who sent them and the staff in scope only."""
    evidence = evidence_for_read(request, token)
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
        "can_edit": can_edit_records(request.user),
    }
    return render(request, "records/record_detail.html", context)


@role_required(*STAFF)
def class_list(request):
    """班级 with their progress, filtered by college, cohort and class, sortable by each
    count."""
    classes = ClassFilter(request.GET, classes_in_scope(request.user), user=request.user)
    rows = class_progress(classes.qs)  # the counts of the filtered classes: two queries
    for row in rows:
        row.pct_done = round(row.n_confirmed * 100 / row.n_students) if row.n_students else 0
    table = table_for(request, ClassTable(rows), per_page=100)
    context = {
        "filter": classes,
        "table": table,
        "suggestions": class_suggestions(request.user),
    }
    return render(request, "records/class_list.html", context)


@role_required(*STAFF)
def class_detail(request, pk: int):
    school_class = class_for_read(request, pk)
    records = class_members(request.user, school_class)
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
    # The filters (college, class, cohort, state) and the sort are in the URL: no ID number.
    filters = RecordFilter(request.GET, records_in_scope(request.user), user=request.user)
    form = RecordSearchForm(request.POST if request.method == "POST" else None)
    context = {"filter": filters, "form": form, "suggestions": class_suggestions(request.user)}
    if not form.is_valid():
        context["table"] = table_for(request, RecordTable(filters.qs))
        return render(request, "records/record_list.html", context)
    query = form.cleaned_data["q"].strip()
    try:
        found = search_records(by=request.user, records=filters.qs, query=query)
    except RecordError as error:  # too many searches by ID number: nothing is looked up
        form.add_error(None, error.message)
        context["table"] = table_for(request, RecordTable(filters.qs.none()))
        return render(request, "records/record_list.html", context)
    table = table_for(request, RecordTable(found), page=form.cleaned_data["page"])
    students = [row.record for row in table.page.object_list]
    log_access(
        request.user,
        "records.searched",
        None,
        students=students,
        changes={"q": idnumbers.mask(query), "found": table.paginator.count},
        label=_("查询学籍"),
        request=request,
    )
    context.update(table=table, query=query)
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


def _queue_filters(request) -> tuple[QueueFilterForm, dict]:
    # Open reports unless the registrar chose a state ("全部" sends an empty one); a page
    # link carries the filters but may lack the state, and must not widen the list.
    params = request.GET.copy()
    params.setdefault("state", ReportState.SUBMITTED)
    form = QueueFilterForm(params, user=request.user)
    # A filter the form refuses shows the open reports, never more.
    filters = form.cleaned_data if form.is_valid() else {"state": ReportState.SUBMITTED}
    return form, filters


@role_required(Role.REGISTRAR)
def discrepancy_queue(request):
    form, filters = _queue_filters(request)
    reports = discrepancies_for_queue(request.user, **filters)
    table = DiscrepancyTable(reports, back=_queue_query(request.GET, user=request.user))
    context = {
        "form": form,
        "table": table_for(request, table),
        "suggestions": class_suggestions(request.user),
        "range_form": CorrectionsRangeForm(),
    }
    return render(request, "records/discrepancy_queue.html", context)


def _queue_query(data, *, user) -> str:
    """The 有误 queue's filters, sort and page as a query string, as the filter form and the
    table accept them: what a report's page carries and its decision returns to. Nothing
    else of the address travels (never a URL: no open redirect)."""
    form = QueueFilterForm(data, user=user)
    form.is_valid()
    kept = {name: data[name] for name in form.fields if name in data and name not in form.errors}
    if data.get("sort", "").lstrip("-") in DiscrepancyTable.sortable():
        kept["sort"] = data["sort"]
    if data.get("page", "").isdigit():
        kept["page"] = data["page"]
    return urlencode(kept)


@role_required(Role.REGISTRAR)
def discrepancy_queue_export(request):
    """The queue as filtered, one row a reported field (ID numbers masked), as .xlsx."""
    _form, filters = _queue_filters(request)
    students: list = []
    content = exports.queue_workbook(
        discrepancies_for_export(request.user, **filters),
        note=exports.export_note(request.user, *exports.queue_filter_words(filters)),
        students=students,
    )
    filename = download_name(
        _("学籍有误申请"), exports.scope_label(request.user), exports.export_date()
    )
    return exports.audited_download(request, "records.queue_exported", students, filename, content)


@role_required(Role.REGISTRAR)
def corrections_export(request):
    """The corrections accepted from `since` to `until` (YYYY-MM-DD, local days; from the
    first of the month to today when left out), for re-keying into 学信网, as .xlsx."""
    form = CorrectionsRangeForm(request.GET)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, error[0])
        return redirect("records:discrepancy_queue")
    since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    students: list = []
    days = f"{since:%Y-%m-%d} ~ {until:%Y-%m-%d}"
    content = exports.corrections_workbook(
        accepted_corrections(request.user, since=since, until=until),
        note=exports.export_note(request.user, _("处理日期：%(days)s") % {"days": days}),
        students=students,
    )
    filename = download_name(
        _("学籍更正明细"), exports.scope_label(request.user), f"{since:%Y%m%d}", f"{until:%Y%m%d}"
    )
    return exports.audited_download(
        request, "records.corrections_exported", students, filename, content
    )


@role_required(Role.REGISTRAR)
def discrepancy_detail(request, pk: int):
    report = discrepancy_for_review(request, pk)
    back = _queue_query(request.GET, user=request.user)
    form = DecisionForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        try:
            _decide(request, report, form)
        except RecordError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("处理结果已保存，已通知学生。"))
            # Back to the queue as the registrar left it: the same filters, sort and page.
            return redirect(reverse("records:discrepancy_queue") + (f"?{back}" if back else ""))
    record = report.subject
    context = {
        "report": report,
        "back": back,
        "form": form,
        "record": record,
        # A degree has no page of its own for staff: its fields are shown here, whole, as
        # to the registrar deciding a 学籍's report (PIPL: the look is audited below).
        "degree_fields": degree_field_rows(record) if report.is_of_degree else None,
        "items": _labelled(report.items.all()),
        "evidence": report.evidence.all(),
        "history": discrepancy_history(report),
        "trail": record_trail(record),
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
        corrections.discrepancy_accept(
            report=report,
            by=request.user,
            fields=form.cleaned_data["fields_to_apply"],
            note=form.cleaned_data["note"],
            ip=client_ip(request),
        )
    else:
        corrections.discrepancy_reject(
            report=report, by=request.user, reason=form.reason, ip=client_ip(request)
        )


@role_required(Role.REGISTRAR)
def record_edit(request, pk: int):
    """A direct correction of a record, with a mandatory reason, audited."""
    record = record_for_edit(request, pk)
    form = RecordEditForm(request.POST or None, record=record)
    if request.method == "POST" and form.is_valid():
        try:
            corrections.record_edit(
                record=record,
                by=request.user,
                values=form.changed_values(),
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
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
