"""我的学籍记录 (issue 15 §3): the student sees who changed her record (an office, never a
staff member's name), what and why; who looked at or exported her data, per day; who
opened her online reports, the address masked. Her own events only, in bounded queries."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from records.models import DiscrepancyItem, DiscrepancyReport, OnlineReport
from records.online_reports import services
from tests.records.conftest import edit_record

HISTORY = "/records/mine/history/"


@pytest.fixture
def world(world):
    world.institution.registrar_office = "教务处学籍科，办公楼一楼"
    world.institution.save()
    return world


def _file_report(record, explanation="户口本上是回族，录取时登记错了"):
    report = DiscrepancyReport.objects.create(
        record=record, user=record.user, explanation=explanation
    )
    DiscrepancyItem.objects.create(
        report=report, field="ethnicity", current_value="汉族", claimed_value="回族"
    )
    return report


def _accept(client_for, registrar, report, note="与户口本核对一致"):
    response = client_for(registrar).post(
        f"/records/queue/{report.pk}/",
        {"decision": "accept", "fields_to_apply": ["ethnicity"], "note": note},
    )
    assert response.status_code == 302


def _online_report(record) -> OnlineReport:
    return OnlineReport.objects.create(
        record=record,
        user=record.user,
        code=services.code_generate(),
        valid_until=timezone.now() + datetime.timedelta(days=30),
    )


def _staff_names(world) -> list[str]:
    staff = (world.registrar, world.counselor, world.college_staff)
    return [person.real_name for person in staff] + [person.username for person in staff]


def test_a_correction_shows_who_what_and_why(client_for, world):
    _accept(client_for, world.registrar, _file_report(world.alice_record))

    page = client_for(world.alice).get(HISTORY).content.decode()

    assert "学籍管理员（教务处学籍科）" in page  # who: the office
    assert "更正学籍信息" in page
    assert "民族：汉族 → 回族" in page  # what, in words
    assert "原因：与户口本核对一致" in page  # why: the registrar's note
    assert "您的申请说明：户口本上是回族，录取时登记错了" in page  # and her own report's
    for name in _staff_names(world):
        assert name not in page


def test_a_direct_edit_shows_dates_in_words_and_its_reason(client_for, world):
    edit_record(
        client_for(world.registrar),
        world.alice_record,
        entry_date="2023-09-02",
        reason="以入学登记表为准",
    )

    page = client_for(world.alice).get(HISTORY).content.decode()

    assert "入学日期：2023年9月1日 → 2023年9月2日" in page
    assert "原因：以入学登记表为准" in page
    assert "学籍管理员（教务处学籍科）" in page


def test_her_own_actions_read_as_hers(client_for, world):
    client_for(world.alice).get("/records/mine/")  # nothing to bind: already bound
    client_for(world.alice).post(f"/records/{world.alice_record.pk}/confirm/")

    page = client_for(world.alice).get(HISTORY).content.decode()

    assert "<span data-who>本人</span> · <strong>学籍信息确认正确</strong>" in page


def test_a_staff_view_shows_office_and_day_without_a_name(client_for, world):
    url = f"/records/{world.alice_record.pk}/"
    for _ in range(2):
        assert client_for(world.counselor).get(url).status_code == 200
    client_for(world.college_staff).get(url)

    page = client_for(world.alice).get(HISTORY).content.decode()

    today = date_format(timezone.localdate(), "DATE_FORMAT")
    assert f">{today}</time></h3>" in page
    assert "辅导员 · 查看学籍（2 次）" in page
    assert "学院工作人员（理工学院） · 查看学籍" in page
    for name in _staff_names(world):
        assert name not in page


def test_an_export_that_named_her_shows(client_for, world):
    _accept(client_for, world.registrar, _file_report(world.alice_record))
    registrar = client_for(world.registrar)
    assert registrar.get("/records/corrections/export/").status_code == 200

    page = client_for(world.alice).get(HISTORY).content.decode()

    assert "学籍管理员（教务处学籍科） · 导出学籍更正明细" in page


def test_report_viewings_show_when_and_a_masked_address(client_for, world):
    report = _online_report(world.alice_record)
    Client(REMOTE_ADDR="203.0.113.77").get(f"/verify/{report.code}/")
    Client(REMOTE_ADDR="2001:db8:85a3::8a2e:370:7334").get(f"/verify/{report.code}/")

    history = client_for(world.alice).get(HISTORY).content.decode()
    detail = client_for(world.alice).get(f"/records/reports/{report.pk}/").content.decode()

    for page in (history, detail):
        assert "203.0.113.*" in page
        assert "2001:db8:85a3:*" in page
        assert "203.0.113.77" not in page
        assert "8a2e" not in page
    assert f'href="/records/reports/{report.pk}/"' in history  # which report


def test_another_students_events_never_show(client_for, world):
    edit_record(client_for(world.registrar), world.bob_record, name="王强强", reason="仅属于王强")
    client_for(world.counselor).get(f"/records/{world.bob_record.pk}/")
    bob_report = _online_report(world.bob_record)
    Client(REMOTE_ADDR="198.51.100.5").get(f"/verify/{bob_report.code}/")

    page = client_for(world.alice).get(HISTORY).content.decode()

    assert "仅属于王强" not in page
    assert "王强强" not in page
    assert "查看学籍" not in page
    assert "198.51.100" not in page
    assert "暂无变更记录。" in page


def test_staff_have_no_history_page(client_for, world):
    assert client_for(world.registrar).get(HISTORY).status_code == 403
    assert client_for(None).get(HISTORY).status_code == 302  # to log-in


def _events(world, client_for, report, n: int, start: int = 0) -> None:
    """n edits by the registrar, n looks by the counselor, n viewings of the report."""
    registrar = client_for(world.registrar)
    for i in range(start, start + n):
        edit_record(registrar, world.alice_record, name=f"李晓梅{i}", reason=f"第 {i} 次")
    for _ in range(n):
        client_for(world.counselor).get(f"/records/{world.alice_record.pk}/")
        Client(REMOTE_ADDR="203.0.113.8").get(f"/verify/{report.code}/")


def test_the_page_costs_the_same_queries_for_few_and_many_events(
    client_for, world, django_assert_max_num_queries
):
    report = _online_report(world.alice_record)
    _events(world, client_for, report, 1)
    client = client_for(world.alice)
    with django_assert_max_num_queries(12) as few:
        client.get(HISTORY)
    one_of_each = len(few.captured_queries)  # read now: the next request resets the log
    _events(world, client_for, report, 7, start=1)
    client = client_for(world.alice)

    with django_assert_max_num_queries(one_of_each):
        page = client.get(HISTORY).content.decode()
    assert "第 7 次" in page and "查看学籍（8 次）" in page and page.count("203.0.113.*") == 8


def test_the_report_page_costs_the_same_queries_for_few_and_many_viewings(
    client_for, world, django_assert_max_num_queries
):
    report = _online_report(world.alice_record)
    Client(REMOTE_ADDR="203.0.113.9").get(f"/verify/{report.code}/")
    client = client_for(world.alice)
    with django_assert_max_num_queries(12) as few:
        client.get(f"/records/reports/{report.pk}/")
    one = len(few.captured_queries)
    for _ in range(9):
        Client(REMOTE_ADDR="203.0.113.9").get(f"/verify/{report.code}/")

    with django_assert_max_num_queries(one):
        page = client.get(f"/records/reports/{report.pk}/").content.decode()
    assert page.count("203.0.113.*") == 10


def test_records_page_says_what_changed_after_a_correction(client_for, world):
    _accept(client_for, world.registrar, _file_report(world.alice_record))

    page = client_for(world.alice).get("/records/mine/").content.decode()

    today = date_format(timezone.localdate(), "DATE_FORMAT")
    assert f"学籍管理员（教务处学籍科）于 {today} 更正了 民族，请重新核对。" in page
    assert f'href="{HISTORY}"' in page
    assert "已查看，未确认" in page


def test_the_change_note_costs_one_query_however_many_changes(
    client_for, world, django_assert_max_num_queries
):
    """One query for the note. The page without one costs 10 (tests/records/
    test_record_pages.py); the accepted report adds its items (one query)."""
    _accept(client_for, world.registrar, _file_report(world.alice_record))
    client = client_for(world.alice)
    client.get("/records/mine/")
    with django_assert_max_num_queries(12) as one:
        client.get("/records/mine/")
    one_change = len(one.captured_queries)
    registrar = client_for(world.registrar)
    for n in range(5):
        edit_record(registrar, world.alice_record, name=f"李晓梅{n}", reason=f"第 {n} 次")
    client = client_for(world.alice)
    client.get("/")  # the first page after log-in checks the hold once (notices.hold)

    with django_assert_max_num_queries(one_change):
        page = client.get("/records/mine/").content.decode()
    assert "修改了 姓名，请重新核对。" in page  # the latest change


def test_the_change_note_goes_once_she_confirms_again(client_for, world):
    _accept(client_for, world.registrar, _file_report(world.alice_record))
    alice = client_for(world.alice)
    alice.get("/records/mine/")
    alice.post(f"/records/{world.alice_record.pk}/confirm/")

    page = alice.get("/records/mine/").content.decode()

    assert "更正了 民族" not in page
    assert "已确认正确" in page


def test_the_records_page_and_the_menu_link_the_history(client_for, world):
    page = client_for(world.alice).get("/records/mine/").content.decode()

    assert page.count(f'href="{HISTORY}"') >= 2  # the menu, and the page itself
    assert "我的学籍记录" in page


def test_a_withdrawn_report_leaves_her_revoked_confirmation_told(
    client_for, world, django_assert_max_num_queries
):
    """正确, then 有误 (which revokes it), then withdrawn: the record is open again and
    学籍信息 says why: two queries more than a record she never confirmed (the withdrawn
    report's items, shown in its summary, and her revoked 正确)."""
    alice = client_for(world.alice)
    alice.get("/records/mine/")
    with django_assert_max_num_queries(100) as never_confirmed:
        alice.get("/records/mine/")
    plain = len(never_confirmed.captured_queries)
    alice.post(f"/records/{world.alice_record.pk}/confirm/")
    report = _file_report(world.alice_record)
    from records.services import checks

    checks.revoke_confirmation(world.alice_record, "提交了有误申请")
    alice.post(f"/records/reports/{report.pk}/withdraw/")
    report.refresh_from_db()
    assert report.state == "withdrawn"

    with django_assert_max_num_queries(plain + 2):
        page = alice.get("/records/mine/").content.decode()

    assert "您之前的确认已失效，请重新核对后确认。" in page
    assert "提交了有误申请。" in page
    assert "学籍信息正确" in page  # she can confirm again
