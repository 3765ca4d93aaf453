"""The heart of the portal in a real browser: a student binds and reads her record,
reports 有误 with a PDF, the registrar accepts, and she confirms the corrected record."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from pypdf import PdfWriter

from accounts.models import Role
from records.models import EnrollmentRecord
from tests import factories
from tests.e2e.conftest import assert_fits


@pytest.fixture
def people(transactional_db):
    inst = factories.institution(code="19902", name="示例理工学院")
    college = factories.college(inst, name="信息工程学院")
    klass = factories.school_class(college)
    number = factories.id_number()
    student = factories.user(Role.STUDENT, username="meimei", real_name="韩梅梅", id_number=number)
    record = factories.record(klass, name="韩梅梅", id_number=number)  # not bound yet
    registrar = factories.user(Role.REGISTRAR, username="xjk", institution=inst)
    return student, record, registrar


@pytest.fixture
def scan(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    path = tmp_path / "户口本.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def test_report_correct_and_confirm(page, people, scan, login, logout, screenshot):
    student, record, registrar = people

    login(page, "meimei", factories.PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="学籍信息").click()
    expect(page.locator("[data-field=name] dd")).to_have_text("韩梅梅")
    expect(page.locator("[data-field=ethnicity] dd")).to_have_text("汉族")
    page.get_by_role("link", name="学籍信息有误", exact=True).click()
    # Only a ticked field asks for its right value, with what it needs said beside it.
    expect(page.get_by_label("民族的正确信息")).to_be_hidden()
    page.get_by_label("民族", exact=True).check()
    # Ticking moves no focus; the opened box is next in the tab order.
    expect(page.get_by_label("民族", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("民族的正确信息")).to_be_focused()
    expect(
        page.locator("[data-report-row]", has=page.get_by_label("民族", exact=True))
    ).to_contain_text("需上传：户口本")
    page.get_by_label("民族的正确信息").select_option("回族")
    page.get_by_label("材料类型").first.select_option("户口本")
    page.get_by_label("证明材料 1").set_input_files(str(scan))
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".state-disputed").first).to_contain_text("已报有误")
    screenshot(page, "records-reported")
    logout(page)

    login(page, "xjk", factories.PASSWORD)
    page.goto("/records/queue/")
    page.locator("table.data tbody a").first.click()
    expect(page.locator("table.compare")).to_contain_text("回族")
    page.get_by_label("处理结果").select_option("accept")
    page.get_by_label("民族：汉族 → 回族").check()
    page.get_by_role("button", name="保存处理结果").click()
    expect(page.locator(".messages")).to_contain_text("处理结果已保存")
    logout(page)

    login(page, "meimei", factories.PASSWORD)
    page.goto("/records/mine/")
    expect(page.locator("[data-field=ethnicity] dd")).to_have_text("回族")
    page.get_by_role("link", name="学籍信息正确", exact=True).click()
    page.get_by_role("button", name="确定").click()
    expect(page.locator(".messages")).to_contain_text("已确认")
    screenshot(page, "records-confirmed")
    assert (
        EnrollmentRecord.objects.get(pk=record.pk)
        .confirmations.filter(revoked_at__isnull=True)
        .count()
        == 1
    )


@pytest.mark.parametrize("viewport", [{"width": 375, "height": 812}])
def test_long_numbers_never_break_inside_on_a_phone(page, people, login, screenshot):
    """docs/design.md: 375 px. 证件号码, 学号, 考生号 stay whole: beside their label or
    under it, each on one line and wholly visible, and the page never scrolls sideways."""
    _student, record, _registrar = people
    # The longest 学号 a record holds (20 characters): wider than the value column.
    EnrollmentRecord.objects.filter(pk=record.pk).update(student_number="2" * 20)
    login(page, "meimei", factories.PASSWORD)
    page.goto("/records/mine/")

    numbers = page.evaluate(
        """() => Array.from(document.querySelectorAll('.field dd.number')).map(dd => ({
            text: dd.textContent.trim(),
            lines: Math.round(dd.clientHeight / parseFloat(getComputedStyle(dd).lineHeight)),
            hidden: dd.scrollWidth - dd.clientWidth,
            right: dd.getBoundingClientRect().right,
        }))"""
    )
    screenshot(page, "records-numbers-375")
    assert len(numbers) == 3
    for number in numbers:
        assert number["lines"] == 1 and number["hidden"] <= 0, number
        assert number["right"] <= 375, number
    assert_fits(page)
