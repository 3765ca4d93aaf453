"""Photo files: served through the viewer's scope with the stored type, nosniff and
private caching; staff opening a full-size photo is recorded."""

from io import BytesIO

import pytest
from PIL import Image

from portal.lib.models import AuditEvent
from tests.imaging.conftest import add_photo


@pytest.fixture
def photo(world):
    return add_photo(world.alice_record)


@pytest.mark.parametrize("suffix", [".jpg", ".thumb.jpg"])
def test_the_owner_gets_the_file_with_safe_headers(photo, client_for, world, suffix):
    response = client_for(world.alice).get(f"/photos/{photo.token}{suffix}")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private")
    image = Image.open(BytesIO(b"".join(response.streaming_content)))
    assert image.format == "JPEG"
    assert not AuditEvent.objects.filter(action="imaging.photo_viewed").exists()


def test_the_type_comes_from_the_stored_file(photo):
    photo.image.name = photo.image.name.replace(".jpg", ".png")
    assert photo.content_type == "image/png"
    photo.image.name = "photos/x/evil.html"
    assert photo.content_type == "application/octet-stream"


def test_staff_in_scope_get_it_and_the_look_is_audited(photo, client_for, world):
    response = client_for(world.counselor).get(f"/photos/{photo.token}.jpg")

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="imaging.photo_viewed")
    assert event.actor == world.counselor and event.subject == world.alice


@pytest.mark.parametrize("persona", ["bob", "other_college_staff", "other_registrar", "reviewer"])
def test_others_get_404(photo, client_for, world, persona):
    client = client_for(world.persona(persona))

    assert client.get(f"/photos/{photo.token}.jpg").status_code == 404
    assert client.get(f"/photos/{photo.token}.thumb.jpg").status_code == 404


def test_the_anonymous_are_sent_to_log_in(photo, client):
    response = client.get(f"/photos/{photo.token}.jpg")

    assert response.status_code == 302 and "/login/" in response["Location"]
