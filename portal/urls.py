from django.contrib import admin
from django.urls import include, path

from accounts.views.auth import admin_login
from portal import views

portal_patterns = (
    [
        path("jobs/<uuid:pk>/", views.job_detail, name="job_detail"),
        path("jobs/<uuid:pk>/status/", views.job_status, name="job_status"),
        path("jobs/<uuid:pk>/download/", views.job_download, name="job_download"),
        path("audit/", views.audit_log, name="audit_log"),
    ],
    "portal",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("todo/", views.todo, name="todo"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", views.healthz, name="healthz"),
    path("", include(portal_patterns)),
    path("", include("records.online_reports.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/identity/", include("records.identity.urls")),
    path("records/import/", include("records.imports.urls")),
    path("records/", include("records.urls")),
    path("photos/", include("imaging.urls")),
    path("notices/", include("notices.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before admin.site.urls: the admin signs in through the portal's log-in (throttle).
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

handler403 = "portal.views.error_403"
handler404 = "portal.views.error_404"
handler500 = "portal.views.error_500"
