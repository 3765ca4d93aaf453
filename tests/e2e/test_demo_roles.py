"""Every demo log-in, through the real log-in form, on a phone-sized and a desk-sized screen.

The demo (`manage.py seed_demo`) is what a visitor of `make serve` tries first, so each of
its log-ins must land on a working home page of its own role, fit a 375 px screen, and
log out again. Screenshots go to test-artifacts/screenshots/ for a human to look at.
"""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import assert_fits

# Demo log-in → (role label in the header, a nav item only that role has).
DEMO_LOGINS = {
    "student": ("学生", "学籍信息"),
    "monitor": ("学生", "学籍信息"),
    "graduate": ("学生", "学籍信息"),
    "alumna": ("学生", "学籍信息"),
    "upgrade": ("学生", "学籍信息"),
    "upgrade-pending": ("学生", "学籍信息"),
    "counselor": ("辅导员", "我的班级"),
    "college": ("学院", "班级"),
    "registrar": ("教务处学籍科", "审计记录"),
    "reviewer": ("客服", "身份核验"),
    "admin": ("系统管理员", "管理后台"),
}
MOBILE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
STUDENT_LOGINS = {"student", "monitor", "graduate", "alumna", "upgrade", "upgrade-pending"}
# Staff pages a student's navigation must never offer.
STAFF_ONLY_NAV = ["审计记录", "身份核验", "管理后台"]


@pytest.fixture
def demo(transactional_db) -> None:
    """The demo data, written into the database the live server reads."""
    call_command("seed_demo", allow_without_debug=True, students=60, seed=1, stdout=io.StringIO())


@pytest.fixture
def viewport() -> dict[str, int]:
    return dict(MOBILE)


def main_nav(page):
    return page.get_by_role("navigation", name="主导航")


@pytest.mark.parametrize("username", list(DEMO_LOGINS))
def test_demo_login_lands_on_its_role_home_and_logs_out(
    username, demo, page, live_server, login, logout, screenshot
):
    role_label, nav_item = DEMO_LOGINS[username]

    login(page, username, settings.DEMO_PASSWORD)

    assert page.url == live_server.url + reverse("home")
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    expect(main_nav(page)).to_contain_text(nav_item)
    expect(page.get_by_role("banner")).to_contain_text(role_label)
    if username in STUDENT_LOGINS:
        for staff_item in STAFF_ONLY_NAV:
            expect(main_nav(page)).not_to_contain_text(staff_item)

    screenshot(page, f"{username}-home-375x812")
    assert_fits(page, f"{username}'s home page")

    page.set_viewport_size(DESKTOP)
    page.reload()
    expect(main_nav(page)).to_contain_text(nav_item)
    screenshot(page, f"{username}-home-1280x800")
    assert_fits(page, f"{username}'s home page")

    logout(page)
    expect(page.get_by_role("banner").get_by_role("link", name="登录", exact=True)).to_be_visible()
    page.goto(reverse("records:my_records"))
    assert reverse("accounts:login") in page.url, "the session survived the log-out"


def focused_matches(page, selector: str) -> bool:
    return page.evaluate(
        "sel => !!document.activeElement && document.activeElement.matches(sel)", selector
    )


def tab_until(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the focused element matches `selector` (it may already)."""
    for _ in range(limit):
        if focused_matches(page, selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{limit} presses of Tab never reached {selector}")


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page):
    page.goto(reverse("home"))

    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="跳到主要内容")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_student_logs_in_with_the_keyboard_only(demo, page, live_server):
    login_path = reverse("accounts:login")
    page.goto(reverse("home"))

    # The log-in link in the header, or a log-in form on the page itself, whichever the
    # keyboard reaches first after the skip link.
    tab_until(page, f"a[href='{login_path}'], input[name='username']")
    if focused_matches(page, "a"):
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.split("?")[0] == live_server.url + login_path
        tab_until(page, "input[name='username']")
    page.keyboard.type("student")
    tab_until(page, "input[name='password']")
    page.keyboard.type(settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == live_server.url + reverse("home")
    expect(main_nav(page)).to_contain_text("学籍信息")
    expect(page.get_by_role("banner")).to_contain_text("学生")
