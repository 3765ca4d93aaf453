"""Reminders to the students who have not done the task: SMS or e-mail through
accounts.notify, one per student per day, each one recorded."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts import sms
from notices.models import NoticeState, Reminder
from notices.services.reminders import reminders_send
from portal.lib.models import AuditEvent, Job
from records.models import EnrollmentRecord
from tests.notices.conftest import csrf_client, csrf_post, done_everything


@pytest.fixture
def reachable(world):
    for user, phone in ((world.alice, "13800000001"), (world.bob, "13800000002")):
        user.phone = phone
        user.save()
    world.carol.email = "carol@example.edu.cn"
    world.carol.save()


def _remind(user, notice, data=None):
    client = csrf_client(user)
    return csrf_post(client, f"/notices/{notice.pk}/remind/", data, follow=True)


def test_counselor_reminds_her_class_by_sms(
    world, notice, reachable, django_capture_on_commit_callbacks
):
    done_everything(world.alice_record)

    with django_capture_on_commit_callbacks(execute=True):
        response = _remind(world.counselor, notice)

    assert [m.phone for m in sms.outbox] == ["13800000002"]
    assert notice.title in sms.outbox[0].text
    assert Reminder.objects.get().user == world.bob
    assert "已发送 1 条提醒" in response.content.decode()


def test_registrar_reminds_everyone_in_scope_by_sms_or_email(
    world, notice, reachable, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _remind(world.registrar, notice)

    assert sorted(m.phone for m in sms.outbox) == ["13800000001", "13800000002"]
    assert [m.to for m in mail.outbox] == [["carol@example.edu.cn"]]
    assert Reminder.objects.count() == 3
    job = Job.objects.get(kind="notices.remind")
    assert dict(job.result["summary"])["无法联系"] == 1  # dave has no phone or e-mail


def test_one_reminder_per_student_per_day(
    world, notice, reachable, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _remind(world.counselor, notice)
        response = _remind(world.college_staff, notice)

    assert len(sms.outbox) == 2  # alice and bob once each, though both senders cover them
    assert Reminder.objects.count() == 3  # carol is the college's only addition
    assert "今日已提醒过 2 人" in response.content.decode()


def test_a_reminder_the_next_day_goes_out_again(world, notice, reachable):
    reminders_send(notice=notice, records=EnrollmentRecord.objects.all(), by=world.registrar)
    Reminder.objects.update(day=timezone.localdate() - datetime.timedelta(days=1))

    result = reminders_send(
        notice=notice, records=EnrollmentRecord.objects.all(), by=world.registrar
    )

    assert result.sent == 3


def test_sends_are_audited(world, notice, reachable):
    reminders_send(notice=notice, records=EnrollmentRecord.objects.all(), by=world.registrar)

    event = AuditEvent.objects.get(action="notices.reminded")
    assert "已发送 3 条提醒" in event.reason


def test_a_class_reminder_reaches_that_class_only(world, notice, reachable):
    _remind(world.registrar, notice, {"school_class": world.class_b.pk})

    assert list(Reminder.objects.values_list("user__username", flat=True)) == ["carol"]


def test_a_class_outside_the_scope_reminds_no_one(world, notice, reachable):
    client = csrf_client(world.counselor)

    response = csrf_post(
        client, f"/notices/{notice.pk}/remind/", {"school_class": world.class_b.pk}
    )

    assert response.status_code == 404
    assert not Reminder.objects.exists()


def test_reminding_needs_the_csrf_token(world, notice):
    client = csrf_client(world.counselor)

    assert client.post(f"/notices/{notice.pk}/remind/").status_code == 403
    assert not Job.objects.exists()


def test_a_withdrawn_notice_sends_nothing(world, notice, reachable):
    notice.state = NoticeState.WITHDRAWN
    notice.save()

    response = _remind(world.registrar, notice)

    assert not Reminder.objects.exists()
    assert "只能为已发布且有校对任务的通知发送提醒" in response.content.decode()


def test_students_cannot_send_reminders(world, notice):
    client = csrf_client(world.alice)

    assert csrf_post(client, f"/notices/{notice.pk}/remind/").status_code == 403
