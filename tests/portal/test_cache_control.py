"""Nothing shown to a signed-in person is kept by a browser or a proxy: every page and
every file of every role is `Cache-Control: private, no-store`; anonymous public pages
keep their headers, except the online report, which shows personal data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.scope import PERSONAS, SKIPPED_NAMES, TARGETS, build_objects, may_see, url_names

SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]
FILE_VIEWS = {
    "accounts:identity_image",
    "records:evidence_file",
    "imaging:photo_file",
    "imaging:photo_thumbnail",
    "notices:attachment_file",
    "notices:sheet_export",
    "notices:pending_export",
    "notices:required_export",
    "portal:job_download",
}


def _no_store(response) -> bool:
    parts = {p.strip() for p in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= parts


def _urls_for(world, objects, persona):
    """Every page without an object, and every URL with the first object in scope."""
    for name, pattern in url_names():
        if name in SKIPPED_NAMES:  # set_language (tests/scope.py)
            continue
        if not (set(pattern.pattern.converters) | set(pattern.pattern.regex.groupindex)):
            yield name, reverse(name)
            continue
        kwarg, kind, attribute, *fixed = TARGETS[name]
        for obj in objects.by_kind[kind]:
            if may_see(world, persona, kind, obj):
                kwargs = {kwarg: getattr(obj, attribute), **(fixed[0] if fixed else {})}
                yield name, reverse(name, kwargs=kwargs)
                break


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_every_page_and_file_of_a_signed_in_person_is_no_store(
    client, world, private_media, persona
):
    objects = build_objects(world)
    client.force_login(world.persona(persona))
    answered, files = 0, set()

    for name, url in _urls_for(world, objects, persona):
        response = client.get(url)
        if response.status_code in (200, 302):
            answered += 1
            assert _no_store(response), (persona, url, response.get("Cache-Control"))
            if name in FILE_VIEWS and response.status_code == 200:
                files.add(name)

    assert answered > 10
    if persona == "registrar":
        assert {"records:evidence_file", "imaging:photo_file", "notices:attachment_file"} <= files
    if persona == "alice":
        assert {"imaging:photo_file", "imaging:photo_thumbnail"} <= files


def test_the_admin_is_no_store(client, world):
    client.force_login(world.admin)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert _no_store(response)


def test_every_answer_to_a_form_is_no_store(client, db):
    response = client.post("/accounts/login/", {"username": "nobody", "password": "x"})

    assert _no_store(response)


def test_the_public_online_report_is_no_store(client, world):
    objects = build_objects(world)
    report = next(
        r
        for r in objects.by_kind["public_report"]
        if may_see(world, "anonymous", "public_report", r)
    )

    response = client.get(reverse("reports:report_public", kwargs={"code": report.code}))

    assert response.status_code == 200
    assert _no_store(response)


def test_anonymous_public_pages_keep_their_headers(client, db):
    for url in ("/notices/help/", "/static/css/portal.css"):
        response = client.get(url)
        assert "no-store" not in response.get("Cache-Control", ""), url
