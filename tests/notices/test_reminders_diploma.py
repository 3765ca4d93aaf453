"""Reminders to the graduates whose 学历照片 is not confirmed (seed 003: 原则上不予进行毕业证书
电子注册), from the imaging missing-diploma list: the same preview, confirmation and job
as a notice's reminders, one reminder per student per day whatever it is about."""

import pytest
from django.db import IntegrityError

from accounts import sms
from imaging.models import PhotoKind, PhotoState
from notices.models import Reminder, ReminderTopic
from notices.services.reminders import diploma_reminder_text, reminders_send
from portal.lib.audit_labels import action_label
from portal.lib.models import AuditEvent, Job
from records.models import EnrollmentRecord, RecordStatus
from tests.notices.conftest import bulk_student, csrf_client, csrf_post, photo

YEAR = 2027  # the world's 2023 cohort graduates in 2027
URL = "/notices/reminders/diploma-photo/"


@pytest.fixture
def reachable(world):
    for n, user in enumerate((world.alice, world.bob, world.carol, world.dave)):
        user.phone = f"1380000000{n}"
        user.save()


def test_the_missing_diploma_list_offers_the_reminder(client_for, world, reachable):
    page = client_for(world.counselor).get(f"/photos/missing-diploma/?year={YEAR}")

    assert f'href="{URL}?year={YEAR}"' in page.content.decode()
    assert f"提醒{YEAR}届全部学历照片未确认的学生" in page.content.decode()


def test_the_preview_names_the_counselors_graduates_only(client_for, world, reachable):
    photo(world.bob_record, kind=PhotoKind.DIPLOMA, state=PhotoState.CONFIRMED)
    world.alice.phone = ""
    world.alice.save()

    response = client_for(world.counselor).get(f"{URL}?year={YEAR}")

    plan = response.context["plan"]
    assert [r.record for r in plan.unreachable] == [world.alice_record]
    assert plan.n_send == 0  # bob's photo is confirmed: not on the list
    assert diploma_reminder_text() in response.content.decode()
    assert world.carol_record.name not in response.content.decode()


def test_a_year_outside_the_scope_is_not_found(client_for, world):
    assert client_for(world.counselor).get(f"{URL}?year=1990").status_code == 404
    assert client_for(world.counselor).get(URL).status_code == 404


def test_students_get_no_preview(client_for, world):
    assert client_for(world.alice).get(f"{URL}?year={YEAR}").status_code == 403


def test_the_job_sends_one_reminder_each_without_a_notice(
    world, reachable, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_post(csrf_client(world.college_staff), URL, {"year": YEAR}, follow=True)

    reminders = Reminder.objects.all()
    assert {r.user for r in reminders} == {world.alice, world.bob, world.carol}
    assert {(r.topic, r.notice) for r in reminders} == {(ReminderTopic.DIPLOMA_PHOTO, None)}
    assert sorted(m.phone for m in sms.outbox) == ["13800000000", "13800000001", "13800000002"]
    assert "学历照片尚未确认" in sms.outbox[0].text
    assert "已发送 3 条提醒" in response.content.decode()
    assert f"/photos/missing-diploma/?year={YEAR}" in response.content.decode()


def test_the_preview_sends_nothing(client_for, world, reachable):
    client_for(world.registrar).get(f"{URL}?year={YEAR}")

    assert not Reminder.objects.exists()
    assert not Job.objects.exists()


def test_more_than_five_wait_for_the_confirmation(
    world, reachable, django_capture_on_commit_callbacks
):
    for _n in range(3):
        account, _record = bulk_student(world.class_a)  # 2023 cohort: graduates in 2027
        account.email = f"{account.username}@example.edu.cn"
        account.save()
    client = csrf_client(world.registrar)

    with django_capture_on_commit_callbacks(execute=True):
        refused = csrf_post(client, URL, {"year": YEAR})
        csrf_post(client, URL, {"year": YEAR, "confirmed": "1", "n": "7"})

    assert refused.status_code == 400
    assert Reminder.objects.count() == 7


def test_a_student_reminded_of_a_notice_today_is_skipped(
    world, notice, reachable, django_capture_on_commit_callbacks
):
    reminders_send(notice=notice, records=EnrollmentRecord.objects.all(), by=world.registrar)
    sms.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        csrf_post(csrf_client(world.registrar), URL, {"year": YEAR})

    assert not sms.outbox
    job = Job.objects.get(kind="notices.diploma_remind")
    assert dict(job.result["summary"])["今日已提醒过（跳过）"] == 4


def test_graduated_students_are_not_reminded(client_for, world, reachable):
    EnrollmentRecord.objects.filter(pk=world.alice_record.pk).update(status=RecordStatus.GRADUATED)

    plan = client_for(world.counselor).get(f"{URL}?year={YEAR}").context["plan"]

    assert [r.record for r in plan.recipients] == [world.bob_record]


def test_the_unreachable_list_exports(client_for, world):
    response = client_for(world.counselor).get(f"{URL}unreachable.xlsx?year={YEAR}")

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="notices.unreachable_exported")
    assert event.subjects.count() == 2


def test_sends_are_audited_with_a_label(world, reachable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        csrf_post(csrf_client(world.registrar), URL, {"year": YEAR})

    event = AuditEvent.objects.get(action="notices.diploma_reminded")
    assert "已发送 4 条提醒" in event.reason
    assert action_label(event.action) == "提醒学历照片未确认的学生"


def test_a_notice_reminder_must_name_its_notice(world):
    with pytest.raises(IntegrityError):
        Reminder.objects.create(
            topic=ReminderTopic.NOTICE,
            record=world.alice_record,
            user=world.alice,
            day="2026-12-01",
            channels="sms",
            sent_by=world.registrar,
        )
