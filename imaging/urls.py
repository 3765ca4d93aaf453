from django.urls import path

from imaging import staff_views, views

app_name = "imaging"

urlpatterns = [
    path("<slug:token>.jpg", views.photo_file, name="photo_file"),
    path("<slug:token>.thumb.jpg", views.photo_thumbnail, name="photo_thumbnail"),
    path("units/", views.collection_units, name="collection_units"),
    path("<slug:token>/confirm/", views.photo_confirm, name="photo_confirm"),
    path("<slug:token>/dispute/", views.photo_dispute, name="photo_dispute"),
    path("<slug:token>/rate/", views.photo_rate, name="photo_rate"),
    path("manage/", staff_views.manage, name="manage"),
    path("overview/", staff_views.overview, name="overview"),
    path("missing-diploma/", staff_views.missing_diploma, name="missing_diploma"),
    path(
        "missing-diploma/export/",
        staff_views.missing_diploma_export,
        name="missing_diploma_export",
    ),
    path("disputes/", staff_views.dispute_queue, name="dispute_queue"),
    path("<slug:token>/close-dispute/", staff_views.dispute_close, name="dispute_close"),
    path("records/<int:pk>/upload/", staff_views.photo_upload, name="photo_upload"),
    path("import/", staff_views.batch_import, name="batch_import"),
    path("batches/", staff_views.batch_list, name="batch_list"),
    path("batches/<int:pk>/", staff_views.batch_detail, name="batch_detail"),
]
