"""Pages of the portal as a whole: home, job progress, audit trail, error pages."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.shortcuts import redirect, render

from accounts.access import audit_events_for
from accounts.decorators import role_required
from accounts.models import AccountState, Role
from notices.models import Notice
from portal import dashboards
from portal.access import job_for_owner, result_for_owner
from portal.forms import AuditFilterForm
from portal.lib import audit
from portal.lib.models import AuditSubject
from portal.lib.throttle import client_ip
from portal.lib.xlsx import xlsx_response
from records.models import EnrollmentRecord


def home(request):
    """Public: the latest notices and help. Logged in: the person's own to-do list."""
    user = request.user
    context = {"notices": Notice.objects.published().select_related("institution")[:5]}
    if not user.is_authenticated:
        return render(request, "portal/home_public.html", context)
    if user.state == AccountState.PENDING:
        return redirect("accounts:identity")
    context.update(dashboards.for_user(user))
    return render(request, context.pop("template"), context)


@login_required
def job_detail(request, pk):
    return render(request, "portal/job_detail.html", {"job": job_for_owner(request, pk)})


@login_required
def job_status(request, pk):
    job = job_for_owner(request, pk)
    return JsonResponse(
        {
            "state": job.state,
            "state_display": job.get_state_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "message": job.message,
            "error": job.error,
            "finished": job.is_finished,
        }
    )


@login_required
def job_download(request, pk):
    job = result_for_owner(request, pk)
    # PIPL: the file leaves the portal; the students are those its export event named.
    audit.log_access(
        request.user,
        audit.JOB_DOWNLOADED,
        job,
        students=audit.exported_students(job),
        changes={"file": job.result_filename},
        ip=client_ip(request),
    )
    return xlsx_response(job.result_file, job.result_filename)


def _subject_count():
    named = (
        AuditSubject.objects.filter(event=OuterRef("pk"))
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(named), 0)


@role_required(Role.REGISTRAR)
def audit_log(request):
    """The trail, newest first; by kind of action (a prefix such as "notices.") and by
    student (学号): every event that names her, a look at a photo or an export alike."""
    events = audit_events_for(request.user).annotate(n_students=_subject_count())
    form = AuditFilterForm(request.GET)
    if form.is_valid():
        action, student = form.cleaned_data["action"], form.cleaned_data["student"]
    else:  # e.g. a NUL character: said on the page, nothing listed
        events, action, student = events.none(), "", ""
    if action:
        events = events.filter(action__startswith=action)
    if student:
        records = EnrollmentRecord.objects.visible_to(request.user).filter(student_number=student)
        users = records.exclude(user=None).values("user")
        events = events.concerning(users=users, records=records)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "action": action, "student": student}
    return render(request, "portal/audit_log.html", context)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    return render(request, "500.html", status=500)
