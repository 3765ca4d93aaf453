"""Issue 15 §3 in a real browser, on a phone: the registrar corrects a student's field
through the 有误 queue; the student opens 学籍信息, reads who changed what, follows the link
to 我的学籍记录 and sees who (an office, no name), what (before → after) and why."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from records.models import DiscrepancyItem, DiscrepancyReport
from tests import factories
from tests.e2e.conftest import MOBILE, assert_fits


@pytest.fixture
def people(transactional_db):
    inst = factories.institution(code="19903", name="示例师范学院")
    inst.registrar_office = "教务处学籍科，办公楼一楼"
    inst.save()
    klass = factories.school_class(factories.college(inst, name="文学院"))
    student, record = factories.student(klass, username="lilei", real_name="李蕾")
    registrar = factories.user(
        Role.REGISTRAR, username="xjk2", real_name="周老师", institution=inst
    )
    # Her 有误 report, as the 有误 form files it (tests/e2e/test_records_flow.py walks it).
    report = DiscrepancyReport.objects.create(
        record=record, user=student, explanation="户口本上是回族"
    )
    DiscrepancyItem.objects.create(
        report=report, field="ethnicity", current_value="汉族", claimed_value="回族"
    )
    return student, record, registrar


@pytest.mark.parametrize("viewport", [MOBILE])
def test_a_correction_reads_who_what_and_why(page, people, login, logout, screenshot):
    login(page, "xjk2", factories.PASSWORD)
    page.goto("/records/queue/")
    page.locator("table.data tbody a").first.click()
    page.get_by_label("处理结果").select_option("accept")
    page.get_by_label("民族：汉族 → 回族").check()
    page.get_by_label("处理意见").fill("与户口本核对一致")
    page.get_by_role("button", name="保存处理结果").click()
    expect(page.locator(".messages")).to_contain_text("处理结果已保存")
    logout(page)

    login(page, "lilei", factories.PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="学籍信息").click()
    note = page.locator("[data-change-note]")
    expect(note).to_contain_text("学籍管理员（教务处学籍科）于")
    expect(note).to_contain_text("更正了 民族，请重新核对")
    assert_fits(page, "学籍信息")
    screenshot(page, "records-change-note-375")
    # By keyboard: the link after the note opens the history.
    link = page.get_by_role("link", name="在“我的学籍记录”中查看谁改了什么、为什么")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("我的学籍记录")
    change = page.locator("[data-history=change]").first
    expect(change.locator("[data-who]")).to_have_text("学籍管理员（教务处学籍科）")
    expect(change).to_contain_text("更正学籍信息")
    expect(change).to_contain_text("民族：汉族 → 回族")
    expect(change).to_contain_text("原因：与户口本核对一致")
    expect(change).to_contain_text("您的申请说明：户口本上是回族")
    expect(page.locator("main")).not_to_contain_text("周老师")
    expect(page.locator("main")).not_to_contain_text("xjk2")
    assert_fits(page, "我的学籍记录")
    screenshot(page, "record-history-375")
