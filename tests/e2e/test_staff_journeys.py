"""Each staff role, from log-in to its first task, without typing a URL (issue 14 "Done when").

Only the log-in page's address is typed (the `login` fixture); every other page is reached
by clicking what the previous page offers, on a 375 px screen, in the demo (`seed_demo
students=60 seed=1`). At each page: it shows its heading and never scrolls sideways.
"""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import assert_fits


@pytest.fixture
def demo(transactional_db) -> None:
    call_command("seed_demo", allow_without_debug=True, students=60, seed=1, stdout=io.StringIO())


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": 375, "height": 812}


def heading(page, name: str | re.Pattern) -> None:
    """The page shows its level-1 heading, and fits the screen."""
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    assert_fits(page)


def section(page, title: str):
    """The home page's section whose <h2> is `title`."""
    return page.locator("section").filter(has=page.get_by_role("heading", level=2, name=title))


def click(page, locator) -> None:
    """Follow a link or press a button, and wait for the page it leads to."""
    with page.expect_navigation():
        locator.click()


def one_thumbnail_at_a_time(page) -> None:
    """Let the browser fetch photo thumbnails one after another, never side by side.

    Not the portal's limit: on SQLite the test database lives in memory, and the live
    server's threads then share one connection (pytest-django's connections_override), so
    two thumbnails served at once interleave their audit transactions and one fails with
    TransactionManagementError (500). PostgreSQL gives each thread its own connection.
    Requests are queued here and replayed in turn (route.fetch shares the context's cookies).
    """
    queue: list = []
    busy = False

    def handle(route) -> None:
        nonlocal busy
        queue.append(route)
        if busy:
            return  # the handler already running fetches it after the current one
        busy = True
        try:
            while queue:
                waiting = queue.pop(0)
                waiting.fulfill(response=waiting.fetch())
        finally:
            busy = False

    page.route(re.compile(r"/photos/[^/]+\.thumb\.jpg$"), handle)


def nav(page):
    return page.get_by_role("navigation", name="主导航")


def sign_first_sheet(page) -> tuple[str, str]:
    """As the counselor, on the home page: sign the first sheet of 待签名的反馈表, through the
    confirmation page when it asks. Returns the class's name and the page's warning ("" when
    it did not ask)."""
    to_sign = section(page, "待签名的反馈表")
    link = to_sign.get_by_role("link", name=re.compile(r"^签名："))
    expect(link.first).to_be_visible()
    name = re.sub(r"^签名：|反馈表$", "", link.first.inner_text().strip())
    click(page, link.first)
    heading(page, f"{name} · 反馈表")

    click(page, page.get_by_role("button", name="辅导员签名"))
    warning = ""
    if page.get_by_role("button", name="仍然签名").count():
        # The sheet is not complete yet: a page says why (未校对, the window still open).
        heading(page, re.compile("的反馈表还不完整，仍要签名？"))
        warning = page.get_by_role("alert").inner_text()
        click(page, page.get_by_role("button", name="仍然签名"))
    heading(page, f"{name} · 反馈表")
    expect(page.locator("main")).to_contain_text("已签名。请学院领导复核。")
    expect(page.get_by_role("button", name="撤回签名")).to_be_visible()
    return name, warning


def test_counselor_signs_a_sheet_from_the_home_page(demo, page, login, screenshot):
    login(page, "counselor", settings.DEMO_PASSWORD)
    heading(page, re.compile("老师，您好"))
    expect(section(page, "待签名的反馈表").get_by_role("link").first).to_be_visible()

    name, warning = sign_first_sheet(page)
    # The demo's sheet is not complete and the window is open: both are said before signing.
    assert "未完成校对" in warning and "未校对" in warning, warning
    assert "校对时间尚未结束" in warning, warning
    screenshot(page, "journey-counselor-signed-375")

    click(page, nav(page).get_by_role("link", name="首页", exact=True))
    heading(page, re.compile("老师，您好"))
    expect(section(page, "待签名的反馈表")).not_to_contain_text(f"签名：{name}反馈表")

    click(page, nav(page).get_by_role("link", name="校对任务", exact=True))
    heading(page, "校对任务")
    expect(page.locator("main .task-card").first).to_be_visible()


def test_college_countersigns_a_sheet_from_the_home_page(demo, page, login, logout, screenshot):
    login(page, "college", settings.DEMO_PASSWORD)
    heading(page, re.compile("学院"))
    to_do = section(page, "待复核的反馈表")
    links = to_do.get_by_role("link", name=re.compile(r"^复核："))
    if not links.count():
        # No sheet of this college signed yet: the counselor signs one first.
        logout(page)
        login(page, "counselor", settings.DEMO_PASSWORD)
        sign_first_sheet(page)
        logout(page)
        login(page, "college", settings.DEMO_PASSWORD)
        heading(page, re.compile("学院"))
    expect(links.first).to_be_visible()
    name = re.sub(r"^复核：|反馈表$", "", links.first.inner_text().strip())

    click(page, links.first)
    heading(page, f"{name} · 反馈表")
    expect(page.get_by_label("复核意见")).to_have_value("情况属实，同意上报。")
    click(page, page.get_by_role("button", name="学院复核并上交"))
    heading(page, f"{name} · 反馈表")
    expect(page.locator("main")).to_contain_text("已复核，反馈表已上交。")
    screenshot(page, "journey-college-countersigned-375")

    click(page, nav(page).get_by_role("link", name="首页", exact=True))
    heading(page, re.compile("学院"))
    expect(section(page, "待复核的反馈表")).not_to_contain_text(f"复核：{name}反馈表")


