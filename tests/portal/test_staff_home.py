"""Each staff home page is a to-do list: the counselor's sheets to sign and her classes'
tasks, the college's sheets to countersign and its classes furthest behind, the
registrar's queues with their ages and the tasks closing soon; each item a link."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from imaging.models import PhotoState
from notices.models import FeedbackSheet, NoticeAudience
from notices.services.sheets import sheet_countersign, sheet_sign, sheets_sync
from records.models import DiscrepancyReport
from tests import factories
from tests.notices.conftest import bulk_student, confirm, count_queries, make_notice, photo, report


def _page(client, url: str = "/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _section(page: str, heading_id: str) -> str:
    """The <section> whose heading has this id."""
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


# Counselor ------------------------------------------------------------------------------


def test_counselor_sees_the_sheet_to_sign_with_its_deadline_and_students_left(
    client_for, world, sheet
):
    page = _page(client_for(world.counselor))
    to_sign = _section(page, "to-sign")

    assert f'href="/notices/sheets/{sheet.pk}/"' in to_sign
    assert world.class_a.name in to_sign
    assert "尚有 2 名学生未完成校对" in to_sign  # alice and bob
    assert "上交截止" in to_sign


def test_a_signed_sheet_leaves_the_counselors_to_do(client_for, world, sheet):
    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)

    to_sign = _section(_page(client_for(world.counselor)), "to-sign")

    assert f"/notices/sheets/{sheet.pk}/" not in to_sign
    assert "没有待签名的反馈表" in to_sign


def test_counselor_sees_each_task_with_a_bar_per_class_of_hers(client_for, world, notice):
    confirm(world.alice_record)
    photo(world.alice_record, state=PhotoState.CONFIRMED)

    tasks = _section(_page(client_for(world.counselor)), "tasks")

    assert f'href="/notices/{notice.pk}/progress/"' in tasks
    assert re.search(r'<progress max="2" value="1"', tasks)  # class A: alice done, bob not
    assert "1 人未完成" in tasks
    assert world.class_b.name not in tasks  # not her class
    assert "还剩" in tasks


def test_a_notice_for_none_of_her_students_is_not_her_task(client_for, world):
    other = make_notice(world, title="关于2019届毕业生图像校对的通知")
    NoticeAudience.objects.create(notice=other, cohort=2019)

    assert other.title not in _page(client_for(world.counselor))


def test_a_task_closed_long_ago_leaves_the_home_page(client_for, world):
    now = timezone.now()
    old = make_notice(
        world,
        title="去年的校对任务",
        window_start=now - datetime.timedelta(days=90),
        window_end=now - datetime.timedelta(days=60),
    )
    NoticeAudience.objects.create(notice=old, cohort=2023)

    assert old.title not in _page(client_for(world.counselor))


def test_counselor_sees_her_students_reports_waiting_and_no_one_elses(client_for, world):
    report(world.alice_record)
    report(world.carol_record)  # class B: not hers

    reports = _section(_page(client_for(world.counselor)), "open-reports")

    assert "1 件有误申请待学籍科处理" in reports
    assert f'href="/records/{world.alice_record.pk}/"' in reports
    assert world.carol_record.name not in reports


def test_counselor_menu_leads_to_her_tasks(client_for, world, sheet):
    client = client_for(world.counselor)
    assert 'href="/notices/tasks/"' in _page(client)

    tasks = _page(client, "/notices/tasks/")

    assert f'href="/notices/sheets/{sheet.pk}/"' in tasks
    assert "未签名" in tasks


def test_a_student_may_not_open_the_task_list(client_for, world):
    assert client_for(world.alice).get("/notices/tasks/").status_code == 403


# College --------------------------------------------------------------------------------


def test_college_sees_the_signed_sheet_to_countersign_until_it_does(client_for, world, sheet):
    client = client_for(world.college_staff)
    assert "没有待复核的反馈表" in _section(_page(client), "to-countersign")

    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)
    to_countersign = _section(_page(client), "to-countersign")
    assert f'href="/notices/sheets/{sheet.pk}/"' in to_countersign
    assert "已于" in to_countersign and "签名" in to_countersign

    sheet_countersign(sheet=FeedbackSheet.objects.get(pk=sheet.pk), by=world.college_staff)
    assert f"/notices/sheets/{sheet.pk}/" not in _section(_page(client), "to-countersign")


def test_college_sees_its_classes_furthest_behind_first(client_for, world, notice):
    done_class = factories.school_class(world.class_a.college)
    _, record = bulk_student(done_class)
    confirm(record)
    photo(record, state=PhotoState.CONFIRMED)

    tasks = _section(_page(client_for(world.college_staff)), "tasks")

    # Classes A and B have no one done; the class all done is not behind at all.
    assert world.class_a.name in tasks and world.class_b.name in tasks
    assert done_class.name not in tasks
    assert world.class_other_college.name not in tasks


# Registrar ------------------------------------------------------------------------------


def test_registrar_sees_each_queue_with_its_count_and_age(client_for, world):
    filed = report(world.alice_record)
    DiscrepancyReport.objects.filter(pk=filed.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3, hours=1)
    )
    disputed = photo(world.bob_record, state=PhotoState.DISPUTED, reason="not_me")
    disputed.verifications.update(created_at=timezone.now() - datetime.timedelta(days=1))

    queues = _section(_page(client_for(world.registrar)), "queues")

    assert 'href="/records/queue/"' in queues
    assert "1 件，最早的已等待 3" in queues
    assert 'href="/photos/disputes/"' in queues
    assert "1 张，最早的已等待 1" in queues


def test_registrar_sees_a_task_closing_soon(client_for, world):
    soon = make_notice(
        world, title="三天后截止的任务", window_end=timezone.now() + datetime.timedelta(days=3)
    )
    later = make_notice(
        world, title="一月后截止的任务", window_end=timezone.now() + datetime.timedelta(days=30)
    )

    notices = _section(_page(client_for(world.registrar)), "notices")

    assert f'href="/notices/{soon.pk}/progress/"' in notices
    assert "即将截止" in notices
    assert notices.index(soon.title) < notices.index(later.title)
    assert notices.count("即将截止") == 1


def test_registrar_sees_the_classes_furthest_behind(client_for, world):
    confirm(world.alice_record)
    confirm(world.bob_record)

    behind = _section(_page(client_for(world.registrar)), "behind")

    assert behind.index(world.class_b.name) < behind.index(world.class_a.name)
    assert f'href="/records/classes/{world.class_b.pk}/"' in behind


def test_registrar_menu_holds_the_queues(client_for, world):
    page = _page(client_for(world.registrar))
    nav = page[page.index("site-nav") : page.index("</nav>")]

    assert 'href="/records/queue/"' in nav
    assert 'href="/photos/disputes/"' in nav


# Cost -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["counselor", "college_staff", "registrar"])
def test_a_staff_home_costs_the_same_queries_for_more_students(client_for, world, notice, who):
    sheets_sync(notice=notice)
    client = client_for(getattr(world, who))
    client.get("/")
    before = count_queries(client, "/")
    for _ in range(20):
        _, record = bulk_student(world.class_a)
        report(record)

    assert count_queries(client, "/") == before


def test_a_sheet_that_changed_after_signing_goes_back_to_the_counselor_not_the_college(
    client_for, world, sheet
):
    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)
    confirm(world.alice_record)  # after her signature: the sheet no longer says what she signed

    to_sign = _section(_page(client_for(world.counselor)), "to-sign")
    to_countersign = _section(_page(client_for(world.college_staff)), "to-countersign")
    tasks = _page(client_for(world.counselor), "/notices/tasks/")

    assert "重新签名：" in to_sign and f"/notices/sheets/{sheet.pk}/" in to_sign
    assert "1 名学生的校对结果发生变化" in to_sign
    assert f"/notices/sheets/{sheet.pk}/" not in to_countersign
    assert "待辅导员重新签名" in tasks


def test_the_export_of_a_sheet_changed_after_signing_does_not_carry_her_signature_as_valid(
    client_for, world, sheet
):
    import io

    from openpyxl import load_workbook

    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)
    confirm(world.alice_record)

    content = client_for(world.counselor).get(f"/notices/sheets/{sheet.pk}/export.xlsx")
    cells = [c for row in load_workbook(io.BytesIO(content.content)).active.values for c in row]

    assert any(
        str(c).startswith("签名后有变化，待辅导员重新签名（原电子签名：") for c in cells if c
    )


def test_a_sheet_signed_in_english_has_not_changed_for_a_reader_in_chinese(
    client_for, world, sheet
):
    """The rows kept with a signature are worded in the portal's language, whatever the
    signer's browser asked for: otherwise every row reads as changed to the next reader."""
    from django.utils import translation

    with translation.override("en"):
        sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)

    to_sign = _section(_page(client_for(world.counselor)), "to-sign")
    to_countersign = _section(_page(client_for(world.college_staff)), "to-countersign")

    assert "重新签名" not in to_sign
    assert f"/notices/sheets/{sheet.pk}/" in to_countersign
