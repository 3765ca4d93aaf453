"""Issue 15 §1, one truth for "what is left" (notices.todo, notices.done): the home to-do,
each notice's task state and the reminders agree, and each open task says the next step."""

import datetime

from django.utils import timezone

from imaging.models import CollectionUnit, PhotoKind, PhotoState
from notices.models import NoticeAudience, NoticeTask
from notices.services.reminders import notice_reminder_records
from portal.lib.models import AuditEvent
from records.models import EnrollmentRecord
from tests import factories
from tests.notices.conftest import confirm, make_notice, photo, report


def _todo(client) -> str:
    page = client.get("/").content.decode()
    return page.split('id="todo"')[1].split("</section>")[0]


def _my_notices(client) -> str:
    return client.get("/").content.decode().split('id="my-notices"')[1]


def _jiangxi_unit():
    return CollectionUnit.objects.create(
        province="360000",
        name="新华社江西分社图像采集中心",
        address="南昌市示范路 1 号",
        phone="0791-88880001",
    )


def test_without_a_photo_the_todo_names_the_step_and_the_unit(client_for, world, notice):
    confirm(world.bob_record)
    _jiangxi_unit()

    todo = _todo(client_for(world.bob))

    assert "暂无待办事项" not in todo
    assert "暂无照片：学校未收到您的照片" in todo
    assert "请联系图像采集单位补采：新华社江西分社图像采集中心，地址：南昌市示范路 1 号" in todo
    assert "还剩" in todo  # the notice's window


def test_the_todo_and_the_notice_agree_on_a_missing_photo(client_for, world, notice):
    confirm(world.bob_record)

    client = client_for(world.bob)

    assert "暂无照片" in _todo(client)
    section = _my_notices(client)
    assert "学籍信息自查已完成" in section and "图像校对未完成" in section


def test_no_unit_registered_for_her_province_names_the_office(client_for, world, notice):
    world.institution.registrar_office = "教务处学籍科"
    world.institution.registrar_phone = "0791-1234567"
    world.institution.save()
    confirm(world.bob_record)

    todo = _todo(client_for(world.bob))

    assert "江西省的图像采集单位暂未登记" in todo
    assert "教务处学籍科 0791-1234567" in todo


def test_a_reported_photo_is_not_done_but_to_be_recollected(client_for, world, notice):
    """A graduate (毕业生) who reported her 学历照片 有误: not 已完成 anywhere."""
    confirm(world.bob_record)
    photo(world.bob_record, kind=PhotoKind.DIPLOMA, state=PhotoState.DISPUTED, reason="not_me")
    _jiangxi_unit()
    client = client_for(world.bob)

    todo = _todo(client)
    section = _my_notices(client)

    assert "您已报告照片有误，照片须重新采集" in todo
    assert "新华社江西分社图像采集中心" in todo
    assert "图像校对未完成" in section
    assert ">已完成<" not in section


def test_a_dispute_the_registrar_closed_is_done(client_for, world, notice):
    confirm(world.bob_record)
    disputed = photo(world.bob_record, state=PhotoState.DISPUTED, reason="poor_quality")
    disputed.dispute_closed_at = timezone.now()
    disputed.dispute_close_reason = "已核实照片为本人"
    disputed.save()

    client = client_for(world.bob)

    assert "暂无待办事项" in _todo(client)
    assert "已完成" in _my_notices(client)


def test_an_unchecked_photo_links_to_the_photo_block(client_for, world, notice):
    confirm(world.bob_record)
    photo(world.bob_record)

    todo = _todo(client_for(world.bob))

    assert "您有照片尚未校对" in todo
    assert f'href="/records/mine/#photo-check-{world.bob_record.pk}"' in todo


def test_an_open_report_is_shown_as_waiting_not_as_a_task(client_for, world, notice):
    report(world.bob_record)
    photo(world.bob_record, state=PhotoState.CONFIRMED)

    todo = _todo(client_for(world.bob))

    assert "学籍信息有误申请审核中" in todo
    assert "暂无待办事项" in todo  # nothing for her to do: the registrar decides


def test_an_overdue_task_says_so_in_the_todo(client_for, world):
    make_notice(
        world, task=NoticeTask.RECORD_CHECK, window_end=timezone.now() - datetime.timedelta(hours=1)
    )

    todo = _todo(client_for(world.bob))

    assert "学籍信息尚未查看" in todo and "逾期" in todo


def test_the_reminders_choose_the_same_students(world, notice):
    """Reminders go to those the to-do says have something left: a reported photo too."""
    confirm(world.alice_record)
    photo(world.alice_record, state=PhotoState.CONFIRMED)
    confirm(world.bob_record)
    photo(world.bob_record, state=PhotoState.DISPUTED, reason="not_me")
    records = EnrollmentRecord.objects.filter(school_class=world.class_a)

    chosen = set(notice_reminder_records(notice, records))

    assert world.bob_record in chosen and world.alice_record not in chosen


