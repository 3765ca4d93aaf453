"""学籍在线验证报告: the student's pages under /records/, the public ones under /verify/."""

from django.urls import path

from records import report_views

app_name = "reports"

urlpatterns = [
    path("records/<int:record_pk>/reports/", report_views.report_list, name="report_list"),
    path("records/<int:record_pk>/reports/new/", report_views.report_create, name="report_create"),
    path("records/reports/<int:pk>/", report_views.report_detail, name="report_detail"),
    path("records/reports/<int:pk>/extend/", report_views.report_extend, name="report_extend"),
    path("records/reports/<int:pk>/close/", report_views.report_close, name="report_close"),
    path("verify/", report_views.report_verify, name="report_verify"),
    path("verify/<str:code>/", report_views.report_public, name="report_public"),
]
