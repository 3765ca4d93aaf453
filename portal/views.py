"""Pages of the portal as a whole: home, job progress, audit trail, health, error pages."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.decorators import role_required, student_required
from accounts.models import AccountState, Role
from notices import hold
from notices.selectors import published_notices, reminder_delivery
from portal import dashboards, selectors
from portal.access import job_for_owner, result_for_owner
from portal.forms import AuditFilterForm
from portal.lib import audit
from portal.lib.health import health
from portal.lib.models import AuditEvent
from portal.lib.throttle import client_ip
from portal.lib.xlsx import xlsx_response
from records.services import binding


def home(request):
    """Public: the latest notices and help. Logged in: the person's own to-do list."""
    user = request.user
    context = {"notices": published_notices()[:5]}
    if not user.is_authenticated:
        return render(request, "portal/home_public.html", context)
    if user.state == AccountState.PENDING:
        return redirect("accounts:identity")
    if user.is_student:
        # The same binding as 学籍信息 (right after registering, home already shows her
        # record); binding is not looking: first_viewed_at stays for 学籍信息 (seed 001).
        binding.records_bind(by=user, ip=client_ip(request))
    context.update(dashboards.for_user(user))
    if "todo" in context:
        hold.remember(request, context["todo"].required)
    return render(request, context.pop("template"), context)


@student_required
def todo(request):
    """待办事项: what is left (notices.todo), where a student with a required task open
    lands at log-in (notices.hold); from here she may go on anywhere, to the page she
    asked for first (`next`) too."""
    binding.records_bind(by=request.user, ip=client_ip(request))
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or next_url.startswith(reverse("todo")):
        next_url = ""
    context = {**dashboards.student_todo_page(request.user), "next": next_url}
    hold.remember(request, context["todo"].required)
    return render(request, "portal/todo.html", context)


@never_cache
@require_safe
def healthz(request):
    """For load balancers and monitors: no log-in, no session, no personal data; 200 when
    the database, cache, storage and task queue answer, else 503 (portal.lib.health)."""
    healthy, report = health()
    return JsonResponse(report, status=200 if healthy else 503)


def favicon(request):
    """/favicon.ico, which browsers ask for by themselves (a photo opened on its own, for
    one): the portal's icon, instead of a 404 in the console."""
    return redirect(static("img/favicon.svg"))


# Jobs whose page also follows what happened after they finished: reminders are sent,
# and retried, by the outbox (accounts.outbox) after the job has queued them.
REMINDER_JOBS = ("notices.remind", "notices.diploma_remind")


@login_required
def job_detail(request, pk):
    job = job_for_owner(request, pk)
    context = {"job": job}
    if job.kind in REMINDER_JOBS and job.is_finished:
        context["delivery"] = reminder_delivery(job)
    return render(request, "portal/job_detail.html", context)


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


@role_required(Role.REGISTRAR)
def audit_log(request):
    """The trail, newest first; by kind of action (a prefix such as "notices.") and by
    student (学号): every event that names her, a look at a photo or an export alike."""
    form = AuditFilterForm(request.GET)
    if form.is_valid():
        events = selectors.audit_trail(request.user, **form.cleaned_data)
    else:  # e.g. a NUL character: said on the page, nothing listed
        events = AuditEvent.objects.none()
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "portal/audit_log.html", {"page": page, "form": form})


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    return render(request, "500.html", status=500)
