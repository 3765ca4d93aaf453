"""The demo walked on a 375 px phone by clicking only, from each role's home page.

What a walk of the demo found (and these tests keep fixed): a class sheet wider than the
screen (the visually hidden labels of its remark inputs stuck out of the table's scroll
box), a 班长 told to fill in the 反馈表 with no link to it, and controls too small to tap
(the brand link, the language switch, file and number inputs, a link beside a button row,
a checkbox whose label sat above it).
"""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import assert_fits

MOBILE = {"width": 375, "height": 812}
# A tap target this small or smaller is hard to hit with a thumb (~40 px, docs/quality.md).
MIN_TAP = 40

SMALL_TARGETS_JS = """(min) => {
  const out = [];
  for (const el of document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea')) {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (r.width <= 1 || r.height <= 1 || style.visibility === 'hidden') continue;
    if (el.classList.contains('skip-link')) continue;
    // A link inside running text is as tall as its line; a checkbox or radio button is
    // tapped through its label.
    if (el.tagName === 'A' && style.display === 'inline') continue;
    let box = r;
    if (el.type === 'checkbox' || el.type === 'radio') {
      const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (label) box = label.getBoundingClientRect();
    }
    if (box.height < min) {
      out.push(`${el.tagName} ${el.name || el.type || ''} "${(el.innerText || '').trim().slice(0, 20)}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return out;
}"""


@pytest.fixture
def demo(transactional_db) -> None:
    call_command("seed_demo", allow_without_debug=True, students=60, seed=1, stdout=io.StringIO())


@pytest.fixture
def viewport() -> dict[str, int]:
    return dict(MOBILE)


def assert_tappable(page, what: str) -> None:
    small = page.evaluate(SMALL_TARGETS_JS, MIN_TAP)
    assert not small, f"{what}: controls under {MIN_TAP} px tall: {small}"


def nav(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("navigation", name="主导航").get_by_role("link", name=name).click()


def test_the_student_pages_have_thumb_sized_controls(demo, page, login, screenshot):
    login(page, "student", settings.DEMO_PASSWORD)
    assert_tappable(page, "the student's home")

    nav(page, "通知公告")
    assert_tappable(page, "the notice list")

    nav(page, "学籍信息")
    with page.expect_navigation():
        page.get_by_role("link", name="尝试绑定学籍").click()
    assert_tappable(page, "the bind page")
    assert page.get_by_label("毕业年份").bounding_box()["width"] > 200

    nav(page, "学籍信息")
    with page.expect_navigation():
        page.get_by_role("link", name="学籍信息有误").last.click()
    assert_tappable(page, "the 有误 form")
    assert_fits(page, "the 有误 form")

    nav(page, "账号")
    assert_tappable(page, "the account page")
    assert_fits(page, "the account page")
    screenshot(page, "walk-student-account-375x812")


def test_the_monitor_reaches_her_class_sheet_from_home_and_it_fits(demo, page, login, screenshot):
    login(page, "monitor", settings.DEMO_PASSWORD)
    monitor = page.locator("section[aria-labelledby='monitor']")
    with page.expect_navigation():
        monitor.get_by_role("link", name="填写2023级软件技术1班反馈表").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("反馈表")
    expect(page.get_by_label("的补充说明").first).to_be_visible()
    screenshot(page, "walk-monitor-sheet-375x812")
    assert_fits(page, "the monitor's class sheet")
    assert_tappable(page, "the monitor's class sheet")


@pytest.mark.parametrize("username", ["counselor", "college"])
def test_staff_reach_a_class_sheet_from_home_by_the_notices(
    username, demo, page, login, screenshot
):
    """A counselor's or college leader's navigation names 通知公告: the notice leads to
    its progress and each class's 反馈表 (to sign or countersign). Before, neither role
    had a link to any notice, so the sheets were out of reach by clicking."""
    login(page, username, settings.DEMO_PASSWORD)
    nav(page, "通知公告")
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("link", name="关于开展2023级").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="校对进度").click()
    assert_fits(page, "the progress page")
    with page.expect_navigation():
        page.get_by_role("link", name="2023级软件技术1班").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("2023级软件技术1班 · 反馈表")
    assert_fits(page, f"the class sheet for {username}")
    assert_tappable(page, f"the class sheet for {username}")
    screenshot(page, f"walk-{username}-sheet-375x812")
