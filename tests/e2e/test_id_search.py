"""The registrar's 查询学籍 in a real browser on a phone, keyboard only: the ID number is
typed and sent with Enter as a POST, never in a URL; the results page on with a button."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from portal.lib.models import AuditEvent
from tests import factories


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": 375, "height": 812}


@pytest.fixture
def people(transactional_db):
    inst = factories.institution(code="19903", name="示例师范学院")
    klass = factories.school_class(factories.college(inst, name="文学院"))
    wanted = factories.record(klass, name="韩梅梅")
    for n in range(55):
        factories.record(klass, name="李雷", student_number=f"2023L{n:04d}")
    factories.user(Role.REGISTRAR, username="xjk2", institution=inst)
    return wanted


def test_search_by_id_number_with_the_keyboard(page, people, login, screenshot):
    wanted = people
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    login(page, "xjk2", factories.PASSWORD)
    page.goto("/records/search/")

    page.get_by_label("姓名、学号、考生号或证件号码").focus()
    page.keyboard.type(wanted.id_number.lower())
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("找到 1 条学籍")
    expect(page.locator("table.data tbody")).to_contain_text("韩梅梅")
    screenshot(page, "record-search-375x812")
    assert not [url for url in urls if wanted.id_number.lower() in url.lower()]
    event = AuditEvent.objects.get(action="records.searched")
    assert wanted.id_number not in str(event.changes)

    search = page.get_by_label("姓名、学号、考生号或证件号码")
    search.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("李雷")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("找到 55 条学籍")
    page.get_by_role("button", name="下一页").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("第 2 / 2 页")
    expect(page.locator("table.data tbody tr")).to_have_count(5)
