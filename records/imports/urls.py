from django.urls import path

from records.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.roster_import, name="roster_import"),
    path("template/", views.roster_template, name="roster_template"),
    path("degrees/", views.degree_import, name="degree_import"),
    path("degrees/template/", views.degree_template, name="degree_template"),
]
