"""A URL whose converter writes numbers in hexadecimal (tests/portal/test_links.py)."""

from django.http import HttpResponse
from django.urls import path, register_converter


class Hex:
    regex = "[0-9a-f]+"

    def to_python(self, value: str) -> int:
        return int(value, 16)

    def to_url(self, value: int) -> str:
        return f"{value:x}"


register_converter(Hex, "hex")

urlpatterns = [path("items/<hex:pk>/", lambda request, pk: HttpResponse(), name="item")]
