"""Integers from the request that do not fit: a form error, a 400 or a 404, never a 500.

PostgreSQL refuses out-of-range integers where SQLite may not, and Python's date
arithmetic overflows long before either: every GET filter, POST key and path converter
that turns text into a number is tried with numbers far too large (run on both).
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.urls.converters import IntConverter

from notices.models import FeedbackRemark
from tests.notices.conftest import csrf_client, csrf_post
from tests.records.conftest import edit_record
from tests.scope import build_objects, url_names

HUGE = "9" * 30
OVERFLOWS = [HUGE, "999999999999", str(2**63), str(2**31), "-" + HUGE, "9" * 5000]


@pytest.mark.parametrize("value", OVERFLOWS)
def test_queue_filter_with_a_huge_number_of_days_is_a_form_error(client_for, world, value):
    response = client_for(world.registrar).get("/records/queue/", {"older_than": value})

    assert response.status_code == 200
    assert "请输入 0 到 3650 之间的天数" in response.content.decode()


def test_queue_filter_with_a_reasonable_number_of_days_still_filters(client_for, world):
    response = client_for(world.registrar).get("/records/queue/", {"older_than": "3650"})

    assert response.status_code == 200
    assert "请输入 0 到 3650 之间的天数" not in response.content.decode()


@pytest.mark.parametrize("key", [HUGE, str(2**63), "0", "²", "١٢"])
def test_sheet_remark_key_that_is_no_record_is_refused_on_the_page(world, key):
    objects = build_objects(world)
    sheet = next(s for s in objects.by_kind["sheet"] if s.school_class_id == world.class_a.pk)
    client = csrf_client(world.counselor)

    response = csrf_post(client, f"/notices/sheets/{sheet.pk}/remarks/", {f"remark_{key}": "x"})

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "该学生不在本班反馈表中" in page
    assert not FeedbackRemark.objects.exists()


def test_a_remark_key_beyond_the_size_of_a_form_field_name_is_a_400(world):
    objects = build_objects(world)
    sheet = next(s for s in objects.by_kind["sheet"] if s.school_class_id == world.class_a.pk)
    client = csrf_client(world.counselor)

    response = csrf_post(
        client, f"/notices/sheets/{sheet.pk}/remarks/", {f"remark_{'9' * 5000}": "x"}
    )

    assert response.status_code == 400
    assert not FeedbackRemark.objects.exists()


@pytest.mark.parametrize("value", [HUGE, str(2**63), "9" * 5000])
def test_scope_filters_with_huge_numbers_answer_404(client_for, world, value):
    objects = build_objects(world)
    notice = objects.by_kind["followed_notice"][0]
    client = client_for(world.registrar)

    for params in ({"school_class": value}, {"college": value}):
        response = client.get(f"/notices/{notice.pk}/progress/", params)
        assert response.status_code == 404, params


@pytest.mark.parametrize("value", [HUGE, "9" * 5000])
def test_page_and_year_parameters_with_huge_numbers_do_not_fail(client_for, world, value):
    client = client_for(world.registrar)

    for url in (
        "/records/queue/",
        "/records/",
        "/notices/manage/",
        "/photos/missing-diploma/",
        "/photos/overview/",
    ):
        for params in ({"page": value}, {"year": value}, {"college": value}):
            assert client.get(url, params).status_code in (200, 404), (url, params)


def _int_paths() -> list[tuple[str, str]]:
    """(URL name, kwarg) of every pattern with an <int:…> converter."""
    return [
        (name, kwarg)
        for name, pattern in url_names()
        for kwarg, converter in pattern.pattern.converters.items()
        if isinstance(converter, IntConverter)
    ]


@pytest.mark.parametrize("persona", ["registrar", "counselor", "alice", "admin"])
def test_every_path_with_a_number_answers_404_for_numbers_too_large(client, world, persona):
    build_objects(world)
    client.force_login(world.persona(persona))
    paths = _int_paths()
    assert len(paths) > 20

    for name, kwarg in paths:
        for value in (HUGE, str(2**63)):
            url = reverse(name, kwargs={kwarg: value})
            assert client.get(url).status_code in (403, 404, 405), url
            assert client.post(url).status_code in (403, 404), url


def test_export_feedback_command_with_a_huge_notice_number_says_not_found(world, tmp_path):
    with pytest.raises(CommandError, match="找不到唯一的通知"):
        call_command("export_feedback", "--notice", HUGE, "--class", "X", "-o", tmp_path / "x")


@pytest.mark.parametrize(
    "overrides",
    [
        {"window_start": "0001-01-01T00:00"},
        {"window_start": "9999-12-31T23:59"},
        {"window_end": "9999-12-31T23:59", "sheet_deadline": "9999-12-31T23:59"},
        {"issue_date": "0001-01-01"},
        {"issue_date": "9999-12-31"},
        {"correction_deadline": "9999-12-31T23:59", "task": "both"},
        {"audience-0-graduation_year": HUGE},
        {"audience-0-college": HUGE},
    ],
)
def test_notice_dates_and_years_at_the_ends_of_the_calendar_are_form_errors(world, overrides):
    from tests.notices.notice_forms import notice_data

    client = csrf_client(world.registrar)

    response = csrf_post(client, "/notices/manage/new/", notice_data(**overrides))

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        for url in (response["Location"], "/notices/", "/"):
            assert client.get(url).status_code == 200
    else:
        page = response.content.decode()
        assert 'class="field-error"' in page
        if any(("date" in key or "window" in key or "deadline" in key) for key in overrides):
            assert "请填写 1990 年至 2100 年之间的日期" in page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration", "1e9"),
        ("duration", "99"),
        ("duration", "NaN"),
        ("duration", "Infinity"),
        ("duration", "-4"),
        ("admission_year", "²⁰²³"),
        ("admission_year", "٢٠٢٣"),
        ("admission_year", "0001"),
        ("origin_region", "١١٠١٠١"),
        ("birth_date", "0001-01-01"),
        ("expected_graduation", "9999-12-31"),
    ],
)
def test_record_edit_with_numbers_that_do_not_fit_says_so_on_the_page(
    client_for, world, field, value
):
    response = edit_record(client_for(world.registrar), world.alice_record, **{field: value})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert getattr(
        type(world.alice_record).objects.get(pk=world.alice_record.pk), field
    ) == getattr(world.alice_record, field)
