"""Issue 15 §2, the required check with a hold (notices.hold): a notice can make its task
required (必须完成); a student with it open is taken to 待办事项 once at log-in, every page
shows a bar until done; after the cutoff the task is 逾期 and the hold lifts. Staff see,
per class and in their scope, who has it open (after the cutoff: 未按时完成), and export it."""

import datetime
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from notices.models import Notice, NoticeAudience, NoticeTask
from portal.lib.models import AuditEvent
from tests import factories
from tests.accounts.helpers import log_in
from tests.notices.conftest import bulk_student, confirm, csrf_client, csrf_post, make_notice

DAY = datetime.timedelta(days=1)
BAR = "您有必须完成的校对任务"


@pytest.fixture
def required(world) -> Notice:
    notice = make_notice(
        world,
        task=NoticeTask.RECORD_CHECK,
        is_required=True,
        title="关于2023级学籍信息自查的通知",
    )
    NoticeAudience.objects.create(notice=notice, cohort=2023)
    return notice


def _overdue(notice: Notice) -> None:
    Notice.objects.filter(pk=notice.pk).update(window_end=timezone.now() - DAY)


def test_the_notice_form_sets_the_task_required(world):
    registrar = csrf_client(world.registrar)
    data = {
        "number": "23-120", "title": "学籍自查（必须完成）", "issuing_office": "教务处",
        "issue_date": "2026-10-23", "body": "请完成自查。", "task": NoticeTask.RECORD_CHECK,
        "is_required": "on", "window_start": "2026-10-23T08:00", "window_end": "2026-11-30T17:00",
        "audience-TOTAL_FORMS": "1", "audience-INITIAL_FORMS": "0",
        "contacts-TOTAL_FORMS": "1", "contacts-INITIAL_FORMS": "0",
    }  # fmt: skip

    response = csrf_post(registrar, "/notices/manage/new/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Notice.objects.get(number="23-120").is_required


def test_log_in_takes_her_to_the_todo_page_once(world, required):
    client = Client(enforce_csrf_checks=True)
    response = log_in("bob", client=client, url="/accounts/login/?next=/notices/")
    assert response["Location"] == "/notices/"

    held = client.get("/notices/")
    page = client.get(held["Location"])

    assert held.status_code == 302
    assert held["Location"] == "/todo/?next=%2Fnotices%2F"
    text = page.content.decode()
    assert "必须完成的校对任务" in text and required.title in text
    assert 'href="/notices/"' in text  # she may go on to the page she asked for
    assert client.get("/notices/").status_code == 200  # once only


def test_every_page_shows_the_bar_until_done(client_for, world, required):
    client = client_for(world.bob)
    client.get("/todo/")

    for url in ("/", "/records/mine/", "/notices/", f"/notices/{required.pk}/"):
        page = client.get(url).content.decode()
        assert BAR in page and required.title in page, url
        assert 'href="/todo/"' in page

    confirm(world.bob_record)

    assert BAR not in client.get("/notices/").content.decode()


def test_after_the_cutoff_the_hold_lifts_and_the_bar_says_overdue(world, required):
    _overdue(required)
    client = Client(enforce_csrf_checks=True)
    log_in("bob", client=client)

    home = client.get("/")

    assert home.status_code == 200  # not taken to the to-do page
    text = home.content.decode()
    assert BAR in text and "已逾期" in text


def test_no_hold_without_a_required_task(world, notice):
    client = Client(enforce_csrf_checks=True)
    log_in("bob", client=client)

    page = client.get("/")

    assert page.status_code == 200 and BAR not in page.content.decode()


def test_no_hold_once_done(world, required):
    confirm(world.bob_record)
    client = Client(enforce_csrf_checks=True)
    log_in("bob", client=client)

    assert client.get("/").status_code == 200


def test_a_notice_not_started_yet_neither_holds_nor_shows(world, required):
    Notice.objects.filter(pk=required.pk).update(window_start=timezone.now() + DAY)
    client = Client(enforce_csrf_checks=True)
    log_in("bob", client=client)

    page = client.get("/")

    assert page.status_code == 200 and BAR not in page.content.decode()


def test_staff_pages_show_no_bar(client_for, world, required):
    assert BAR not in client_for(world.counselor).get("/").content.decode()


def _help_page(client) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/notices/help/").content.decode()
    return page, [q["sql"] for q in captured.captured_queries]


def test_the_bar_costs_one_query_without_a_required_task_and_three_with_one(
    client_for, world, notice
):
    client = client_for(world.bob)
    client.get("/")  # the first page after log-in (its hold check) is not counted
    page, sql = _help_page(client)
    assert BAR not in page
    assert len([q for q in sql if "is_required" in q]) == 1

    Notice.objects.filter(pk=notice.pk).update(is_required=True)
    held_page, held_sql = _help_page(client)

    assert BAR in held_page
    # The notice's audience rules, and her records, to know the task is open; the usual
    # page (no required notice) pays for the one plain query only.
    assert len(held_sql) == len(sql) + 2


# Staff: the list per class, in scope, and its export ------------------------------------


def _list(client, notice, query: str = "") -> str:
    response = client.get(f"/notices/{notice.pk}/required/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_staff_see_per_class_who_has_the_required_task_open(client_for, world, required):
    confirm(world.alice_record)

    page = _list(client_for(world.registrar), required)

    assert "必须完成任务未完成名单" in page
    assert world.class_a.name in page and world.class_b.name in page
    assert "王强" in page and "陈静" in page
    assert "李晓梅" not in page  # done
    assert world.bob_record.id_number not in page  # masked


def test_after_the_cutoff_it_is_the_non_compliant_list(client_for, world, required):
    _overdue(required)

    page = _list(client_for(world.registrar), required)

    assert "未按时完成名单" in page and "王强" in page


def test_a_counselor_sees_her_classes_only(client_for, world, required):
    page = _list(client_for(world.counselor), required)

    assert "王强" in page
    assert "陈静" not in page and "赵磊" not in page


def test_a_counselor_of_another_class_sees_none_of_them(client_for, world, required):
    other = factories.user("counselor", username="counselor_b", institution=world.institution)
    world.class_b.counselors.add(other)
    client = client_for(other)

    page = _list(client, required)
    export = client.get(f"/notices/{required.pk}/required.xlsx")

    assert "王强" not in page and "陈静" in page
    assert "王强" not in _cells(export.content)
    assert (
        client.get(f"/notices/{required.pk}/required/?school_class={world.class_a.pk}").status_code
        == 404
    )


def test_the_list_of_a_notice_not_required_is_the_plain_pending_list(client_for, world, notice):
    page = _list(client_for(world.registrar), notice)

    assert "未完成名单" in page and "必须完成任务" not in page and "王强" in page


def test_students_cannot_open_the_list(client_for, world, required):
    client = client_for(world.bob)
    client.get("/todo/")  # where log-in takes her first

    assert client.get(f"/notices/{required.pk}/required/").status_code == 403
    assert client.get(f"/notices/{required.pk}/required.xlsx").status_code == 403


def _cells(content: bytes) -> str:
    sheet = load_workbook(io.BytesIO(content)).active
    return " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)


def test_the_export_is_masked_titled_and_audited(client_for, world, required):
    _overdue(required)
    client = client_for(world.counselor)

    response = client.get(f"/notices/{required.pk}/required.xlsx")

    cells = _cells(response.content)
    assert "未按时完成名单" in cells and "王强" in cells
    assert world.bob_record.id_number not in cells
    assert world.bob_record.id_number[-4:] in cells
    assert (
        "未按时完成名单" in response["Content-Disposition"]
        or "%E6%9C%AA" in response["Content-Disposition"]
    )
    event = AuditEvent.objects.get(action="notices.required_exported")
    assert event.actor_id == world.counselor.pk


def test_the_list_costs_the_same_queries_for_1_or_20_students(
    client_for, world, required, django_assert_max_num_queries
):
    client = client_for(world.registrar)
    client.get(f"/notices/{required.pk}/required/")
    with django_assert_max_num_queries(30) as few:
        client.get(f"/notices/{required.pk}/required/")
    for _ in range(20):
        bulk_student(world.class_b)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = _list(client, required)
    assert page.count("<tr>") >= 22


def test_the_todo_page_is_for_students(client_for, world):
    assert client_for(world.counselor).get("/todo/").status_code == 403


def test_the_todo_page_goes_on_only_to_this_site(client_for, world, required):
    page = client_for(world.bob).get("/todo/?next=https://evil.example/").content.decode()

    assert 'href="https://evil.example/"' not in page and "继续访问原页面" not in page


def test_the_log_in_asks_only_whether_a_required_notice_has_started(world, required):
    client = Client()

    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/accounts/login/", {"username": "alice", "password": factories.PASSWORD}
        )

    assert response.status_code == 302
    notices = [q["sql"] for q in queries.captured_queries if "notices_notice" in q["sql"]]
    assert len(notices) == 1, notices  # an EXISTS, not the notices with their rules
    assert "/todo/" in client.get("/records/mine/")["Location"]  # and the hold still holds
