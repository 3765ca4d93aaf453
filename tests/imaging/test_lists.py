"""The staff's photo lists (issue 14 §6): 照片有误 and 学历照片未确认的毕业生 filter by
college, class (suggested) and kind or state, sort, and keep their filters."""

import datetime
from html import unescape

from imaging.models import Photo, PhotoKind, PhotoState, PhotoVerification
from tests import factories
from tests.imaging.conftest import add_photo
from tests.report_helpers import report_table


def _rows(page: str) -> str:
    return page[page.index("<tbody>") : page.index("</tbody>")]


def _graduating(*records):
    for record in records:
        record.expected_graduation = datetime.date(2027, 7, 1)
        record.save()


def _dispute(record, kind=PhotoKind.ENROLLMENT):
    photo = add_photo(record, kind)
    Photo.objects.filter(pk=photo.pk).update(state=PhotoState.DISPUTED)
    PhotoVerification.objects.create(
        photo=photo, user=record.user, result=PhotoState.DISPUTED, reason="other"
    )
    return photo


# 学历照片未确认的毕业生 ----------------------------------------------------------------------


def test_missing_diplomas_filter_by_the_state_of_the_photo(world, client_for):
    _graduating(world.alice_record, world.bob_record, world.carol_record)
    add_photo(world.bob_record, PhotoKind.DIPLOMA, state=PhotoState.DISPUTED)
    add_photo(world.carol_record, PhotoKind.DIPLOMA)  # unverified
    client = client_for(world.registrar)

    def shown(state):
        rows = _rows(
            client.get("/photos/missing-diploma/", {"year": 2027, "state": state}).content.decode()
        )
        records = (world.alice_record, world.bob_record, world.carol_record)
        return {r.name for r in records if r.student_number in rows}

    assert shown("none") == {world.alice_record.name}
    assert shown("disputed") == {world.bob_record.name}
    assert shown("unverified") == {world.carol_record.name}
    assert (
        shown("")
        == shown("made-up")
        == {r.name for r in (world.alice_record, world.bob_record, world.carol_record)}
    )


def test_missing_diplomas_filter_by_class_and_college_and_the_export_follows(world, client_for):
    _graduating(world.alice_record, world.carol_record, world.dave_record)
    client = client_for(world.registrar)

    page = client.get(
        "/photos/missing-diploma/", {"year": 2027, "school_class": world.class_b.name}
    ).content.decode()
    by_college = _rows(
        client.get(
            "/photos/missing-diploma/",
            {"year": 2027, "college": world.class_other_college.college_id},
        ).content.decode()
    )
    export_link = unescape(page.split('href="/photos/missing-diploma/export/')[1].split('"')[0])
    export = client.get("/photos/missing-diploma/export/" + export_link)

    assert world.carol_record.student_number in _rows(page)
    assert world.alice_record.student_number not in _rows(page)
    assert f'<option value="{world.class_b.code}">' in page
    assert "全部学院" in page
    assert world.dave_record.student_number in by_college
    assert world.alice_record.student_number not in by_college
    _header, rows, _sheet = report_table(export.content)
    numbers = [row[0] for row in rows]
    assert numbers == [world.carol_record.student_number]


def test_missing_diplomas_sort_by_class_and_ignore_a_bad_sort(world, client_for):
    _graduating(world.alice_record, world.carol_record)
    client = client_for(world.registrar)
    first, last = sorted([world.class_a, world.class_b], key=lambda c: c.code)

    down = _rows(
        client.get(
            "/photos/missing-diploma/", {"year": 2027, "sort": "-school_class"}
        ).content.decode()
    )
    bad = client.get("/photos/missing-diploma/", {"year": 2027, "sort": "id_number"})

    assert down.index(last.name) < down.index(first.name)
    assert bad.status_code == 200


# 照片有误 ------------------------------------------------------------------------------------


def test_the_dispute_queue_filters_by_class_and_kind(world, client_for):
    _dispute(world.alice_record)
    _dispute(world.carol_record, PhotoKind.DIPLOMA)
    client = client_for(world.registrar)

    by_class = _rows(
        client.get("/photos/disputes/", {"school_class": world.class_b.code}).content.decode()
    )
    by_kind = _rows(client.get("/photos/disputes/", {"kind": "enrollment"}).content.decode())

    assert world.carol_record.name in by_class and world.alice_record.name not in by_class
    assert world.alice_record.name in by_kind and world.carol_record.name not in by_kind


def test_the_dispute_queue_sorts_by_student_number(world, client_for):
    first, last = sorted([world.alice_record, world.carol_record], key=lambda r: r.student_number)
    _dispute(first)
    _dispute(last)

    page = client_for(world.registrar).get("/photos/disputes/", {"sort": "-student"})
    rows = _rows(page.content.decode())

    assert rows.index(last.student_number) < rows.index(first.student_number)
    assert 'aria-sort="descending"' in page.content.decode()


def test_closing_a_dispute_returns_to_the_filtered_queue(world, client_for):
    photo = _dispute(world.carol_record)
    client = client_for(world.registrar)
    page = client.get(
        "/photos/disputes/", {"school_class": world.class_b.code, "sort": "-student"}
    ).content.decode()
    action = unescape(page.split(f'action="/photos/{photo.token}/close-dispute/')[1].split('"')[0])

    response = client.post(
        f"/photos/{photo.token}/close-dispute/" + action + "&next=https://evil.example/",
        {"reason": "已重新采集"},
    )

    assert response.status_code == 302
    assert response.url.startswith("/photos/disputes/?")
    assert f"school_class={world.class_b.code}" in response.url and "sort=-student" in response.url
    assert "evil" not in response.url


def test_the_dispute_queue_costs_the_same_queries_with_filters(
    world, client_for, django_assert_max_num_queries
):
    _dispute(world.alice_record)
    client = client_for(world.registrar)
    params = {"school_class": "20", "sort": "school_class"}
    with django_assert_max_num_queries(14) as few:
        client.get("/photos/disputes/", params)
    for _ in range(12):
        _dispute(factories.student(factories.school_class(world.class_a.college))[1])

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/photos/disputes/", params).status_code == 200
