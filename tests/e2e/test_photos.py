"""图像校对 in a real browser, on a phone-sized screen and with the keyboard only: the
student confirms one photo (asked twice, no JavaScript), rates it, reports another as
有误 and is shown whom to contact; the registrar uploads a replacement."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from imaging.models import CollectionUnit, Photo, PhotoKind, PhotoState
from tests import factories
from tests.e2e.conftest import assert_fits
from tests.imaging.conftest import add_photo, jpeg, make_zip

MOBILE = {"width": 375, "height": 812}


@pytest.fixture
def viewport() -> dict[str, int]:
    return dict(MOBILE)


@pytest.fixture
def people(transactional_db):
    inst = factories.institution(code="19903", name="示例师范学院")
    klass = factories.school_class(factories.college(inst, name="文学院"))
    student, record = factories.student(klass, username="lilei", real_name="李雷")
    registrar = factories.user(Role.REGISTRAR, username="xjk2", institution=inst)
    CollectionUnit.objects.create(
        province="360000", name="新华社江西分社图像采集中心", address="南昌市示范路 1 号",
        phone="0791-88880001", hours="工作日 8:30—17:30",
    )  # fmt: skip
    enrollment = add_photo(record, PhotoKind.ENROLLMENT)
    diploma = add_photo(record, PhotoKind.DIPLOMA)
    return record, registrar, enrollment, diploma


def test_confirm_rate_and_dispute_with_the_keyboard(
    page, people, login, logout, screenshot, tmp_path
):
    record, registrar, enrollment, diploma = people
    login(page, "lilei", factories.PASSWORD)
    page.goto("/records/mine/")
    expect(page.locator(f"#photo-{enrollment.token} .state")).to_have_text("尚未校对")
    assert_fits(page)
    screenshot(page, "photos-unverified-375")

    page.get_by_role("link", name=re.compile(r"^照片正确\s*（学籍照片）$")).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("确认学籍照片正确？")
    assert_fits(page)
    page.get_by_role("button", name="确定").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("照片质量评价")
    page.get_by_label("5 分：很好").focus()
    page.keyboard.press("Space")
    page.get_by_label("评价说明（可不填）").fill("清晰")
    with page.expect_navigation():
        page.get_by_role("button", name="提交评价").press("Enter")
    expect(page.locator(f"#photo-{enrollment.token}")).to_contain_text("照片质量评价：5 分。")

    page.get_by_role("link", name=re.compile(r"^照片有误\s*（学历照片）$")).click()
    page.get_by_label("不是本人照片").check()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认学历照片有误？")
    page.get_by_role("button", name="确定提交").click()
    card = page.locator(f"#photo-{diploma.token}")
    expect(card.locator(".state")).to_have_text("有误")
    expect(page.locator(".photo-check .warning")).to_contain_text("0791-88880001")
    assert_fits(page)
    screenshot(page, "photos-disputed-375")
    logout(page)
    assert Photo.objects.get(pk=enrollment.pk).state == PhotoState.CONFIRMED

    login(page, "xjk2", factories.PASSWORD)
    page.goto("/photos/disputes/")
    page.get_by_role("link", name="上传新照片").click()
    path = tmp_path / "new.jpg"
    path.write_bytes(jpeg(color=(20, 60, 200)))
    page.get_by_label("照片", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="上传并替换").click()
    expect(page.locator(".messages")).to_contain_text("校对状态已重置")
    current = Photo.objects.current().get(record=record, kind=PhotoKind.DIPLOMA)
    assert current.pk != diploma.pk and current.state == PhotoState.UNVERIFIED


def test_registrar_imports_a_zip_and_reads_the_reports(page, people, login, tmp_path, screenshot):
    record, registrar, enrollment, diploma = people
    other = factories.record(record.school_class)
    archive = tmp_path / "新华社.zip"
    archive.write_bytes(
        make_zip(
            {
                f"2023级/{other.id_number}.jpg": jpeg(),
                "2023级/110101199001011234.jpg": jpeg(),
                "../evil.jpg": jpeg(),
                "__MACOSX/._x.jpg": b"junk",
            }
        )
    )
    login(page, "xjk2", factories.PASSWORD)
    page.goto("/photos/manage/")
    assert_fits(page)
    page.get_by_role("link", name="导入照片（zip）").click()
    page.get_by_label("照片压缩包（.zip）").set_input_files(str(archive))
    page.get_by_label("照片类型").select_option("enrollment")
    page.get_by_role("button", name="上传并导入").click()

    expect(page.locator(".message-success")).to_contain_text("新增 1 张")
    assert_fits(page)
    page.get_by_role("link", name="查看导入结果（逐个文件）").click()
    entries = page.locator("table.data").first
    expect(entries).to_contain_text("路径不安全")
    expect(entries).to_contain_text("本校没有证件号码或考生号")
    assert_fits(page)
    screenshot(page, "photos-batch-375")

    page.goto("/photos/overview/")
    expect(page.locator("table.data tbody")).to_contain_text("2023级")
    assert_fits(page)
    page.goto("/photos/missing-diploma/")
    expect(page.locator("table.data")).to_contain_text(other.student_number)
    assert_fits(page)
    screenshot(page, "photos-missing-375")
