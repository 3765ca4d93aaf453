import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from records.models import (
    DiscrepancyItem,
    DiscrepancyReport,
    EnrollmentRecord,
    RecordConfirmation,
    RecordStatus,
)
from tests import factories

SEED_000_LABELS = [
    "考生号", "姓名", "学号", "性别", "出生日期", "证件号码", "民族", "生源省市", "院校名称",
    "学籍状态", "专业名称", "学制", "层次", "录取年份", "学习形式", "学历类别",
    "分院", "系(所、函授站)", "班级", "入学日期", "预计毕业日期",
]  # fmt: skip


def test_student_sees_every_field_of_seed_000(client_for, world):
    page = client_for(world.alice).get("/records/mine/").content.decode()

    for label in SEED_000_LABELS:
        assert f"<dt>{label}</dt>" in page, label
    assert world.alice_record.id_number in page  # her own number, in full
    assert "江西省" in page  # 生源省市 by name
    assert "汉族" in page


def test_opening_the_page_records_that_the_student_looked(client_for, world):
    client_for(world.alice).get("/records/mine/")

    world.alice_record.refresh_from_db()
    world.bob_record.refresh_from_db()
    assert world.alice_record.first_viewed_at is not None
    assert world.bob_record.first_viewed_at is None


def test_student_without_a_record_is_told_what_to_do(client_for, world):
    lone = factories.user(real_name="孙悟")

    page = client_for(lone).get("/records/mine/").content.decode()

    assert "暂未查询到与您的姓名和证件号码匹配的学籍" in page


def test_dates_read_the_chinese_way(client_for, world):
    record = world.alice_record
    record.entry_date = "2023-09-01"
    record.save()

    page = client_for(world.alice).get("/records/mine/").content.decode()

    assert "2023年9月1日" in page


def test_rare_characters_in_names_survive(client_for, world):
    EnrollmentRecord.objects.filter(pk=world.alice_record.pk).update(name="𠮷䶮")

    page = client_for(world.alice).get("/records/mine/").content.decode()

    assert "𠮷䶮" in page


def test_counselor_sees_the_class_with_id_numbers_masked(client_for, world):
    page = client_for(world.counselor).get(f"/records/classes/{world.class_a.pk}/").content.decode()

    assert world.alice_record.masked_id_number in page
    assert world.alice_record.id_number not in page
    assert world.bob_record.name in page


def test_a_record_page_shows_the_same_state_as_the_class_page(client_for, world):
    """A confirmed record reads 已确认正确 on its own page too, not just 已查看."""
    EnrollmentRecord.objects.filter(pk=world.bob_record.pk).update(first_viewed_at=timezone.now())
    RecordConfirmation.objects.create(record=world.bob_record, user=world.bob)
    client = client_for(world.counselor)

    detail = client.get(f"/records/{world.bob_record.pk}/").content.decode()
    listing = client.get(f"/records/classes/{world.class_a.pk}/").content.decode()

    assert "已确认正确" in detail and "已查看，未确认" not in detail
    assert "已确认正确" in listing


def test_counselor_sees_a_record_with_the_id_number_masked(client_for, world):
    page = client_for(world.counselor).get(f"/records/{world.bob_record.pk}/").content.decode()

    assert world.bob_record.masked_id_number in page
    assert world.bob_record.id_number not in page


def test_registrar_finds_a_record_by_id_number(client_for, world):
    number = world.dave_record.id_number.lower()

    page = client_for(world.registrar).post("/records/search/", {"q": number}).content.decode()

    assert world.dave_record.name in page
    assert world.alice_record.name not in page


def test_registrar_search_never_reaches_another_institution(client_for, world):
    page = client_for(world.other_registrar).post(
        "/records/search/", {"q": world.alice_record.student_number}
    )

    assert world.alice_record.name not in page.content.decode()


@pytest.mark.parametrize("students", [1, 40])
def test_class_page_costs_the_same_queries_for_1_and_40_students(
    client_for, world, students, django_assert_max_num_queries
):
    klass = factories.school_class(world.class_a.college)
    klass.counselors.add(world.counselor)
    for _ in range(students):
        factories.student(klass)
    client = client_for(world.counselor)
    client.get("/")  # the session's first request saves its last-seen time

    # Session, user, the class, its records with their state.
    with django_assert_max_num_queries(4):
        assert client.get(f"/records/classes/{klass.pk}/").status_code == 200


@pytest.mark.parametrize("records", [1, 3])
def test_my_records_costs_the_same_queries_for_1_and_3_records(
    client_for, world, records, django_assert_max_num_queries
):
    for _ in range(records - 1):
        factories.record(world.class_b, owner=world.alice)
    client = client_for(world.alice)

    # The first visit writes first_viewed_at; issue 15 adds the required-task bar (one
    # query) and, without a photo, its cause and collection unit (two).
    with django_assert_max_num_queries(15):
        assert client.get("/records/mine/").status_code == 200


