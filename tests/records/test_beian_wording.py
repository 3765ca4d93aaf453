"""A 学历证书电子注册备案表 is called a 备案表 on every page of hers about it (its page, its
closing, its messages), not the 学籍在线验证报告's "报告"."""

import datetime

import pytest
from django.utils import timezone

from records.models import OnlineReport
from records.online_reports import services
from tests.accounts.helpers import degree
from tests.clients import csrf_client, csrf_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def beian(world) -> OnlineReport:
    diploma = degree(world.alice_record, user=world.alice, bound_at=timezone.now())
    return OnlineReport.objects.create(
        degree=diploma,
        user=world.alice,
        code=services.code_generate(),
        valid_until=timezone.now() + datetime.timedelta(days=30),
    )


def test_its_page_and_its_closing_say_beian(client_for, world, beian):
    client = client_for(world.alice)

    page = client.get(f"/records/reports/{beian.pk}/").content.decode()
    close = client.get(f"/records/reports/{beian.pk}/close/").content.decode()

    assert "扫描二维码即可查看该备案表" in page and "关闭备案表" in page
    assert "关闭报告" not in page and "报告内容" not in page
    assert "关闭学历证书电子注册备案表" in close and "的备案表吗" in close
    assert "在线验证报告" not in close


def test_closed_it_says_the_beian_is_closed(world, beian):
    client = csrf_client(world.alice, first_page=f"/records/reports/{beian.pk}/close/")

    page = csrf_post(client, f"/records/reports/{beian.pk}/close/", follow=True).content.decode()

    assert "备案表已关闭，该验证码已失效" in page
    assert "该备案表已被您关闭" in page and "请生成新的备案表" in page


def test_the_form_that_makes_one_names_the_beian(client_for, world, beian):
    page = client_for(world.alice).get("/records/degrees/reports/").content.decode()

    assert "都可以查看该备案表" in page and "都可以查看该报告" not in page
