"""Every URL × every persona × objects in and out of scope, GET and POST (tests/scope.py)."""

import pytest
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views.decorators.http import require_POST

from records.models import EnrollmentRecord
from tests import scope
from tests.scope import build_objects, check_matrix


def test_no_url_shows_anything_outside_the_persona_scope(world, private_media):
    objects = build_objects(world)

    violations = check_matrix(world, objects)

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


# Views that get scope wrong, each in a URLconf of its own: the matrix must catch them.


def _home(request):
    get_token(request)  # the CSRF cookie, as every page of the portal sets it
    return HttpResponse("首页")


def _refusal(request, exception=None):
    return HttpResponse(status=404)


def _urlconf(*patterns):
    """A URLconf of its own, with plain error pages (the portal's name its URLs)."""
    urlpatterns = [path("", _home, name="home"), *patterns]
    return type("Urlconf", (), {"urlpatterns": urlpatterns, "handler404": _refusal})


def _unscoped_record(request, pk):
    record = get_object_or_404(EnrollmentRecord, pk=pk)
    return HttpResponse(f"{record.name} {record.student_number}")


def _unscoped_list(request):
    return HttpResponse(
        ", ".join(EnrollmentRecord.objects.values_list("student_number", flat=True))
    )


def _scoped(request, pk) -> EnrollmentRecord:
    if not request.user.is_authenticated:
        raise Http404
    return get_object_or_404(EnrollmentRecord.objects.visible_to(request.user), pk=pk)


@require_POST
def _unscoped_rename(request, pk):
    """A POST-only view (GET: 405) that fetches by pk alone."""
    EnrollmentRecord.objects.filter(pk=pk).update(name=request.POST["name"])
    return redirect("home")


@require_POST
def _writes_before_refusing(request, pk):
    """Answers 404 outside the scope, but only after it has written."""
    EnrollmentRecord.objects.filter(pk=pk).update(name=request.POST["name"])
    _scoped(request, pk)
    return redirect("home")


@require_POST
def _scoped_rename(request, pk):
    record = _scoped(request, pk)
    if request.POST.get("confirm") == "yes":
        EnrollmentRecord.objects.filter(pk=record.pk).update(name=request.POST.get("name", "新"))
    return redirect("home")


LeakyUrlconf = _urlconf(
    path("record/<int:pk>/", _unscoped_record, name="leaky_record"),
    path("records/", _unscoped_list, name="leaky_list"),
)


@pytest.fixture
def targets(monkeypatch):
    """Put a URL name in the matrix's TARGETS (records) and its POST_DATA."""

    def add(name, body=None):
        monkeypatch.setitem(scope.TARGETS, name, ("pk", "record", "pk"))
        if body is not None:
            monkeypatch.setitem(scope.POST_DATA, name, body)

    return add


def _problems(violations) -> set[tuple[str, str, str]]:
    return {(v.persona, v.method, v.problem) for v in violations}


def test_the_matrix_catches_a_view_that_forgets_its_scope(world, settings, targets):
    settings.ROOT_URLCONF = LeakyUrlconf
    targets("leaky_record", scope.READS)
    objects = build_objects(world)

    violations = check_matrix(world, objects, urlconf=LeakyUrlconf)

    problems = _problems(violations)
    assert ("bob", "GET", "record out of scope") in problems
    assert ("counselor", "GET", "record out of scope") in problems
    assert ("bob", "POST", "record out of scope") in problems
    assert any(v.url == "/records/" and v.persona == "alice" for v in violations)


def test_the_matrix_flags_an_unlisted_url_that_takes_an_object(world, settings):
    settings.ROOT_URLCONF = LeakyUrlconf
    objects = build_objects(world)

    violations = check_matrix(world, objects, urlconf=LeakyUrlconf)

    assert any("not in TARGETS" in v.problem for v in violations)


def test_the_matrix_posts_to_a_post_only_view_that_forgets_its_scope(world, settings, targets):
    """Its GET is a 405, which the matrix once counted as a refusal: now it POSTs, with
    the CSRF token, and sees the record of another student renamed."""
    urlconf = _urlconf(path("record/<int:pk>/rename/", _unscoped_rename, name="rename"))
    settings.ROOT_URLCONF = urlconf
    targets("rename", {"name": "改名"})
    objects = build_objects(world)

    violations = check_matrix(world, objects, urlconf=urlconf)

    problems = _problems(violations)
    assert ("bob", "POST", "record out of scope") in problems
    assert ("other_registrar", "POST", "record out of scope, and the database changed") in problems
    assert not any(v.method == "GET" for v in violations)
    assert not any("CSRF" in v.problem for v in violations)
    assert EnrollmentRecord.objects.get(pk=world.alice_record.pk).name == "李晓梅"  # rolled back


def test_a_refusal_that_writes_first_is_caught(world, settings, targets):
    urlconf = _urlconf(path("record/<int:pk>/rename/", _writes_before_refusing, name="rename"))
    settings.ROOT_URLCONF = urlconf
    targets("rename", {"name": "改名"})
    objects = build_objects(world)

    violations = check_matrix(world, objects, urlconf=urlconf)

    problems = _problems(violations)
    assert ("bob", "POST", "record out of scope, and the database changed") in problems
    assert ("bob", "POST", "record out of scope") not in problems  # its answer is a 404


def test_a_post_view_missing_from_post_data_fails_the_matrix(world, settings, targets):
    urlconf = _urlconf(path("record/<int:pk>/rename/", _scoped_rename, name="rename"))
    settings.ROOT_URLCONF = urlconf
    targets("rename")
    objects = build_objects(world)

    violations = check_matrix(world, objects, urlconf=urlconf)

    assert [v.problem for v in violations] == ["accepts POST but is not in POST_DATA"]


def test_a_scoped_post_view_passes_and_a_body_that_never_acts_is_reported(world, settings, targets):
    urlconf = _urlconf(path("record/<int:pk>/rename/", _scoped_rename, name="rename"))
    settings.ROOT_URLCONF = urlconf
    targets("rename", {"confirm": "yes"})
    objects = build_objects(world)

    assert check_matrix(world, objects, urlconf=urlconf) == []

    targets("rename", {"confirm": "no"})  # reaches the record, never the action
    violations = check_matrix(world, objects, urlconf=urlconf)

    assert [v.problem for v in violations] == [
        "no POST in scope changed anything: POST_DATA does not reach the action"
    ]
