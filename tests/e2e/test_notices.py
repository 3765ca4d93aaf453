"""A notice from publishing to the signed class sheet, in a real browser:

the registrar writes and publishes a notice → a student sees it on her home page with
the time left (on a 375 px screen) → the counselor opens the class progress, signs the
feedback sheet with the keyboard and downloads the .xlsx, which openpyxl reads back.
"""

from __future__ import annotations

import datetime
import io

from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from notices.models import Notice, NoticeState
from tests.e2e.conftest import assert_fits
from tests.factories import PASSWORD
from tests.notices.conftest import done_everything

MOBILE = {"width": 375, "height": 812}


def _local(value: datetime.datetime, fmt: str) -> str:
    return timezone.localtime(value).strftime(fmt)


def _publish(page, login, logout) -> None:
    now = timezone.now()
    login(page, "registrar", PASSWORD)
    page.goto("/notices/manage/new/")
    page.get_by_label("文号").fill("普院教发（2026）4号")
    page.get_by_label("标题").fill("关于做好2023级图像信息校对的通知")
    page.get_by_label("发文单位").fill("教务处")
    page.get_by_label("发文日期").fill(_local(now, "%Y-%m-%d"))
    page.get_by_label("正文").fill("## 一、校对时间\n\n请于截止时间前完成学籍信息自查和图像校对。")
    page.get_by_label("校对任务").select_option("both")
    page.get_by_label("开始时间").fill(_local(now - datetime.timedelta(days=1), "%Y-%m-%dT%H:%M"))
    page.get_by_label("截止时间", exact=True).fill(
        _local(now + datetime.timedelta(days=10, hours=2), "%Y-%m-%dT%H:%M")
    )
    page.locator("#id_audience-0-cohort").fill("2023")
    page.locator("#id_contacts-0-office").fill("教务处学籍科")
    page.locator("#id_contacts-0-room").fill("办公楼一楼学籍管理室")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存")).to_be_visible()

    page.get_by_role("link", name="发布", exact=True).click()
    page.get_by_role("button", name="确定发布").click()
    expect(page.get_by_text("通知已发布")).to_be_visible()
    logout(page)


def test_publish_see_sign_and_download(world, page, login, logout, screenshot, tmp_path):
    done_everything(world.alice_record)

    _publish(page, login, logout)
    notice = Notice.objects.get(number="普院教发（2026）4号")
    assert notice.state == NoticeState.PUBLISHED

    # The student: her notice, her own state, the time left — on a phone.
    page.set_viewport_size(MOBILE)
    login(page, "bob", PASSWORD)
    mine = page.locator("section[aria-labelledby='my-notices']")
    expect(mine).to_contain_text("关于做好2023级图像信息校对的通知")
    expect(mine).to_contain_text("未完成")
    expect(mine).to_contain_text("还剩 10 天")
    assert_fits(page, "the student's home")
    screenshot(page, "notices-student-home-375x812")
    mine.get_by_role("link", name="关于做好2023级图像信息校对的通知").click()
    expect(page.locator(".notice-my-task")).to_contain_text("还剩 10 天")
    expect(page.get_by_role("heading", name="一、校对时间")).to_be_visible()
    assert_fits(page, "the notice page")
    screenshot(page, "notices-notice-375x812")
    logout(page)

    # The counselor: progress → her class → sign (keyboard only) → download.
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, "counselor", PASSWORD)
    page.goto(f"/notices/{notice.pk}/")
    page.get_by_role("link", name="校对进度").click()
    expect(page.get_by_role("heading", name="校对进度")).to_be_visible()
    screenshot(page, "notices-counselor-progress")
    page.get_by_role("link", name=world.class_a.name).click()
    expect(page.locator("section[aria-labelledby='pending-heading']")).to_contain_text("王强")

    sign = page.get_by_role("button", name="辅导员签名")
    sign.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # 王强 has not checked and the window is open: the page says so and asks again.
    expect(page.get_by_role("alert")).to_contain_text("本班还有 1 名学生未完成校对")
    page.get_by_role("button", name="仍然签名").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("已签名。请学院领导复核。")).to_be_visible()
    screenshot(page, "notices-counselor-sheet")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载反馈表（.xlsx，A4 打印）").click()
    path = tmp_path / "sheet.xlsx"
    download.value.save_as(path)

    ws = load_workbook(path).active
    assert ws["A2"].value == f"班级名称：2023级{world.class_a.name}"
    rows = [row[:5] for row in ws.iter_rows(min_row=4, max_row=5, values_only=True)]
    assert [(row[0], row[2], row[3], row[4]) for row in rows] == [
        (1, "李晓梅", "无误", None),
        (2, "王强", "无照片，须补采；学籍信息未校对", None),
    ]
    assert ws.cell(ws.max_row - 1, 1).value == "辅导员签名："  # blank, to sign by hand
    assert ws.cell(ws.max_row, 1).value.startswith(f"电子签名：{world.counselor.get_full_name()}")

    # The web sheet prints as the paper form: A4, no portal around it, 本人签名 and the
    # line to sign and stamp.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("section[aria-labelledby='pending-heading']")).to_be_hidden()
    expect(page.locator("th.print-only")).to_be_visible()
    expect(page.locator(".sign-line")).to_contain_text("学院（公章）")
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True))).pages
    text = "".join(p.extract_text() for p in pdf)
    assert "本人签名" in text and "学院（公章）" in text and "王强" in text
    assert "安全退出" not in text and "导出名单" not in text
    size = (float(pdf[0].mediabox.width), float(pdf[0].mediabox.height))
    assert abs(size[0] - 595) < 2 and abs(size[1] - 842) < 2  # A4 portrait, in points
    (tmp_path / "sheet-web.pdf").write_bytes(page.pdf(format="A4"))
