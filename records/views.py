"""Record pages: the student's 学籍信息, and the staff's classes and records."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.decorators import role_required, student_required
from accounts.models import Role
from imaging.models import Photo
from portal import jobs
from records import tasks
from records.access import class_for_read, record_for_read
from records.models import EnrollmentRecord, SchoolClass
from records.selectors import class_progress, record_field_rows, records_with_state

STAFF = (Role.COUNSELOR, Role.COLLEGE, Role.REGISTRAR)


def _photos_of(records) -> dict[int, list[Photo]]:
    photos: dict[int, list[Photo]] = {}
    for photo in Photo.objects.current().filter(record__in=records).order_by("kind"):
        photos.setdefault(photo.record_id, []).append(photo)
    return photos


@student_required
def my_records(request):
    """学籍信息: every record bound to the account. Opening it records that the student
    looked (seed 001: the portal must know who checked)."""
    records = list(
        records_with_state(EnrollmentRecord.objects.filter(user=request.user).with_related())
    )
    unseen = [r.pk for r in records if r.first_viewed_at is None]
    if unseen:
        EnrollmentRecord.objects.filter(pk__in=unseen).update(first_viewed_at=timezone.now())
    photos = _photos_of(records)
    items = [
        {
            "record": record,
            "fields": record_field_rows(record, full_id=True),
            "photos": photos.get(record.pk, []),
        }
        for record in records
    ]
    return render(request, "records/my_records.html", {"items": items})


@login_required
def record_detail(request, pk: int):
    record = record_for_read(request, pk)
    full_id = request.user.pk == record.user_id or request.user.role in (
        Role.REGISTRAR,
        Role.ADMIN,
    )
    context = {
        "record": record,
        "fields": record_field_rows(record, full_id=full_id),
        "photos": _photos_of([record]).get(record.pk, []),
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
    records = records_with_state(
        EnrollmentRecord.objects.visible_to(request.user)
        .filter(school_class=school_class)
        .select_related("user")
    ).order_by("student_number")
    context = {"school_class": school_class, "records": records}
    return render(request, "records/class_detail.html", context)


@role_required(Role.REGISTRAR, Role.COLLEGE)
def record_list(request):
    """Search the records in scope by name, student number, examinee or ID number."""
    query = request.GET.get("q", "").strip()
    records = EnrollmentRecord.objects.visible_to(request.user).select_related(
        "college", "school_class", "major"
    )
    if query:
        records = records.filter(
            Q(name=query)
            | Q(student_number=query)
            | Q(examinee_number=query)
            | Q(id_number=query.upper())
        )
    page = Paginator(records.order_by("student_number"), 50).get_page(request.GET.get("page"))
    return render(request, "records/record_list.html", {"page": page, "query": query})


@require_POST
@role_required(*STAFF)
def roster_export(request):
    """Start an export of the records in scope (ID numbers masked) as a background job."""
    job = jobs.job_start(
        owner=request.user,
        kind="records.roster_export",
        title="导出学生名单",
        task=tasks.export_roster,
    )
    return redirect(job)
