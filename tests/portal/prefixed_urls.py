"""The portal's URLs under /portal/ (tests/portal/test_links.py)."""

from django.urls import include, path

urlpatterns = [path("portal/", include("portal.urls"))]
