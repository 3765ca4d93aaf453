"""The staff's class list on a phone, keyboard only: filter by college, sort by a count
with a header link, and the page never scrolls sideways (issue 14 §6)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from tests import factories
from tests.e2e.conftest import assert_fits


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": 375, "height": 812}


@pytest.fixture
def classes(transactional_db):
    inst = factories.institution(code="19904", name="示例理工学院")
    arts = factories.college(inst, name="文学院")
    science = factories.college(inst, name="理学院")
    small = factories.school_class(arts)
    big = factories.school_class(arts)
    other = factories.school_class(science)
    factories.record(small)
    for _ in range(3):
        factories.record(big)
    factories.record(other)
    factories.user(Role.REGISTRAR, username="xjk3", institution=inst)
    return small, big, other


def test_filter_and_sort_the_classes_with_the_keyboard(page, classes, login, screenshot):
    small, big, other = classes
    login(page, "xjk3", factories.PASSWORD)
    page.goto("/records/classes/")
    assert_fits(page)

    page.get_by_label("学院").focus()
    page.keyboard.press("ArrowDown")  # 全部学院 → 文学院
    page.get_by_role("button", name="筛选").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    table = page.locator("table.data tbody")
    expect(table).not_to_contain_text(other.name)

    page.get_by_role("link", name="人数").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("link", name="人数").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.locator("th[aria-sort=descending]")).to_contain_text("人数")
    expect(table.locator("tr").first).to_contain_text(big.name)
    expect(table).not_to_contain_text(other.name)  # the filter stays
    assert_fits(page)
    screenshot(page, "classes-sorted-375")
