"""A 往届毕业生 with a 学历 and no 学籍 online: her home to-do names her degree, not
"暂未查询到…学籍" (walk of issue 16 at 375 px)."""

import pytest

from tests import factories
from tests.clients import csrf_client, csrf_post

pytestmark = pytest.mark.django_db


def _todo(client) -> str:
    page = client.get("/").content.decode()
    return page.split('id="todo"')[1].split("</section>")[0]


@pytest.fixture
def graduate_degree(world):
    graduate = factories.user(real_name="孙雅", username="sunya", id_number=factories.id_number())
    return graduate, factories.degree(world.institution, owner=graduate)


def test_her_todo_asks_her_to_check_her_degree(client_for, graduate_degree):
    graduate, degree = graduate_degree

    todo = _todo(client_for(graduate))

    assert "暂未查询到与您的姓名和证件号码匹配的学籍" not in todo
    assert "学历信息尚未校对" in todo
    assert f'href="/records/degrees/{degree.pk}/"' in todo


def test_once_confirmed_her_todo_is_done(graduate_degree):
    graduate, degree = graduate_degree
    client = csrf_client(graduate, first_page=f"/records/degrees/{degree.pk}/confirm/")
    csrf_post(client, f"/records/degrees/{degree.pk}/confirm/")

    todo = _todo(client)

    assert "学历信息尚未校对" not in todo
    assert "您已完成全部校对" in todo


def test_without_any_degree_she_still_reads_no_record_matched(client_for, world):
    account = factories.user(real_name="刘芳", id_number=factories.id_number())

    assert "暂未查询到与您的姓名和证件号码匹配的学籍" in _todo(client_for(account))
