"""The portal's URLs plus the ceiling page of bench/pages.py (bench/settings.py only).

The ceiling is the least a logged-in page of this stack can cost: the same middleware
and context processors, a session, the user, one query and a 20-row template. A portal
page is measured as a fraction of it.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

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


@login_required
def ceiling(request):
    rows = EnrollmentRecord.objects.order_by("pk").values(
        "student_number", "name", "admission_year", "birth_date"
    )[:20]
    return HttpResponse(TEMPLATE.render({"rows": list(rows)}, request))


urlpatterns = [
    path("bench/ceiling/", ceiling, name="bench_ceiling"),
    path("", include("portal.urls")),
]
