"""Mounted at /accounts/identity/ by portal.urls: the paths the identity page has always
posted to."""

from django.urls import path

from records.identity import views

app_name = "records_identity"

urlpatterns = [
    path("classmate/", views.classmate, name="classmate"),
    path("facts/", views.facts, name="facts"),
]
