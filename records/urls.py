from django.urls import path

from records import views
from records.history import views as history_views
from records.prior_degrees import views as prior_degree_views

app_name = "records"

urlpatterns = [
    path("mine/", views.my_records, name="my_records"),
    path("mine/bind/", views.bind_more, name="bind_more"),
    path("mine/history/", history_views.record_history, name="record_history"),
    path("<int:pk>/", views.record_detail, name="record_detail"),
    path("<int:pk>/confirm/", views.record_confirm, name="record_confirm"),
    path("<int:pk>/report/", views.discrepancy_create, name="discrepancy_create"),
    path("<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("degrees/<int:pk>/", views.degree_detail, name="degree_detail"),
    path("degrees/<int:pk>/confirm/", views.degree_confirm, name="degree_confirm"),
    path("degrees/<int:pk>/report/", views.degree_report, name="degree_report"),
    path("reports/<int:pk>/withdraw/", views.discrepancy_withdraw, name="discrepancy_withdraw"),
    path("evidence/<slug:token>/", views.evidence_file, name="evidence_file"),
    path("queue/", views.discrepancy_queue, name="discrepancy_queue"),
    path("queue/export/", views.discrepancy_queue_export, name="discrepancy_queue_export"),
    path("corrections/export/", views.corrections_export, name="corrections_export"),
    path("queue/<int:pk>/", views.discrepancy_detail, name="discrepancy_detail"),
    path("classes/", views.class_list, name="class_list"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("search/", views.record_list, name="record_list"),
    path("export/", views.roster_export, name="roster_export"),
    # 专升本 (records.prior_degrees)
    path("<int:pk>/prior-degree/", prior_degree_views.prior_degree_bind, name="prior_degree_bind"),
    path("zsb/", prior_degree_views.zsb_list, name="zsb_list"),
    path("zsb/export/", prior_degree_views.zsb_export, name="zsb_export"),
]
