from django.urls import path

from notices import manage_views, progress_views, reminder_views, views
from notices.satisfaction import views as satisfaction_views

app_name = "notices"

urlpatterns = [
    # Public
    path("", views.notice_list, name="notice_list"),
    path("<int:pk>/", views.notice_detail, name="notice_detail"),
    path("attachments/<slug:token>/", views.attachment_file, name="attachment_file"),
    path("help/", views.help_list, name="help_list"),
    path("tasks/", views.task_list, name="task_list"),
    path("help/<slug:slug>/", views.help_detail, name="help_detail"),
    # The registrar
    path("manage/", manage_views.manage_list, name="manage_list"),
    path("manage/new/", manage_views.notice_create, name="notice_create"),
    path("manage/<int:pk>/", manage_views.notice_manage, name="notice_manage"),
    path("manage/<int:pk>/edit/", manage_views.notice_edit, name="notice_edit"),
    path("manage/<int:pk>/publish/", manage_views.notice_publish, name="notice_publish"),
    path("manage/<int:pk>/withdraw/", manage_views.notice_withdraw, name="notice_withdraw"),
    path("manage/<int:pk>/attachments/", manage_views.attachment_add, name="attachment_add"),
    path(
        "manage/attachments/<slug:token>/delete/",
        manage_views.attachment_delete,
        name="attachment_delete",
    ),
    # Staff following a task
    path("<int:pk>/progress/", progress_views.progress, name="progress"),
    path("<int:pk>/pending.xlsx", progress_views.pending_export, name="pending_export"),
    path("<int:pk>/required/", progress_views.required_list, name="required_list"),
    path("<int:pk>/required.xlsx", progress_views.required_export, name="required_export"),
    path("<int:pk>/remind/", progress_views.remind, name="remind"),
    path(
        "<int:pk>/remind/unreachable.xlsx",
        progress_views.remind_unreachable_export,
        name="remind_unreachable_export",
    ),
    path("<int:pk>/college-export/", progress_views.college_export, name="college_export"),
    # 专业满意度和院校满意度评价: the student's form; the results (registrar, college)
    path("<int:pk>/satisfaction/", satisfaction_views.satisfaction_form, name="satisfaction_form"),
    path(
        "<int:pk>/satisfaction/results/",
        satisfaction_views.satisfaction_results,
        name="satisfaction_results",
    ),
    path(
        "<int:pk>/satisfaction/results.xlsx",
        satisfaction_views.satisfaction_export,
        name="satisfaction_export",
    ),
    # Reminders about a 学历照片 not confirmed (linked from the imaging missing-diploma list)
    path("reminders/diploma-photo/", reminder_views.diploma_remind, name="diploma_remind"),
    path(
        "reminders/diploma-photo/unreachable.xlsx",
        reminder_views.diploma_unreachable_export,
        name="diploma_unreachable_export",
    ),
    # Class feedback sheets
    path("sheets/<int:pk>/", progress_views.sheet_detail, name="sheet_detail"),
    path("sheets/<int:pk>/remarks/", progress_views.sheet_remarks, name="sheet_remarks"),
    path("sheets/<int:pk>/sign/", progress_views.sheet_sign, name="sheet_sign"),
    path("sheets/<int:pk>/unsign/", progress_views.sheet_unsign, name="sheet_unsign"),
    path(
        "sheets/<int:pk>/countersign/", progress_views.sheet_countersign, name="sheet_countersign"
    ),
    path("sheets/<int:pk>/export.xlsx", progress_views.sheet_export, name="sheet_export"),
]
