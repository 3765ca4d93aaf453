"""专业满意度和院校满意度评价 in a real browser (issue 15 §4, "Done when"): a student
confirms her record on a 375 px phone, follows the invitation, answers with the keyboard
alone; the registrar's summary, reached from the notice's progress page, counts her."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from notices.models import Notice, NoticeState, NoticeTask, SatisfactionEvaluation
from tests import factories
from tests.e2e.conftest import DESKTOP, MOBILE, assert_fits
from tests.e2e.test_axe import axe_violations

ITEMS = 9  # 专业: 4, 院校: 5


@pytest.fixture
def people(transactional_db):
    inst = factories.institution(code="19903", name="示例师范学院")
    college = factories.college(inst, name="文学院")
    klass = factories.school_class(college)
    student, record = factories.student(klass, username="xiaoyu", real_name="林小雨")
    registrar = factories.user(Role.REGISTRAR, username="xjk2", institution=inst)
    now = timezone.now()
    notice = Notice.objects.create(
        institution=inst,
        number="普院教发（2026）4号",
        title="关于做好2023级学籍信息自查的通知",
        issuing_office="教务处",
        issue_date=now.date(),
        body="请登录本系统核对学籍信息。",
        task=NoticeTask.RECORD_CHECK,
        state=NoticeState.PUBLISHED,
        window_start=now - datetime.timedelta(days=3),
        window_end=now + datetime.timedelta(days=10),
        published_at=now - datetime.timedelta(days=3),
        created_by=registrar,
    )
    # Four classmates answered already: with hers the group reaches 5 and shows.
    for _ in range(4):
        factories.satisfaction_answer(notice, klass)
    return student, record, registrar, notice


@pytest.mark.parametrize("viewport", [MOBILE])
def test_a_student_evaluates_and_the_registrar_counts_it(page, people, login, logout, screenshot):
    student, record, registrar, notice = people

    login(page, "xiaoyu", factories.PASSWORD)
    page.goto("/records/mine/")
    page.get_by_role("link", name="学籍信息正确", exact=True).click()
    page.get_by_role("button", name="确定").click()
    expect(page.locator(".messages")).to_contain_text("已确认")
    invitation = page.locator(".satisfaction-invite")
    expect(invitation).to_contain_text("专业满意度和院校满意度评价（自愿）")
    assert_fits(page, "学籍信息 with the invitation")
    invitation.get_by_role("link", name="我要评价").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("专业满意度和院校满意度评价（自愿）")
    assert_fits(page, "the evaluation form")
    assert axe_violations(page) == []
    screenshot(page, "satisfaction-form-375")
    # The keyboard alone: into the first group, Space picks 1, → moves to 4; Tab to the next.
    page.locator(f"a[href$='/notices/{notice.pk}/']").first.focus()
    page.keyboard.press("Tab")
    for _ in range(ITEMS):
        page.keyboard.press("Space")
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Tab")
    expect(page.get_by_label("意见和建议（可不填）")).to_be_focused()
    page.keyboard.type("希望增加实践课。")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="提交评价")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(".messages")).to_contain_text("评价已提交")
    expect(page.locator("main")).to_contain_text("已评价")
    expect(page.get_by_role("button", name="提交评价")).to_have_count(0)
    answer = SatisfactionEvaluation.objects.get(words="希望增加实践课。")
    assert [getattr(answer, name) for name in ("major_overall", "school_recommend")] == [4, 4]
    logout(page)

    page.set_viewport_size(DESKTOP)
    login(page, "xjk2", factories.PASSWORD)
    page.goto(f"/notices/{notice.pk}/progress/")
    page.get_by_role("link", name="专业满意度和院校满意度评价结果").click()
    college = page.locator("section", has=page.get_by_role("heading", name="文学院"))
    expect(college).to_contain_text("评价人数：5")
    expect(college).to_contain_text("3.20")  # (4 × 3 + 4) / 5 on every item
    expect(college).to_contain_text("希望增加实践课。")
    expect(page.locator("main")).not_to_contain_text("林小雨")
    assert axe_violations(page) == []
    screenshot(page, "satisfaction-results")
