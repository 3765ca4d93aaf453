"""A NUL character in a filter (`?action=%00`) is a form error or an empty list, never a
500: PostgreSQL refuses NUL in text (psycopg DataError). Run on PostgreSQL too."""

import pytest

from imaging.models import PhotoBatch
from tests.clients import csrf_client, csrf_post
from tests.notices.conftest import make_notice

pytestmark = pytest.mark.django_db

NUL = "\x00"


def _pages(world) -> list[tuple[str, str, dict]]:
    notice = make_notice(world)
    batch = PhotoBatch.objects.create(institution=world.institution, kind="diploma", source="x")
    return [
        ("registrar", "/audit/", {"action": NUL}),
        ("registrar", "/audit/", {"student": NUL}),
        ("registrar", "/audit/", {"action": f"records.{NUL}", "student": f"2023{NUL}"}),
        ("registrar", "/records/queue/", {"school_class": NUL}),
        ("registrar", "/records/queue/", {"state": NUL, "field": NUL, "college": NUL}),
        ("registrar", "/records/queue/", {"older_than": NUL, "page": NUL}),
        ("registrar", "/records/search/", {"page": NUL}),
        ("registrar", "/notices/manage/", {"state": NUL, "page": NUL}),
        ("registrar", f"/notices/{notice.pk}/progress/", {"college": NUL}),
        ("registrar", f"/notices/{notice.pk}/progress/", {"school_class": NUL, "sheets": NUL}),
        ("counselor", "/notices/", {"page": NUL}),
        ("anonymous", "/notices/help/", {"q": NUL}),
        ("counselor", "/photos/overview/", {"kind": NUL, "college": NUL, "page": NUL}),
        ("registrar", "/photos/missing-diploma/", {"year": NUL}),
        ("registrar", "/photos/disputes/", {"page": NUL}),
        ("registrar", "/photos/batches/", {"page": NUL}),
        ("registrar", f"/photos/batches/{batch.pk}/", {"outcome": NUL, "page": NUL}),
        ("anonymous", "/photos/units/", {"province": NUL}),
        ("anonymous", "/verify/", {"code": NUL}),
        ("anonymous", "/verify/%00/", {}),
    ]


def test_a_nul_in_any_list_filter_is_never_a_500(client_for, world):
    for persona, url, params in _pages(world):
        response = client_for(world.persona(persona)).get(url, params)

        assert response.status_code in (200, 302, 404), (url, params, response.status_code)


def test_a_nul_in_the_audit_filters_is_a_form_error(client_for, world):
    client = client_for(world.registrar)

    for params in ({"actor": NUL}, {"student": NUL}):
        response = client.get("/audit/", params)

        assert response.status_code == 200
        assert "含有无法识别的字符，请重新输入。" in response.content.decode()
    # The kind of action is chosen from a list: a NUL is no choice on it.
    response = client.get("/audit/", {"action": NUL})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()


def test_a_nul_in_the_record_search_is_a_form_error(world):
    client = csrf_client(world.registrar)

    response = csrf_post(client, "/records/search/", {"q": NUL}, page="/records/search/")

    assert response.status_code == 200
    assert "含有无法识别的字符，请重新输入。" in response.content.decode()
