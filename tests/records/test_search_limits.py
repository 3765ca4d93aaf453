"""查询学籍 is no oracle for guessed ID numbers: searches that look like an ID number are
counted per staff account (30 an hour, 100 a day), counted before the look-up; names and
学号 stay free; an ID number matches only whole."""

import pytest
from django.test import Client

from records.services.search import ID_SEARCHES_PER_DAY, ID_SEARCHES_PER_HOUR
from tests import factories
from tests.clients import csrf_client, csrf_post

pytestmark = pytest.mark.django_db


def _staff_client(user) -> Client:
    return csrf_client(user, first_page="/records/search/")


def _search(client: Client, query: str) -> str:
    response = csrf_post(client, "/records/search/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def _guesses(n: int) -> list[str]:
    return [factories.id_number() for _ in range(n)]


def test_college_staff_may_try_30_id_numbers_an_hour(world):
    client = _staff_client(world.college_staff)
    for guess in _guesses(ID_SEARCHES_PER_HOUR.max):
        assert "操作过于频繁" not in _search(client, guess)

    page = _search(client, world.alice_record.id_number)

    assert "操作过于频繁" in page
    assert world.alice_record.name not in page.split("</form>", 1)[1]


def test_names_and_student_numbers_stay_unlimited_after_the_id_budget(world):
    client = _staff_client(world.college_staff)
    for guess in _guesses(ID_SEARCHES_PER_HOUR.max + 1):
        _search(client, guess)

    by_name = _search(client, world.alice_record.name)
    by_number = _search(client, world.bob_record.student_number)

    assert "操作过于频繁" not in by_name + by_number
    assert world.alice_record.masked_id_number in by_name
    assert world.bob_record.masked_id_number in by_number


def test_searches_by_name_and_student_number_are_not_counted(world):
    client = _staff_client(world.college_staff)
    for _ in range(3):
        _search(client, world.alice_record.name)
        _search(client, world.alice_record.student_number)

    assert ID_SEARCHES_PER_HOUR.count(f"user:{world.college_staff.pk}") == 0
    # The whole hour's budget of ID numbers is still there, to the last one.
    for guess in _guesses(ID_SEARCHES_PER_HOUR.max):
        assert "操作过于频繁" not in _search(client, guess)
    assert "操作过于频繁" in _search(client, world.alice_record.id_number)


def test_100_id_number_searches_a_day(world):
    key = f"user:{world.registrar.pk}"
    for _ in range(ID_SEARCHES_PER_DAY.max):
        ID_SEARCHES_PER_DAY.hit(key)
    client = _staff_client(world.registrar)

    page = _search(client, world.dave_record.id_number)

    assert "操作过于频繁" in page
    assert world.dave_record.name not in page.split("</form>", 1)[1]


def test_each_staff_account_has_its_own_budget(world):
    client = _staff_client(world.college_staff)
    for guess in _guesses(ID_SEARCHES_PER_HOUR.max + 1):
        _search(client, guess)

    page = _search(_staff_client(world.registrar), world.alice_record.id_number)

    assert world.alice_record.name in page


def test_an_id_number_matches_only_whole(world):
    number = world.alice_record.id_number
    client = _staff_client(world.registrar)

    assert world.alice_record.name not in _search(client, number[:17])
    assert world.alice_record.name not in _search(client, number[-6:])
    assert world.alice_record.name in _search(client, number)