def test_registrar_works_the_queues_and_reminds_from_the_home_page(demo, page, login, screenshot):
    login(page, "registrar", settings.DEMO_PASSWORD)
    home_heading = re.compile("学籍科")
    heading(page, home_heading)
    queues = section(page, "待处理")

    # 有误申请（学籍、学历）: filter by a class, typing part of its name, decide one, back to the queue.
    click(page, queues.get_by_role("link", name="有误申请（学籍、学历）"))
    heading(page, "有误申请")
    rows = page.locator("table.data tbody tr")
    expect(rows.first).to_be_visible()
    class_name = rows.first.locator("td").nth(5).inner_text().strip()  # after 类别 and 学院
    assert class_name and class_name != "—", "the first report has no class"
    part = class_name[-6:]  # e.g. "软件技术1班": part of the name, not all of it
    field = page.get_by_label("班号或班级")
    expect(field).to_have_attribute("list", "class-suggestions")
    options = page.locator("datalist#class-suggestions option")
    assert class_name in options.evaluate_all("os => os.map(o => o.value)")
    field.fill(part)
    click(page, page.locator("form.filters").get_by_role("button", name="筛选"))
    heading(page, "有误申请")
    expect(field).to_have_value(part)
    expect(rows.first).to_contain_text(class_name)
    for text in rows.all_inner_texts():
        assert part in text, f"the filter on {part!r} let through: {text}"
    filtered_url = page.url

    student_number = rows.first.locator("td").nth(2).inner_text().strip()
    click(page, rows.first.get_by_role("link").first)
    heading(page, re.compile(rf"^有误申请 · .+ {student_number}$"))
    page.get_by_label("处理结果").select_option(label="不予更正")
    page.get_by_label("处理意见").fill("与高考报名信息一致，不予更正。")
    click(page, page.get_by_role("button", name="保存处理结果"))
    heading(page, "有误申请")
    expect(page.locator("main")).to_contain_text("处理结果已保存，已通知学生。")
    assert page.url == filtered_url, f"the filter was lost: {filtered_url} → {page.url}"
    expect(page.get_by_label("班号或班级")).to_have_value(part)
    expect(page.locator("table.data tbody")).not_to_contain_text(student_number)
    screenshot(page, "journey-registrar-queue-375")

    # 照片有误 from the home page: the queue, each photo's thumbnail shown.
    click(page, nav(page).get_by_role("link", name="首页", exact=True))
    heading(page, home_heading)
    one_thumbnail_at_a_time(page)
    click(page, section(page, "待处理").get_by_role("link", name="照片有误"))
    heading(page, "照片有误")
    thumbnails = page.locator("table.data img")
    expect(thumbnails.first).to_be_visible()
    page.wait_for_function("() => [...document.images].every(i => i.complete)")
    assert thumbnails.evaluate_all("imgs => imgs.every(i => i.naturalWidth > 0)")

    # 进行中的校对任务 → 校对进度 → 提醒未完成的学生 → preview → confirm → the job.
    click(page, nav(page).get_by_role("link", name="首页", exact=True))
    heading(page, home_heading)
    notices = section(page, "进行中的校对任务")
    click(page, notices.locator("li a").first)
    heading(page, "校对进度")
    click(page, page.get_by_role("link", name="提醒未完成的学生"))
    heading(page, re.compile("^提醒未完成的学生："))
    unreachable = section(page, "无法联系的学生")
    expect(unreachable.locator("table.data tbody tr").first).to_be_visible()
    send = page.get_by_role("button", name=re.compile(r"^确认发送 \d+ 条提醒$"))
    n_send = int(re.search(r"\d+", send.inner_text()).group())
    assert n_send > 5, f"the demo has only {n_send} to remind: no confirmation to test"
    confirm = page.get_by_label(re.compile(r"我已核对，确认发送"))
    expect(confirm).not_to_be_checked()
    screenshot(page, "journey-registrar-remind-preview-375")
    send.click()  # not confirmed yet: the browser keeps the form (a required check box)
    heading(page, re.compile("^提醒未完成的学生："))
    assert confirm.evaluate("el => el.validity.valueMissing")
    expect(page.locator("#confirm-error")).to_have_count(0)  # never reached the server
    confirm.check()
    click(page, send)
    heading(page, re.compile("^发送提醒："))
    expect(page.locator("[data-job-state]")).to_have_text("已完成", timeout=30_000)
    assert_fits(page)
    screenshot(page, "journey-registrar-remind-job-375")


def test_monitor_opens_the_class_sheet_from_the_home_page(demo, page, login, screenshot):
    login(page, "monitor", settings.DEMO_PASSWORD)
    heading(page, re.compile("您好"))
    monitor = section(page, "班长")
    link = monitor.get_by_role("link", name=re.compile(r"^填写.+反馈表$"))
    expect(link.first).to_be_visible()
    name = re.sub(r"^填写|反馈表$", "", link.first.inner_text().strip())

    click(page, link.first)
    heading(page, f"{name} · 反馈表")
    rows = page.locator("table.sheet-table tbody tr")
    expect(rows.first).to_be_visible()

    # Her task there: a remark on a classmate's row, saved.
    classmate = rows.nth(1).locator("th.sheet-name").inner_text().strip()
    remark = page.get_by_label(f"{classmate}的补充说明")
    remark.fill("已电话提醒本人校对")
    click(page, page.get_by_role("button", name="保存补充说明"))
    heading(page, f"{name} · 反馈表")
    expect(page.locator("main")).to_contain_text("已保存 1 条补充说明。")
    expect(remark).to_have_value("已电话提醒本人校对")
    screenshot(page, "journey-monitor-sheet-375")
