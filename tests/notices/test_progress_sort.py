"""The progress page's class table sorts by its counts (issue 14 §6)."""

import pytest

from tests import factories
from tests.notices.conftest import done_everything


def _url(notice):
    return f"/notices/{notice.pk}/progress/"


def _classes(page: str) -> str:
    return page[page.index('id="by-class"') :]


def test_the_classes_sort_by_students_both_ways(client_for, world, notice):
    # class_a: alice, bob; class_b: carol and two more; dave's class: dave alone.
    factories.student(world.class_b)
    factories.student(world.class_b)
    client = client_for(world.registrar)

    up = _classes(client.get(_url(notice), {"sort": "n_students"}).content.decode())
    down = _classes(client.get(_url(notice), {"sort": "-n_students"}).content.decode())

    names = [world.class_other_college.name, world.class_a.name, world.class_b.name]
    assert [up.index(n) for n in names] == sorted(up.index(n) for n in names)
    assert [down.index(n) for n in names] == sorted((down.index(n) for n in names), reverse=True)
    assert 'aria-sort="descending"' in down
    assert "?sort=n_students#by-class" in down  # the header turns the order round


def test_the_classes_sort_by_share_done(client_for, world, notice):
    done_everything(world.carol_record)  # class_b: 1 of 1 done

    page = _classes(
        client_for(world.registrar).get(_url(notice), {"sort": "-percent_done"}).content.decode()
    )

    assert page.index(world.class_b.name) < page.index(world.class_a.name)


def test_the_sort_survives_the_college_filter(client_for, world, notice):
    page = (
        client_for(world.registrar)
        .get(_url(notice), {"sort": "-n_students", "college": world.class_a.college_id})
        .content.decode()
    )

    assert '<input type="hidden" name="sort" value="-n_students">' in page
    assert f'href="?sort=n_students&amp;college={world.class_a.college_id}#by-class"' in page


@pytest.mark.parametrize("sort", ["school_class", "__class__", "-", "counts.n_done"])
def test_a_bad_sort_keeps_the_class_order(client_for, world, notice, sort):
    response = client_for(world.registrar).get(_url(notice), {"sort": sort})

    assert response.status_code == 200
    assert "aria-sort" not in response.content.decode()
