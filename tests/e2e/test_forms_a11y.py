"""Long forms on a 375 px phone with the keyboard (issue 15 §6): a refused form's error
summary takes the focus and its links take her to each field; the 有误 form shows one line
a field and opens only what she ticks, without moving her focus."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from records.models import DiscrepancyReport
from tests import factories
from tests.e2e.conftest import MOBILE, assert_fits
from tests.e2e.test_axe import axe_violations

# The 有误 form was 4,200 px tall on a phone with every row open; untouched, it must now
# fit in well under half of that.
UNTOUCHED_MAX_PX = 2000
HEIGHT_JS = "() => document.body.scrollHeight"


@pytest.fixture
def viewport() -> dict[str, int]:
    return dict(MOBILE)


@pytest.fixture
def meimei(transactional_db):
    inst = factories.institution(code="19902", name="示例理工学院")
    klass = factories.school_class(factories.college(inst, name="信息工程学院"))
    number = factories.id_number()
    factories.user(Role.STUDENT, username="meimei", real_name="韩梅梅", id_number=number)
    return factories.record(klass, name="韩梅梅", id_number=number)


def open_report(page, record) -> None:
    """Open 学籍信息 (which binds her record) and then its 有误 form."""
    page.goto("/records/mine/")
    page.goto(f"/records/{record.pk}/report/")


def summary(page):
    return page.locator("[data-error-summary]")


def test_registration_sent_empty_focuses_the_summary_and_its_links_reach_the_fields(
    page, transactional_db
):
    page.goto("/accounts/register/")
    page.get_by_role("button", name="立即注册").click()

    expect(summary(page)).to_be_focused()
    links = summary(page).get_by_role("link")
    count = links.count()
    assert count >= 6
    expect(summary(page).get_by_role("heading")).to_have_text(
        f"提交未成功，请修改以下 {count} 处："
    )
    assert_fits(page, "the refused registration form")
    assert axe_violations(page) == []
    # Keyboard alone: Tab from the summary reaches its first link, Enter reaches the field.
    page.keyboard.press("Tab")
    first = links.first
    expect(first).to_be_focused()
    expect(first).to_contain_text("姓名")
    page.keyboard.press("Enter")
    expect(page.locator("#id_real_name")).to_be_focused()
    expect(page.locator("#id_real_name")).to_have_attribute("aria-invalid", "true")
    # A tap on a link further down brings that field, with its label, into view and focus.
    page.locator("#id_real_name").fill("韩梅梅")
    summary(page).get_by_role("link", name="我已阅读并同意").click()
    terms = page.locator("#id_accept_terms")
    expect(terms).to_be_focused()
    expect(page.locator("label[for=id_accept_terms]")).to_be_in_viewport()
    page.keyboard.press("Space")
    expect(terms).to_be_checked()


def test_the_discrepancy_form_is_short_until_she_ticks_a_row(page, meimei, login):
    login(page, "meimei", factories.PASSWORD)
    open_report(page, meimei)

    untouched = page.evaluate(HEIGHT_JS)
    assert untouched < UNTOUCHED_MAX_PX, f"the untouched 有误 form is {untouched} px tall"
    # Each row: the tick box, its label and the value on record; nothing else shows yet.
    row = page.locator("[data-report-row]", has=page.get_by_label("民族", exact=True))
    expect(row).to_contain_text("汉族")
    expect(page.get_by_label("民族的正确信息")).to_be_hidden()
    expect(page.get_by_label("证明材料 1")).to_be_hidden()

    box = page.get_by_label("民族", exact=True)
    box.focus()
    page.keyboard.press("Space")

    # Ticking opens the row and moves nothing; the opened box is next in the tab order.
    expect(box).to_be_checked()
    expect(box).to_be_focused()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label("民族的正确信息")).to_be_visible()
    expect(row).to_contain_text("需上传：户口本")
    expect(page.get_by_label("证明材料 1")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_label("民族的正确信息")).to_be_focused()
    ticked = page.evaluate(HEIGHT_JS)
    assert untouched < ticked < UNTOUCHED_MAX_PX + 1000, (untouched, ticked)
    assert_fits(page, "the 有误 form with a row open")
    assert axe_violations(page) == []
    # Unticking closes the row again.
    box.uncheck()
    expect(page.get_by_label("民族的正确信息")).to_be_hidden()
    assert page.evaluate(HEIGHT_JS) == untouched


def test_a_ticked_row_sent_without_its_value_is_reported_and_stays_open(page, meimei, login):
    login(page, "meimei", factories.PASSWORD)
    open_report(page, meimei)

    page.get_by_label("民族", exact=True).check()
    page.get_by_role("button", name="提交").click()

    expect(summary(page)).to_be_focused()
    expect(summary(page)).to_contain_text("提交未成功，请修改以下 1 处：")
    link = summary(page).get_by_role("link", name="民族的正确信息：请填写正确的信息")
    expect(link).to_be_visible()
    expect(page.get_by_label("民族", exact=True)).to_be_checked()
    expect(page.get_by_label("民族的正确信息")).to_be_visible()
    expect(page.get_by_label("姓名的正确信息")).to_be_hidden()
    assert axe_violations(page) == []
    link.click()
    expect(page.get_by_label("民族的正确信息")).to_be_focused()
    assert page.evaluate(HEIGHT_JS) < UNTOUCHED_MAX_PX + 1000
    assert not DiscrepancyReport.objects.exists()


def test_without_javascript_every_row_of_the_discrepancy_form_shows(
    browser, live_server, meimei, login
):
    context = browser.new_context(
        base_url=live_server.url,
        viewport=dict(MOBILE),
        locale="zh-CN",
        java_script_enabled=False,
    )
    try:
        page = context.new_page()
        login(page, "meimei", factories.PASSWORD)
        open_report(page, meimei)

        expect(page.get_by_label("民族的正确信息")).to_be_visible()
        expect(page.get_by_label("姓名的正确信息")).to_be_visible()
        expect(page.get_by_label("证明材料 1")).to_be_visible()
    finally:
        context.close()
