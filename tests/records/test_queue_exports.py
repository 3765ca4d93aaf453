"""The registrar's exports of the 有误 queue: the queue as filtered, and the corrections
accepted in a date range that the office re-keys into 学信网."""

import datetime

import pytest
from django.utils import timezone

from portal.lib import idnumbers
from portal.lib.models import AuditEvent
from portal.lib.xlsx import HEADER_ROW
from records import progress
from records.models import DiscrepancyItem, DiscrepancyReport, ReportState
from records.rules import id_number_for_rekeying
from tests import factories
from tests.report_helpers import report_table

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def _file_report(record, **claims):
    report = DiscrepancyReport.objects.create(record=record, user=record.user)
    for field, (current, claimed) in claims.items():
        DiscrepancyItem.objects.create(
            report=report, field=field, current_value=current, claimed_value=claimed
        )
    return report


def _accepted(record, by, when, **claims):
    """A report the registrar accepted at `when` (every item taken)."""
    report = _file_report(record, **claims)
    report.items.update(accepted=True)
    DiscrepancyReport.objects.filter(pk=report.pk).update(
        state=ReportState.ACCEPTED, reviewer=by, decided_at=when
    )
    progress.refresh([record.pk])  # an update() sends no signal
    return report


def _subjects(action):
    event = AuditEvent.objects.get(action=action)
    return set(event.subjects.values_list("record_id", flat=True)), event


@pytest.fixture
def reports(world):
    alice = _file_report(
        world.alice_record, ethnicity=("汉族", "回族"), birth_date=("2005-03-09", "2005-04-09")
    )
    dave = _file_report(world.dave_record, name=(world.dave_record.name, "赵蕾"))
    return alice, dave


# The queue as filtered ---------------------------------------------------------------------


def test_the_queue_export_writes_one_row_a_reported_field_values_as_others_see_them(
    client_for, world, reports
):
    response = client_for(world.registrar).get("/records/queue/export/")

    assert response.status_code == 200
    header, rows, _sheet = report_table(response.content)
    assert header == (
        "提交时间", "学院", "班级", "学号", "姓名", "证件号码", "有误字段", "现有信息",
        "申请更正为", "状态", "处理人", "处理时间", "类别", "证书编号",
    )  # fmt: skip
    alice = world.alice_record
    by_field = {row[6]: row for row in rows if row[3] == alice.student_number}
    assert by_field["民族"][5] == idnumbers.mask(alice.id_number)
    assert by_field["民族"][7:10] == ("汉族", "回族", "待处理")
    assert by_field["出生日期"][7:9] == ("2005年", "2005年")  # a birth date as its year
    assert all(alice.id_number not in str(cell) for row in rows for cell in row)
    assert len(rows) == 3


def test_the_queue_export_keeps_the_pages_filters(client_for, world, reports):
    content = (
        client_for(world.registrar)
        .get("/records/queue/export/", {"college": world.dave_record.college_id})
        .content
    )

    _header, rows, sheet = report_table(content)
    assert [row[3] for row in rows] == [world.dave_record.student_number]
    assert world.dave_record.college.name in sheet["A2"].value


def test_the_queue_export_prints_fitted_to_the_width_with_its_header_repeated(
    client_for, world, reports
):
    _header, _rows, sheet = report_table(
        client_for(world.registrar).get("/records/queue/export/").content
    )

    assert sheet["A1"].value == "学籍有误申请"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"


def test_the_queue_export_is_logged_naming_every_student_in_it(client_for, world, reports):
    response = client_for(world.registrar).get("/records/queue/export/")

    named, event = _subjects("records.queue_exported")
    assert named == {world.alice_record.pk, world.dave_record.pk}
    assert event.changes["file"].startswith("学籍有误申请-")
    assert response.status_code == 200
    assert event.institution == world.institution


def test_the_queue_export_holds_only_the_registrars_institution(client_for, world, reports):
    response = client_for(world.other_registrar).get("/records/queue/export/")

    _header, rows, _sheet = report_table(response.content)
    assert rows == []


@pytest.mark.parametrize("persona", ["alice", "counselor", "college_staff"])
def test_only_the_registrar_exports_the_queue(client_for, world, reports, persona):
    client = client_for(getattr(world, persona))

    assert client.get("/records/queue/export/").status_code == 403
    assert client.get("/records/corrections/export/").status_code == 403
    assert not AuditEvent.objects.filter(action__endswith="_exported").exists()


def test_the_queue_page_offers_both_exports(client_for, world, reports):
    page = client_for(world.registrar).get("/records/queue/", {"field": "name"}).content.decode()

    assert "/records/queue/export/?field=name" in page
    assert 'action="/records/corrections/export/"' in page


# Accepted corrections for re-keying ------------------------------------------------------------