def test_home_binds_a_matching_record_without_counting_a_look(client_for, world):
    """Right after registering, home shows her record; binding is not looking
    (first_viewed_at stays for 学籍信息)."""
    account = factories.user(id_number=factories.id_number(), real_name="刘芳")
    record = factories.record(world.class_a, name="刘芳", id_number=account.id_number)
    client = client_for(account)

    todo = _todo(client)

    record.refresh_from_db()
    assert record.user_id == account.pk
    assert record.first_viewed_at is None
    assert "暂未查询到" not in todo
    assert "学籍信息尚未查看" in todo
    assert AuditEvent.objects.filter(action="records.bound").exists()
    client.get("/records/mine/")
    record.refresh_from_db()
    assert record.first_viewed_at is not None


def test_home_without_a_matching_record_says_so(client_for, world):
    account = factories.user(id_number=factories.id_number(), real_name="刘芳")

    assert "暂未查询到与您的姓名和证件号码匹配的学籍" in _todo(client_for(account))


def test_the_home_page_costs_the_same_queries_for_any_number_of_notices_and_records(
    client_for, world, notice, django_assert_max_num_queries
):
    client = client_for(world.bob)
    client.get("/")
    with django_assert_max_num_queries(12) as few:
        client.get("/")
    for n in range(6):
        extra = make_notice(world, task=list(NoticeTask)[1 + n % 3], is_required=n % 2 == 0)
        NoticeAudience.objects.create(notice=extra, cohort=2023)
        record = factories.record(world.class_b, owner=world.bob)
        if n % 2:
            photo(record, state=PhotoState.DISPUTED, reason="not_me")
    _jiangxi_unit()

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/").status_code == 200


def test_a_finished_task_shows_no_countdown(world, client_for):
    """已完成 beside 还剩 20 天 read as if something were still left (the 375 px walk)."""
    import datetime

    from django.utils import timezone

    from notices.models import NoticeAudience, NoticeTask
    from tests.notices.conftest import make_notice

    ends = timezone.now() + datetime.timedelta(days=20)
    notice = make_notice(world, task=NoticeTask.RECORD_CHECK, window_end=ends)
    NoticeAudience.objects.create(notice=notice, cohort=2023)
    client = client_for(world.alice)
    client.get("/records/mine/")
    assert "还剩" in client.get(f"/notices/{notice.pk}/").content.decode()

    client.post(f"/records/{world.alice_record.pk}/confirm/")
    page = client.get(f"/notices/{notice.pk}/").content.decode()

    assert "已完成" in page and "还剩" not in page


def test_a_monitors_todo_links_her_class_feedback_sheet(client_for, world, sheet):
    page = client_for(world.alice).get("/todo/").content.decode()

    assert f'href="/notices/sheets/{sheet.pk}/"' in page
    assert f"填写{world.class_a.name}反馈表" in page


def test_a_classmates_todo_has_no_monitor_section(client_for, world, sheet):
    page = client_for(world.bob).get("/todo/").content.decode()

    assert "反馈表" not in page


def _prior_degree(world, *, bound: bool = True):
    """Alice is 专升本: her 本科 学籍 names her 专科 degree (bound to her, or not)."""
    from records.models import Level

    degree = factories.degree(
        world.institution,
        owner=world.alice,
        level=Level.JUNIOR_COLLEGE,
        graduation_date=datetime.date(2023, 7, 1),
    )
    if not bound:  # under another ID number (before a correction): hers to bind by hand
        degree.user, degree.id_number = None, factories.id_number()
        degree.save(update_fields=["user", "id_number"])
    EnrollmentRecord.objects.filter(pk=world.alice_record.pk).update(
        level=Level.BACHELOR, prior_degree=degree
    )
    return degree


def test_a_zsb_students_task_is_open_until_she_checks_her_junior_degree(client_for, world, notice):
    degree = _prior_degree(world)
    confirm(world.alice_record)
    client = client_for(world.alice)

    from notices.done import record_done_q
    from records.models import RecordConfirmation

    alice = EnrollmentRecord.objects.filter(pk=world.alice_record.pk)
    todo = _todo(client)
    assert "专科学历尚未校对" in todo
    assert f"/records/degrees/{degree.pk}/" in todo
    assert "您已完成" not in todo
    assert not alice.filter(record_done_q()).exists()  # the counts agree

    RecordConfirmation.objects.create(degree=degree, user=world.alice)

    assert "专科学历尚未校对" not in _todo(client)
    assert alice.filter(record_done_q()).exists()


def test_a_junior_degree_not_bound_to_her_does_not_hold_her_task(client_for, world, notice):
    _prior_degree(world, bound=False)
    confirm(world.alice_record)

    assert "专科学历尚未校对" not in _todo(client_for(world.alice))
