"""The staff's photo pages: progress per cohort and college, graduates without a
confirmed diploma photo (and its .xlsx), the 有误 queue with a replacement upload, and
the registrar's batch import with its reports and ratings."""

import uuid

from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from imaging import selectors, services, tasks
from imaging.access import (
    batch_for_read,
    disputed_photo_for_close,
    institution_for_import,
    record_for_upload,
    replaces_photos,
)
from imaging.actions import missing_diploma_actions
from imaging.errors import PhotoError
from imaging.filters import (
    DisputeFilter,
    MissingDiplomaFilter,
    diploma_label,
    missing_diploma_filter_words,
    missing_diploma_filters,
    missing_diploma_params,
)
from imaging.forms import BatchUploadForm, DisputeCloseForm, OverviewFilterForm, PhotoUploadForm
from imaging.models import EntryOutcome, Photo, PhotoKind
from imaging.tables import DisputeTable, MissingDiplomaTable
from portal.lib import jobs
from portal.lib.audit import StudentRef, log_access
from portal.lib.tables import table_for
from portal.lib.throttle import client_ip
from portal.lib.xlsx import Report, download_name, report_bytes, xlsx_response
from records.exports import export_date, export_note, scope_label
from records.models import EnrollmentRecord
from records.selectors import class_suggestions

STAFF = (Role.COUNSELOR, Role.COLLEGE, Role.REGISTRAR)


@role_required(*STAFF)
def manage(request):
    """照片管理: what each staff role can do with photos."""
    is_registrar = replaces_photos(request.user)
    disputes = selectors.dispute_queue(request.user).count() if is_registrar else 0
    return render(
        request, "imaging/manage.html", {"is_registrar": is_registrar, "n_disputes": disputes}
    )


@role_required(*STAFF)
def overview(request):
    """Per cohort and college: photos missing, unverified, confirmed, disputed."""
    form = OverviewFilterForm(request.GET or None)
    kind = (form.is_valid() and form.cleaned_data["kind"]) or PhotoKind.ENROLLMENT
    rows = selectors.photo_progress(request.user, kind=kind)
    context = {
        "form": form,
        "kind_label": PhotoKind(kind).label,
        "rows": rows,
        "totals": selectors.progress_totals(rows),
    }
    return render(request, "imaging/overview.html", context)


def _graduation_year(request) -> tuple[int | None, list[int]]:
    years = selectors.graduation_years(request.user)
    try:
        asked = int(request.GET.get("year", ""))
    except ValueError:
        asked = None
    if asked in years:
        return asked, years
    this_year = timezone.localdate().year
    upcoming = [year for year in years if year >= this_year]
    return (upcoming[0] if upcoming else (years[-1] if years else None)), years


def _graduates(request):
    """The graduates of the chosen year (the coming one by default) in the person's scope
    whose 学历照片 is not confirmed, as the filters keep them; the page and its export list
    the same."""
    year, years = _graduation_year(request)
    if year:
        filters = missing_diploma_filters(request.user, year, request.GET)
    else:
        filters = MissingDiplomaFilter(
            request.GET, EnrollmentRecord.objects.none(), user=request.user
        )
    return filters, year, years


@role_required(*STAFF)
def missing_diploma(request):
    """毕业生 whose 学历照片 is not confirmed: they cannot be put forward for diploma
    registration (seed 003)."""
    filters, year, years = _graduates(request)
    table = table_for(request, MissingDiplomaTable(filters.qs))
    context = {
        "filter": filters,
        "table": table,
        "suggestions": class_suggestions(request.user),
        "year": year,
        "years": years,
    }
    if table.paginator.count:
        context["actions"] = missing_diploma_actions(
            request.user, year, missing_diploma_params(request.GET)
        )
    return render(request, "imaging/missing_diploma.html", context)


def _missing_rows(graduates, students: list):
    for record in graduates.iterator(chunk_size=1000):
        students.append(StudentRef(record_id=record.pk, user_id=record.user_id))
        yield [
            record.student_number,
            record.name,
            record.masked_id_number,  # masked in every export (docs/security.md, PIPL)
            record.college.name,
            record.school_class.name if record.school_class else "",
            record.expected_graduation.isoformat(),
            record.get_status_display(),
            diploma_label(record.diploma_state),
        ]


@role_required(*STAFF)
def missing_diploma_export(request):
    filters, year, _years = _graduates(request)
    graduates = filters.qs
    header = [_("学号"), _("姓名"), _("证件号码"), _("学院"), _("班级"), _("预计毕业日期"),
              _("学籍状态"), _("学历照片")]  # fmt: skip
    students: list = []
    title = _("%(year)s届未确认学历照片名单") % {"year": year or ""}
    report = Report(
        title=title,
        note=export_note(request.user, *missing_diploma_filter_words(filters)),
        header=header,
        rows=_missing_rows(graduates, students),
        text_columns=(0, 2),
    )
    content = report_bytes(report)
    filename = download_name(title, scope_label(request.user), export_date())
    log_access(
        request.user,
        "imaging.missing_diploma_exported",
        None,
        students=students,
        changes={"file": filename},
        label=filename,
        ip=client_ip(request),
    )
    return xlsx_response(content, filename)