def test_the_id_number_is_whole_only_where_it_is_the_corrected_field():
    number = "11010519491231002X"

    assert id_number_for_rekeying(number, {"id_number", "name"}) == number
    assert id_number_for_rekeying(number, {"name"}) == idnumbers.mask(number)
    # With the birth date or the 生源 place whole, the last digits would narrow it.
    assert id_number_for_rekeying(number, {"name", "birth_date"}) == "*" * 18
    assert id_number_for_rekeying(number, {"origin_region"}) == "*" * 18


@pytest.fixture
def corrections(world):
    now = timezone.now()
    alice = world.alice_record
    new_number = alice.id_number  # the record holds the corrected number
    old_number = alice.id_number[:-4] + "0000"
    _accepted(alice, world.registrar, now, id_number=(old_number, new_number))
    _accepted(world.bob_record, world.registrar, now, name=(world.bob_record.name, "王强强"))
    _accepted(world.carol_record, world.registrar, now, birth_date=("2005-03-09", "2005-04-09"))
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    _accepted(
        world.dave_record,
        world.registrar,
        datetime.datetime.combine(last_month, datetime.time(12), tzinfo=SHANGHAI),
        name=(world.dave_record.name, "赵蕾"),
    )
    # Not accepted: neither a rejected report nor a field left out of an accepted one.
    rejected = _file_report(world.bob_record, ethnicity=("汉族", "回族"))
    DiscrepancyReport.objects.filter(pk=rejected.pk).update(
        state=ReportState.REJECTED, reviewer=world.registrar, decided_at=now
    )
    progress.refresh([world.bob_record.pk])
    return old_number


def test_the_corrections_export_lists_this_months_accepted_fields_whole(
    client_for, world, corrections
):
    response = client_for(world.registrar).get("/records/corrections/export/")

    header, rows, sheet = report_table(response.content)
    assert header == (
        "学号", "姓名", "证件号码", "字段", "原值", "更正为", "处理人", "处理时间", "申请编号",
        "类别", "证书编号",
    )  # fmt: skip
    by_number = {row[0]: row for row in rows}
    alice, bob, carol = world.alice_record, world.bob_record, world.carol_record
    assert set(by_number) == {alice.student_number, bob.student_number, carol.student_number}
    assert by_number[alice.student_number][2:6] == (
        alice.id_number,
        "证件号码",
        corrections,
        alice.id_number,
    )
    assert by_number[bob.student_number][2:6] == (
        idnumbers.mask(bob.id_number),
        "姓名",
        "王强",
        "王强强",
    )
    assert by_number[carol.student_number][2] == "*" * 18
    assert by_number[carol.student_number][4:6] == ("2005-03-09", "2005-04-09")
    assert by_number[bob.student_number][6] == world.registrar.get_full_name()
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert sheet.page_setup.fitToWidth == 1


def test_the_corrections_export_takes_a_range_of_shanghai_days(client_for, world):
    # 00:30 on 1 December in Shanghai is still 30 November in UTC.
    just_after = datetime.datetime(2026, 12, 1, 0, 30, tzinfo=SHANGHAI)
    _accepted(world.bob_record, world.registrar, just_after, name=("王强", "王强强"))
    client = client_for(world.registrar)

    november = client.get(
        "/records/corrections/export/", {"since": "2026-11-01", "until": "2026-11-30"}
    )
    december = client.get(
        "/records/corrections/export/", {"since": "2026-12-01", "until": "2026-12-01"}
    )

    assert report_table(november.content)[1] == []
    assert [row[0] for row in report_table(december.content)[1]] == [
        world.bob_record.student_number
    ]
    assert "20261201" in december["Content-Disposition"]


def test_the_corrections_export_is_logged_naming_every_student_in_it(
    client_for, world, corrections
):
    client_for(world.registrar).get("/records/corrections/export/")

    named, event = _subjects("records.corrections_exported")
    assert named == {world.alice_record.pk, world.bob_record.pk, world.carol_record.pk}
    assert event.changes["file"].startswith("学籍更正明细-")


def test_the_corrections_export_holds_only_the_registrars_institution(
    client_for, world, corrections
):
    response = client_for(world.other_registrar).get("/records/corrections/export/")

    assert report_table(response.content)[1] == []


def test_a_reversed_range_is_refused_with_a_message(client_for, world):
    response = client_for(world.registrar).get(
        "/records/corrections/export/", {"since": "2026-12-05", "until": "2026-12-01"}, follow=True
    )

    assert "开始日期不能晚于结束日期" in response.content.decode()
    assert not AuditEvent.objects.filter(action="records.corrections_exported").exists()


def test_the_exports_cost_the_same_queries_for_few_and_many_reports(
    client_for, world, corrections, django_assert_max_num_queries
):
    client = client_for(world.registrar)
    with django_assert_max_num_queries(20) as few:
        client.get("/records/queue/export/", {"state": ""})
        client.get("/records/corrections/export/")
    for _ in range(15):
        _user, record = factories.student(world.class_b)
        _accepted(record, world.registrar, timezone.now(), name=(record.name, "新名"))
        _file_report(record, ethnicity=("汉族", "满族"))

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/records/queue/export/", {"state": ""})
        client.get("/records/corrections/export/")
