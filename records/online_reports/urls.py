"""Online verification reports (学籍在线验证报告, 学历证书电子注册备案表): the student's
pages under /records/, the public ones under /verify/ (one look-up for both kinds)."""

from django.urls import path

from records.online_reports import views

app_name = "reports"

urlpatterns = [
    path("records/<int:record_pk>/reports/", views.report_list, name="report_list"),
    path("records/<int:record_pk>/reports/new/", views.report_create, name="report_create"),
    path("records/degrees/reports/", views.degree_report_list, name="degree_report_list"),
    path(
        "records/degrees/<int:degree_pk>/reports/new/",
        views.degree_report_create,
        name="degree_report_create",
    ),
    path("records/reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("records/reports/<int:pk>/extend/", views.report_extend, name="report_extend"),
    path("records/reports/<int:pk>/close/", views.report_close, name="report_close"),
    path("verify/", views.report_verify, name="report_verify"),
    path("verify/<str:code>/", views.report_public, name="report_public"),
]
