"""The portal's URLs plus the ceilings of bench/pages.py (bench/settings.py only).

The ceiling page is the least a logged-in page of this stack can cost: the same middleware
and context processors, a session, the user, one query and a 20-row template. A portal
page is measured as a fraction of it.

The ceiling flow is the least the deadline surge's five requests can cost: a log-in page,
a log-in through the same authentication backend and password hasher, a small page, a
form and one write — each as plain as Django allows, behind the same middleware. The
surge is measured as a fraction of it.
"""

from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template import engines
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.urls import handler403, handler404, handler500  # noqa: F401 - the URLconf's
from records.models import EnrollmentRecord

TEMPLATE = engines["django"].from_string(
    """<!doctype html>
<html lang="zh-hans"><head><meta charset="utf-8"><title>ceiling</title></head>
<body><p>{{ user.real_name }}</p>
<table>{% for r in rows %}
<tr><td>{{ forloop.counter }}</td><td>{{ r.student_number }}</td><td>{{ r.name }}</td>
<td>{{ r.admission_year }}</td><td>{{ r.birth_date|date:"Y年n月j日" }}</td></tr>{% endfor %}
</table></body></html>"""
)
FORM = engines["django"].from_string(
    """<!doctype html>
<html lang="zh-hans"><head><meta charset="utf-8"><title>ceiling</title></head>
<body><form method="post">{% csrf_token %}{{ fields }}<button>OK</button></form></body></html>"""
)
LOGIN_FIELDS = '<input name="username"><input name="password" type="password">'


def _rows():
    rows = EnrollmentRecord.objects.order_by("pk").values(
        "student_number", "name", "admission_year", "birth_date"
    )[:20]
    return list(rows)


@login_required
def ceiling(request):
    return HttpResponse(TEMPLATE.render({"rows": _rows()}, request))


def flow_login(request):
    if request.method == "POST":
        user = authenticate(
            request, username=request.POST.get("username"), password=request.POST.get("password")
        )
        if user is None:
            return HttpResponseBadRequest("wrong password")
        login(request, user)
        return redirect("bench_flow_page")
    return HttpResponse(FORM.render({"fields": LOGIN_FIELDS}, request))


@login_required
def flow_page(request):
    return HttpResponse(TEMPLATE.render({"rows": _rows()}, request))


@login_required
def flow_form(request, pk):
    if request.method == "POST":
        return flow_write(request, pk)
    return HttpResponse(FORM.render({"fields": ""}, request))


@require_POST
def flow_write(request, pk):
    EnrollmentRecord.objects.filter(pk=pk, user=request.user).update(updated_at=timezone.now())
    return redirect("bench_flow_page")


urlpatterns = [
    path("bench/ceiling/", ceiling, name="bench_ceiling"),
    path("bench/flow/login/", flow_login, name="bench_flow_login"),
    path("bench/flow/page/", flow_page, name="bench_flow_page"),
    path("bench/flow/form/<int:pk>/", flow_form, name="bench_flow_form"),
    path("", include("portal.urls")),
]
