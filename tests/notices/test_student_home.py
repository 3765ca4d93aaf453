"""A student's home page: her notices, each with her own task state and the time left,
and a clear 逾期 after the end."""

import datetime

from django.utils import timezone

from notices.models import Notice, NoticeAudience, NoticeState, NoticeTask
from notices.services.notices import notice_publish, notice_withdraw
from records.models import EnrollmentRecord, RecordStatus
from tests.notices.conftest import confirm, count_queries, done_everything, make_notice, photo


def _my_notices(client):
    page = client.get("/").content.decode()
    return page.split('id="my-notices"')[1]


def test_each_notice_shows_her_task_state_and_the_time_left(client_for, world, notice):
    section = _my_notices(client_for(world.bob))

    assert notice.title in section
    assert "未完成：学籍信息自查和图像校对" in section
    assert "还剩 9 天" in section or "还剩 10 天" in section


def test_half_done_says_which_half(client_for, world, notice):
    confirm(world.bob_record)
    photo(world.bob_record)

    section = _my_notices(client_for(world.bob))

    assert "学籍信息自查已完成" in section and "图像校对未完成" in section


def test_done_reads_done(client_for, world, notice):
    done_everything(world.alice_record)

    assert "已完成" in _my_notices(client_for(world.alice))


def test_after_the_end_an_unfinished_task_is_overdue(client_for, world):
    make_notice(
        world,
        task=NoticeTask.RECORD_CHECK,
        window_end=timezone.now() - datetime.timedelta(hours=2),
    )

    section = _my_notices(client_for(world.bob))

    assert "逾期" in section
    assert "notice-overdue" in section


def test_after_the_end_a_finished_task_is_not_overdue(client_for, world):
    make_notice(
        world,
        task=NoticeTask.RECORD_CHECK,
        window_end=timezone.now() - datetime.timedelta(hours=2),
    )
    confirm(world.bob_record)

    section = _my_notices(client_for(world.bob))

    assert "逾期" not in section and "已结束" in section


def test_hours_are_shown_on_the_last_day(client_for, world):
    make_notice(
        world,
        task=NoticeTask.RECORD_CHECK,
        window_end=timezone.now() + datetime.timedelta(hours=5, minutes=30),
    )

    assert "还剩 5 小时" in _my_notices(client_for(world.bob))


def test_a_notice_for_another_cohort_is_not_hers(client_for, world):
    other = make_notice(world, title="2019届毕业生图像校对")
    NoticeAudience.objects.create(notice=other, graduation_year=2019)

    assert "2019届毕业生图像校对" not in _my_notices(client_for(world.bob))


def test_the_home_page_costs_the_same_queries_for_1_or_8_notices(
    client_for, world, notice, django_assert_max_num_queries
):
    client = client_for(world.bob)
    small = count_queries(client, "/")
    for n in range(7):
        extra = make_notice(world, task=[NoticeTask.RECORD_CHECK, NoticeTask.PHOTO_CHECK][n % 2])
        NoticeAudience.objects.create(notice=extra, cohort=2023)

    with django_assert_max_num_queries(small):
        assert client.get("/").status_code == 200


# The notices are read afresh for every page (notices.selectors.notices_for_records): what
# changes shows on the very next page, whoever changed it, however.


def test_a_notice_published_after_her_last_visit_shows_at_once(client_for, world, notice):
    client = client_for(world.bob)
    draft = make_notice(world, title="关于补充采集图像的通知", state=NoticeState.DRAFT)
    assert "关于补充采集图像的通知" not in _my_notices(client)

    notice_publish(notice=draft, by=world.registrar)

    assert "关于补充采集图像的通知" in _my_notices(client)


def test_a_withdrawn_notice_goes_at_once(client_for, world, notice):
    client = client_for(world.bob)
    assert notice.title in _my_notices(client)

    notice_withdraw(notice=notice, by=world.registrar, reason="发错对象")

    assert notice.title not in _my_notices(client)


def test_a_rule_added_on_its_own_narrows_the_audience_at_once(client_for, world):
    narrowed = make_notice(world, title="2019届毕业生图像校对")
    client = client_for(world.bob)
    assert "2019届毕业生图像校对" in _my_notices(client)

    rule = NoticeAudience.objects.create(notice=narrowed, graduation_year=2019)
    assert "2019届毕业生图像校对" not in _my_notices(client)

    rule.delete()
    assert "2019届毕业生图像校对" in _my_notices(client)


def test_a_change_saved_by_another_process_is_seen(client_for, world, notice):
    """Saved through a fresh object, as another app server would: nothing in this
    process is told."""
    client = client_for(world.bob)
    assert notice.title in _my_notices(client)

    elsewhere = Notice.objects.get(pk=notice.pk)
    elsewhere.title = "关于延长校对时间的通知"
    elsewhere.save()

    section = _my_notices(client)
    assert "关于延长校对时间的通知" in section and notice.title not in section


def test_a_change_committed_after_a_later_stamped_one_is_seen(client_for, world, notice):
    """updated_at is set when save() runs, not at commit: a withdrawal that commits after
    another notice's later-stamped edit must still be seen."""
    other = make_notice(world, title="关于领取学生证的通知")
    client = client_for(world.bob)
    Notice.objects.filter(pk=other.pk).update(updated_at=timezone.now() + datetime.timedelta(1))
    assert notice.title in _my_notices(client)

    notice_withdraw(notice=notice, by=world.registrar, reason="发错对象")

    section = _my_notices(client)
    assert notice.title not in section and other.title in section


def test_a_change_made_behind_the_models_back_is_seen_at_once(client_for, world, notice):
    client = client_for(world.bob)
    assert notice.title in _my_notices(client)

    Notice.objects.filter(pk=notice.pk).update(title="关于延长校对时间的通知")  # raw SQL

    section = _my_notices(client)
    assert "关于延长校对时间的通知" in section and notice.title not in section


def test_another_institutions_notice_is_never_hers(client_for, world, notice):
    elsewhere = make_notice(world, title="另一所大学的通知", institution=world.other_institution)
    client = client_for(world.bob)

    assert notice.title in _my_notices(client)
    assert elsewhere.title not in _my_notices(client)


def test_an_ended_record_leaves_no_record_check_to_do(client_for, world, notice):
    EnrollmentRecord.objects.filter(pk=world.bob_record.pk).update(status=RecordStatus.WITHDRAWN)
    photo(world.bob_record)

    section = _my_notices(client_for(world.bob))

    assert "学籍信息自查已完成" in section and "图像校对未完成" in section
