"""Issue 15 in a real browser, on a 375 px phone: (a) a student without a photo reads on
her home page what to do next and where; (b) a required check holds her at log-in: she
lands on 待办事项, goes on to 学籍信息, reads the bar on every page, confirms, and the bar
is gone."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from imaging.models import CollectionUnit
from notices.models import Notice, NoticeState, NoticeTask
from tests import factories
from tests.e2e.conftest import MOBILE, assert_fits

BAR = "您有必须完成的校对任务"


@pytest.fixture
def viewport() -> dict[str, int]:
    return dict(MOBILE)


@pytest.fixture
def student(transactional_db):
    inst = factories.institution(code="19903", name="示例师范学院")
    college = factories.college(inst, name="文学院")
    klass = factories.school_class(college)
    number = factories.id_number()
    account = factories.user(Role.STUDENT, username="lilei", real_name="李雷", id_number=number)
    record = factories.record(klass, owner=account, name="李雷", id_number=number)
    registrar = factories.user(Role.REGISTRAR, username="xjk2", institution=inst)
    return account, record, registrar


def _notice(record, registrar, **fields) -> Notice:
    now = timezone.now()
    values = {
        "institution": record.institution,
        "number": "23-106",
        "title": "关于做好2023级学籍信息自查的通知",
        "issuing_office": "教务处",
        "issue_date": now.date(),
        "body": "请于规定时间内完成学籍信息自查。",
        "task": NoticeTask.RECORD_CHECK,
        "state": NoticeState.PUBLISHED,
        "window_start": now - datetime.timedelta(days=3),
        "window_end": now + datetime.timedelta(days=5),
        "published_at": now - datetime.timedelta(days=3),
        "created_by": registrar,
    }
    values.update(fields)
    return Notice.objects.create(**values)


def test_without_a_photo_the_home_todo_names_the_step(page, student, login, screenshot):
    account, record, registrar = student
    CollectionUnit.objects.create(
        province=record.institution.province,
        name="新华社图像采集中心",
        address="示范路 1 号",
        phone="0791-88880001",
    )
    _notice(record, registrar, task=NoticeTask.PHOTO_CHECK, title="关于开展图像校对的通知")

    login(page, "lilei", factories.PASSWORD)

    todo = page.locator("[data-todo=missing_photo]")
    expect(todo).to_contain_text("暂无照片")
    expect(todo).to_contain_text("请联系图像采集单位补采：新华社图像采集中心，地址：示范路 1 号")
    expect(todo).to_contain_text("还剩")
    expect(page.get_by_text("暂无待办事项")).to_have_count(0)
    expect(page.locator("#my-notices ~ ul")).to_contain_text("未完成：图像校对")
    assert_fits(page)
    screenshot(page, "student-todo-no-photo-375")
    todo.get_by_role("link", name="查看原因").click()
    expect(page.locator(".missing-photo")).to_contain_text("新华社图像采集中心")
    assert_fits(page)


def test_a_required_task_holds_her_at_log_in_until_done(page, student, login, screenshot):
    account, record, registrar = student
    _notice(record, registrar, is_required=True)

    login(page, "lilei", factories.PASSWORD)

    expect(page).to_have_url(re.compile(r"/todo/\?next="))
    expect(page.get_by_role("heading", name="待办事项", exact=True)).to_be_visible()
    expect(page.locator("#required ~ ul")).to_contain_text("关于做好2023级学籍信息自查的通知")
    assert_fits(page)
    screenshot(page, "student-todo-held-375")

    page.locator(".inline-actions").get_by_role("link", name="学籍信息", exact=True).click()
    expect(page.locator("#required-bar")).to_contain_text(BAR)
    expect(page.locator("#required-bar")).to_contain_text("截止")
    assert_fits(page)
    page.get_by_role("link", name="学籍信息正确", exact=True).click()
    expect(page.locator("#required-bar")).to_contain_text(BAR)  # still open on this page
    page.get_by_role("button", name="确定").click()
    expect(page.locator(".messages")).to_contain_text("已确认")
    expect(page.locator("#required-bar")).to_have_count(0)
    page.goto("/")
    expect(page.locator("#required-bar")).to_have_count(0)
