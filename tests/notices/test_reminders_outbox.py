"""Reminders with the SMS gateway down: the job answers, the reminders wait in the outbox
(accounts.outbox) and count as sent only once sent; those that fail for good are listed,
with why, on the job's page."""

import pytest
from django.core import mail
from django.core.management import call_command

from notices.models import Reminder
from portal.lib.models import Job
from tests.notices.conftest import csrf_client, csrf_post
from tests.sms_gateway import FakeGateway, closed_port


@pytest.fixture
def gateway_down(settings) -> int:
    port = closed_port()
    settings.SMS_BACKEND = "accounts.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{port}/"
    settings.MESSAGE_RETRY_DELAY = 0
    return port


@pytest.fixture
def reachable(world):
    for user, phone in ((world.alice, "13800000001"), (world.bob, "13800000002")):
        user.phone = phone
        user.save()
    world.carol.email = "carol@example.edu.cn"
    world.carol.save()


def _remind(user, notice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return csrf_post(csrf_client(user), f"/notices/{notice.pk}/remind/", {}, follow=True)


def _delivery(job) -> dict[str, int]:
    reminders = Reminder.objects.filter(job=job).with_delivery()
    return {r.user.username: r.delivery for r in reminders.select_related("user")}


def test_reminders_with_the_gateway_down_answer_and_wait(
    world, notice, reachable, gateway_down, django_capture_on_commit_callbacks
):
    response = _remind(world.registrar, notice, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    page = response.content.decode()
    assert "已发送 1 条提醒；发送失败 0 条，等待重试 2 条" in page  # carol's e-mail went
    job = Job.objects.get(kind="notices.remind")
    assert job.state == "succeeded"
    summary = dict(job.result["summary"])
    assert (summary["已发送"], summary["发送失败"], summary["等待发送"]) == (1, 0, 2)
    assert _delivery(job) == {"alice": "waiting", "bob": "waiting", "carol": "sent"}
    assert [m.to for m in mail.outbox] == [["carol@example.edu.cn"]]


def test_waiting_reminders_go_out_once_when_the_gateway_is_back(
    world, notice, reachable, gateway_down, django_capture_on_commit_callbacks
):
    _remind(world.registrar, notice, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="notices.remind")

    with FakeGateway(port=gateway_down) as gateway:
        call_command("send_messages")
        call_command("send_messages")

    assert sorted(r.json()["phone"] for r in gateway.received) == ["13800000001", "13800000002"]
    assert set(_delivery(job).values()) == {"sent"}
    page = csrf_client(world.registrar).get(f"/jobs/{job.pk}/").content.decode()
    assert "发送情况" in page
    assert "发送失败的提醒" not in page


def test_reminders_that_fail_for_good_are_listed_on_the_job_page(
    world,
    notice,
    reachable,
    gateway_down,
    settings,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    settings.MESSAGE_MAX_ATTEMPTS = 1
    _remind(world.registrar, notice, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="notices.remind")
    summary = dict(job.result["summary"])
    assert (summary["已发送"], summary["发送失败"], summary["等待发送"]) == (1, 2, 0)

    client = csrf_client(world.registrar)
    with django_assert_max_num_queries(12):
        page = client.get(f"/jobs/{job.pk}/").content.decode()

    assert "发送失败的提醒" in page
    for record in (world.alice_record, world.bob_record):
        assert record.name in page
        assert record.student_number in page
    assert "Connection refused" in page
    assert world.carol_record.name not in page.split("发送失败的提醒")[1]
