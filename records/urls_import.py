from django.urls import path

from records import import_views

app_name = "imports"

urlpatterns = [
    path("", import_views.roster_import, name="roster_import"),
    path("template/", import_views.roster_template, name="roster_template"),
]