def test_my_records_on_a_later_visit_writes_nothing_and_binds_in_the_list_query(
    client_for, world, django_assert_max_num_queries
):
    """Session, user, records (and any to bind), degrees (likewise), photos, reports, the
    current notice (one query): no separate binding check, no UPDATE. Issue 15 adds the
    required-task bar's notices (one query) and, as alice has no photo, the batch entries
    and collection units that say why and where (one each)."""
    client = client_for(world.alice)
    client.get("/records/mine/")

    with django_assert_max_num_queries(10) as done:
        assert client.get("/records/mine/").status_code == 200
    assert not [q for q in done.captured_queries if q["sql"].startswith("UPDATE")]


def test_the_leaving_date_follows_the_expected_graduation_date(client_for, world):
    client = client_for(world.alice)

    empty = client.get("/records/mine/").content.decode()
    EnrollmentRecord.objects.filter(pk=world.alice_record.pk).update(
        leaving_date=datetime.date(2024, 7, 1)
    )
    filled = client.get("/records/mine/").content.decode()

    assert '<div class="field" data-field="leaving_date"><dt>离校日期</dt><dd>—</dd>' in empty
    assert empty.index("<dt>预计毕业日期</dt>") < empty.index("<dt>离校日期</dt>")
    assert "<dt>离校日期</dt><dd>2024年7月1日</dd>" in filled


@pytest.mark.parametrize("duration, shown", [("4", "4 年"), ("2.5", "2.5 年")])
def test_the_length_of_study_reads_in_years(client_for, world, duration, shown):
    EnrollmentRecord.objects.filter(pk=world.alice_record.pk).update(duration=Decimal(duration))

    mine = client_for(world.alice).get("/records/mine/").content.decode()
    staff = client_for(world.counselor).get(f"/records/{world.alice_record.pk}/").content.decode()

    assert f"<dt>学制</dt><dd>{shown}</dd>" in mine
    assert f"<dt>学制</dt><dd>{shown}</dd>" in staff


def test_long_numbers_are_marked_to_wrap_whole(client_for, world):
    """docs/design.md: 375 px. The CSS keeps a `.number` in one piece (static/css)."""
    record = world.alice_record

    page = client_for(world.alice).get("/records/mine/").content.decode()

    for value in (record.id_number, record.student_number, record.examinee_number):
        assert f'<dd class="number">{value}</dd>' in page


def test_a_withdrawn_student_reads_no_check_needed_on_the_class_page(client_for, world):
    EnrollmentRecord.objects.filter(pk=world.bob_record.pk).update(status=RecordStatus.WITHDRAWN)

    page = client_for(world.counselor).get(f"/records/classes/{world.class_a.pk}/").content.decode()

    row = page.split(world.bob_record.student_number)[1].split("</tr>")[0]
    assert "无需校对" in row


def test_an_accepted_leaving_date_is_stored_as_a_date(client_for, world):
    """A 有误 report's 离校日期 is text, read the way the roster writes dates."""
    report = DiscrepancyReport.objects.create(record=world.alice_record, user=world.alice)
    DiscrepancyItem.objects.create(
        report=report, field="leaving_date", current_value="", claimed_value="2024年7月1日"
    )

    client_for(world.registrar).post(
        f"/records/queue/{report.pk}/", {"decision": "accept", "fields_to_apply": ["leaving_date"]}
    )

    world.alice_record.refresh_from_db()
    assert world.alice_record.leaving_date == datetime.date(2024, 7, 1)


def test_the_confirm_dialog_is_not_offered_once_confirmed_or_reported(client_for, world):
    """The 正确 page of a record she confirmed already, or reported: back to 学籍信息 with
    what stands, as for a 学历 (the walk at 375 px found the dialog offered again)."""
    from records.models import DiscrepancyReport

    alice = client_for(world.alice)
    alice.post(f"/records/{world.alice_record.pk}/confirm/")
    confirmed = alice.get(f"/records/{world.alice_record.pk}/confirm/", follow=True)
    DiscrepancyReport.objects.create(record=world.bob_record, user=world.bob)
    reported = client_for(world.bob).get(f"/records/{world.bob_record.pk}/confirm/", follow=True)

    assert confirmed.redirect_chain[-1][0] == "/records/mine/"
    assert "您已确认本学籍信息正确。" in confirmed.content.decode()
    assert reported.redirect_chain[-1][0] == "/records/mine/"
    assert "您已提交有误申请" in reported.content.decode()


def test_the_report_form_says_up_front_that_a_report_is_open(client_for, world):
    """With a 有误 open, the form is not offered to be filled in and refused on 提交."""
    from records.models import DiscrepancyReport

    DiscrepancyReport.objects.create(record=world.bob_record, user=world.bob)

    page = client_for(world.bob).get(f"/records/{world.bob_record.pk}/report/", follow=True)

    assert page.redirect_chain[-1][0] == "/records/mine/"
    assert "已有一个待处理的有误申请" in page.content.decode()
