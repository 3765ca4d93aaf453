from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path("mine/", views.my_records, name="my_records"),
    path("<int:pk>/", views.record_detail, name="record_detail"),
    path("classes/", views.class_list, name="class_list"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("search/", views.record_list, name="record_list"),
    path("export/", views.roster_export, name="roster_export"),
]