@role_required(Role.REGISTRAR)
def dispute_queue(request):
    """Photos reported 有误, with the student's reason; a new photo can be uploaded."""
    disputes = DisputeFilter(request.GET, selectors.dispute_queue(request.user), user=request.user)
    context = {
        "filter": disputes,
        "table": table_for(request, DisputeTable(disputes.qs)),
        "suggestions": class_suggestions(request.user),
    }
    return render(request, "imaging/dispute_queue.html", context)


def _back_to_disputes(request):
    """The queue with the filters, sort and page it was left with, as the filter and the
    table accept them (never an address from the request)."""
    disputes = DisputeFilter(request.GET, Photo.objects.none(), user=request.user)
    disputes.is_valid()
    data = request.GET
    kept = {
        name: data[name]
        for name in disputes.form.fields
        if data.get(name) and name not in disputes.form.errors
    }
    if data.get("sort", "").lstrip("-") in DisputeTable.sortable():
        kept["sort"] = data["sort"]
    if data.get("page", "").isdigit():
        kept["page"] = data["page"]
    query = urlencode(kept)
    return redirect(reverse("imaging:dispute_queue") + (f"?{query}" if query else ""))


@require_POST
@role_required(Role.REGISTRAR)
def dispute_close(request, token: str):
    """Close a 有误 without a new photo, with the reason the student will read."""
    photo = disputed_photo_for_close(request, token)
    form = DisputeCloseForm(request.POST)
    if not form.is_valid():  # a NUL character
        messages.error(request, form.errors["reason"][0])
        return _back_to_disputes(request)
    try:
        services.photo_dispute_close(
            photo=photo, by=request.user, reason=form.cleaned_data["reason"], ip=client_ip(request)
        )
    except PhotoError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("已处理%(name)s的%(kind)s，并已通知学生。")
            % {"name": photo.record.name, "kind": photo.get_kind_display()},
        )
    return _back_to_disputes(request)


@role_required(Role.REGISTRAR)
def photo_upload(request, pk: int):
    """One new photo for one record: replaces the current one and resets the state."""
    record = record_for_upload(request, pk)
    initial = {"kind": request.GET.get("kind") or PhotoKind.ENROLLMENT}
    form = PhotoUploadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            photo = services.photo_upload(
                record=record,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                by=request.user,
                ip=client_ip(request),
            )
        except PhotoError as error:
            form.add_error("file", error.message)
        else:
            messages.success(
                request,
                _("已上传新的%(kind)s，校对状态已重置为“尚未校对”，并已通知学生。")
                % {"kind": photo.get_kind_display()},
            )
            return redirect("imaging:dispute_queue")
    context = {"record": record, "form": form, "photos": selectors.current_photos(record)}
    return render(request, "imaging/photo_upload.html", context)


@role_required(Role.REGISTRAR, admins=False)
def batch_import(request):
    """Upload a zip of photos; the import runs in the background with progress."""
    institution_id = institution_for_import(request)
    form = BatchUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        # Our name, never the user's; private storage, deleted when the job ends.
        name = default_storage.save(
            f"imports/photos-{uuid.uuid4().hex}.zip", form.cleaned_data["file"]
        )
        job = jobs.job_start(
            owner=request.user,
            kind="imaging.photo_batch",
            title=_("导入照片（%(kind)s）") % {"kind": PhotoKind(form.cleaned_data["kind"]).label},
            task=tasks.import_photo_batch,
            params={
                "file": name,
                "kind": form.cleaned_data["kind"],
                "source": form.cleaned_data["source"],
                "institution": institution_id,
            },
        )
        return redirect(job)
    return render(request, "imaging/batch_import.html", {"form": form})


@role_required(Role.REGISTRAR)
def batch_list(request):
    """Every batch with its counts and the students' quality ratings (seed 004)."""
    page = Paginator(selectors.batches_with_ratings(request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "imaging/batch_list.html", {"page": page})


@role_required(Role.REGISTRAR)
def batch_detail(request, pk: int):
    """The import report, file by file, and the ratings of the batch's photos."""
    batch = batch_for_read(request, pk)
    outcome = request.GET.get("outcome", "")
    if outcome not in EntryOutcome.values:
        outcome = ""
    entries = selectors.batch_entries(batch, outcome=outcome)
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    context = {
        "batch": batch,
        "counts": [(value, label, batch.counts[value]) for value, label in EntryOutcome.choices],
        "outcome": outcome,
        "page": page,
        "ratings": selectors.rating_distribution(batch),
        "comments": selectors.rating_comments(batch),
    }
    # The page lists the matched students by name and 学号 (PIPL trail: who looked).
    log_access(
        request.user,
        "imaging.batch_viewed",
        batch,
        students=[entry.record for entry in page.object_list if entry.record_id is not None],
        ip=client_ip(request),
    )
    return render(request, "imaging/batch_detail.html", context)
