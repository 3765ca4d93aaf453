"""专业满意度和院校满意度评价, the student's side (seed 004 step 五; issue 15 §4): offered once
her check is done, answered once per task, only by the notice's audience while it is
published; the answer keeps what it is about, never who gave it."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone

from accounts.transfer import transfer_all
from notices.models import (
    SATISFACTION_ITEMS,
    NoticeAudience,
    NoticeState,
    SatisfactionEvaluation,
    SatisfactionParticipant,
)
from tests.notices.conftest import confirm, csrf_client, csrf_post, make_notice

INVITATION = "专业满意度和院校满意度评价（自愿）"


def url(notice) -> str:
    return f"/notices/{notice.pk}/satisfaction/"


def answers(**scores) -> dict:
    return {name: 4 for name in SATISFACTION_ITEMS} | {"words": "实验室开放时间可以更长。"} | scores


def test_my_records_offers_the_evaluation_after_confirming(world, notice, client_for):
    client = client_for(world.alice)
    assert INVITATION not in client.get("/records/mine/").content.decode()

    confirm(world.alice_record)

    page = client.get("/records/mine/").content.decode()
    assert INVITATION in page
    assert url(notice) in page


def test_confirming_through_the_page_leads_to_the_invitation(world, notice):
    client = csrf_client(world.alice)

    response = csrf_post(client, f"/records/{world.alice_record.pk}/confirm/", {}, follow=True)

    page = response.content.decode()
    assert "已确认：学籍信息正确" in page
    assert INVITATION in page and url(notice) in page


def test_the_notice_page_offers_it_once_the_task_is_done(world, notice, client_for):
    client = client_for(world.alice)
    assert INVITATION not in client.get(f"/notices/{notice.pk}/").content.decode()

    confirm(world.alice_record)

    assert url(notice) in client.get(f"/notices/{notice.pk}/").content.decode()


def test_a_student_answers_once_and_the_page_then_says_so(world, notice):
    confirm(world.alice_record)
    client = csrf_client(world.alice)

    response = csrf_post(client, url(notice), answers(school_life=2), follow=True)

    assert "评价已提交" in response.content.decode()
    answer = SatisfactionEvaluation.objects.get(notice=notice)
    record = world.alice_record
    assert (answer.college_id, answer.major_id) == (record.college_id, record.major_id)
    assert (answer.level, answer.cohort) == (record.level, record.admission_year)
    assert (answer.major_overall, answer.school_life) == (4, 2)
    assert answer.words == "实验室开放时间可以更长。"
    assert SatisfactionParticipant.objects.filter(notice=notice, user=world.alice).exists()
    page = client.get(url(notice)).content.decode()
    assert "已评价" in page and "提交评价" not in page
    assert "已评价" in client.get("/records/mine/").content.decode()


def test_a_second_post_is_refused_and_changes_nothing(world, notice):
    confirm(world.alice_record)
    client = csrf_client(world.alice)
    csrf_post(client, url(notice), answers())

    response = csrf_post(client, url(notice), answers(major_overall=1), follow=True)

    assert "每次任务只能评价一次" in response.content.decode()
    assert SatisfactionEvaluation.objects.filter(notice=notice).count() == 1
    assert SatisfactionEvaluation.objects.get(notice=notice).major_overall == 4


def test_no_answer_before_the_check_is_done(world, notice):
    client = csrf_client(world.alice)
    assert "请先完成本次校对任务" in client.get(url(notice)).content.decode()

    csrf_post(client, url(notice), answers())

    assert not SatisfactionEvaluation.objects.exists()
    assert not SatisfactionParticipant.objects.exists()


def test_a_student_outside_the_audience_gets_404(world, client_for):
    notice = make_notice(world)
    NoticeAudience.objects.create(notice=notice, cohort=2019)
    confirm(world.alice_record)
    client = csrf_client(world.alice)

    assert client.get(url(notice)).status_code == 404
    assert csrf_post(client, url(notice), answers(), page="/notices/").status_code == 404
    assert not SatisfactionEvaluation.objects.exists()
    assert INVITATION not in client.get("/records/mine/").content.decode()


def test_only_while_the_notice_is_published(world, client_for):
    notice = make_notice(world, state=NoticeState.WITHDRAWN)
    confirm(world.alice_record)
    client = csrf_client(world.alice)

    assert client.get(url(notice)).status_code == 404
    assert csrf_post(client, url(notice), answers(), page="/notices/").status_code == 404
    assert not SatisfactionEvaluation.objects.exists()


def test_staff_cannot_open_the_form(world, notice, client_for):
    for person in (world.registrar, world.college_staff, world.counselor):
        assert client_for(person).get(url(notice)).status_code in (403, 404)


def test_errors_are_said_in_chinese_and_nothing_is_kept(world, notice):
    confirm(world.alice_record)
    client = csrf_client(world.alice)
    data = answers(words="很" * 501)
    del data["school_facilities"]

    response = csrf_post(client, url(notice), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "请选择 1 至 5 中的一项。" in page
    assert "意见和建议最多 500 字" in page
    assert "data-error-summary" in page
    assert not SatisfactionEvaluation.objects.exists()


def test_a_score_outside_1_to_5_is_refused(world, notice):
    confirm(world.alice_record)

    response = csrf_post(csrf_client(world.alice), url(notice), answers(major_teaching=6))

    assert "选择一个有效的选项" in response.content.decode()
    assert not SatisfactionEvaluation.objects.exists()


def test_the_answer_row_leads_to_nobody():
    """No account, record, name or time on an answer: staff cannot learn who gave it,
    whatever page, export or admin they open."""
    names = {f.name for f in SatisfactionEvaluation._meta.get_fields()}
    assert names == {
        "id", "notice", "college", "major", "level", "cohort", "words", *SATISFACTION_ITEMS,
    }  # fmt: skip
    assert SatisfactionEvaluation not in admin.site._registry
    assert SatisfactionParticipant not in admin.site._registry


def test_an_identity_take_over_keeps_the_task_answered(world, notice):
    SatisfactionParticipant.objects.create(notice=notice, user=world.alice)

    transfer_all(old=world.alice, new=world.bob, now=timezone.now())

    assert SatisfactionParticipant.objects.filter(notice=notice, user=world.bob).exists()
    assert not SatisfactionParticipant.objects.filter(user=world.alice).exists()
