"""Every URL × every persona × objects in and out of scope (see tests/scope.py)."""

import pytest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path

from records.models import EnrollmentRecord
from tests.scope import build_objects, check_matrix


def test_no_url_shows_anything_outside_the_persona_scope(world, client):
    objects = build_objects(world)

    violations = check_matrix(world, objects, client)

    assert violations == [], "\n".join(str(v) for v in violations)


def test_in_scope_objects_are_reachable(world, client):
    """The matrix is not passing because everything answers 404."""
    build_objects(world)

    client.force_login(world.alice)
    assert client.get(f"/records/{world.alice_record.pk}/").status_code == 200
    client.force_login(world.counselor)
    assert client.get(f"/records/{world.bob_record.pk}/").status_code == 200
    assert client.get(f"/records/classes/{world.class_a.pk}/").status_code == 200
    client.force_login(world.registrar)
    assert client.get(f"/records/{world.dave_record.pk}/").status_code == 200


# A view that forgets its scope, in a URLconf of its own: the matrix must catch it.
def _unscoped_record(request, pk):
    record = get_object_or_404(EnrollmentRecord, pk=pk)
    return HttpResponse(f"{record.name} {record.student_number}")


def _unscoped_list(request):
    return HttpResponse(
        ", ".join(EnrollmentRecord.objects.values_list("student_number", flat=True))
    )


broken_urlpatterns = [
    path("record/<int:pk>/", _unscoped_record, name="leaky_record"),
    path("records/", _unscoped_list, name="leaky_list"),
]


class BrokenUrlconf:
    urlpatterns = broken_urlpatterns


@pytest.fixture
def leaky_targets(monkeypatch):
    from tests import scope

    monkeypatch.setitem(scope.TARGETS, "leaky_record", ("pk", "record", "pk"))


def test_the_matrix_catches_a_view_that_forgets_its_scope(world, client, settings, leaky_targets):
    settings.ROOT_URLCONF = BrokenUrlconf
    objects = build_objects(world)

    violations = check_matrix(world, objects, client, urlconf=BrokenUrlconf)

    problems = {(v.persona, v.problem) for v in violations}
    assert ("bob", "record out of scope") in problems
    assert ("counselor", "record out of scope") in problems
    assert any(v.url == "/records/" and v.persona == "alice" for v in violations)


def test_the_matrix_flags_an_unlisted_url_that_takes_an_object(world, client, settings):
    settings.ROOT_URLCONF = BrokenUrlconf
    objects = build_objects(world)

    violations = check_matrix(world, objects, client, urlconf=BrokenUrlconf)

    assert any("not in TARGETS" in v.problem for v in violations)
