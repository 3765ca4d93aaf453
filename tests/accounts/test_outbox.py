"""Every SMS and e-mail goes through the outbox (accounts.outbox): a request only queues
it, the worker sends it with retries, and a gateway outage never fails the request."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import MessageChannel, MessageKind, MessageState, OutboxMessage, User
from accounts.notify import notify
from accounts.outbox import SWEEP_BREAKER, message_queue, message_send
from accounts.services.codes import code_send
from tests import factories
from tests.accounts.helpers import csrf_client, csrf_post, page_text
from tests.accounts.test_register import PHONE, URL, registration
from tests.sms_gateway import FakeGateway, closed_port

NEW_PASSWORD = "walnut-orchard-sunrise-7"


@pytest.fixture
def gateway_down(settings) -> int:
    """The generic JSON gateway on a port where nothing listens; retries due at once."""
    port = closed_port()
    settings.SMS_BACKEND = "accounts.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{port}/"
    settings.MESSAGE_RETRY_DELAY = 0
    return port


def texts(gateway: FakeGateway) -> list[dict]:
    return [r.json() for r in gateway.received]


def test_a_code_request_with_the_gateway_down_answers_and_queues_the_code(db, gateway_down):
    response = csrf_post(csrf_client(), URL, {**registration(), "action": "send_code"})

    assert response.status_code == 200
    assert "验证码正在发送，请稍候" in page_text(response)
    message = OutboxMessage.objects.get(destination=PHONE)
    assert (message.kind, message.state, message.attempts) == (
        MessageKind.CODE,
        MessageState.QUEUED,
        1,
    )
    assert "Connection refused" in message.last_error


def test_the_code_goes_out_once_when_the_gateway_is_back_and_registers(db, gateway_down):
    client = csrf_client()
    data = registration()
    csrf_post(client, URL, {**data, "action": "send_code"})

    with FakeGateway(port=gateway_down) as gateway:
        call_command("send_messages")
        call_command("send_messages")  # nothing is due any more: no second text

    [sent] = texts(gateway)
    assert sent["phone"] == PHONE
    code = sent["text"].split("验证码 ")[1][:6]
    response = csrf_post(client, URL, {**data, "code": code})
    assert response.status_code == 302
    assert User.objects.filter(username="zhangxh").exists()
    message = OutboxMessage.objects.get(destination=PHONE)
    assert message.state == MessageState.SENT
    assert (message.body, message.params) == ("", {})  # the code is kept hashed only


def test_a_password_change_with_the_gateway_down_answers_and_tells_her_later(
    world, gateway_down, django_capture_on_commit_callbacks
):
    alice = world.alice
    alice.phone = "13711112222"
    alice.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_post(
            csrf_client(alice),
            "/accounts/me/password/",
            {
                "old_password": factories.PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    message = OutboxMessage.objects.get(destination="13711112222")
    assert message.state == MessageState.QUEUED

    with FakeGateway(port=gateway_down) as gateway:
        call_command("send_messages")
        call_command("send_messages")

    assert [t["phone"] for t in texts(gateway)] == ["13711112222"]
    assert "密码已修改" in texts(gateway)[0]["text"]


def test_a_message_fails_for_good_after_its_attempts(db, gateway_down, settings):
    settings.MESSAGE_MAX_ATTEMPTS = 2
    code_send(purpose="register", destination=PHONE)  # the first attempt, in the request

    call_command("send_messages")

    message = OutboxMessage.objects.get()
    assert (message.state, message.attempts) == (MessageState.FAILED, 2)
    assert message.body == ""
    call_command("send_messages")
    assert OutboxMessage.objects.get().attempts == 2  # no more tries


def test_the_wait_between_attempts_doubles(db, gateway_down, settings):
    settings.MESSAGE_RETRY_DELAY = 30
    before = timezone.now()
    code_send(purpose="register", destination=PHONE)

    message = OutboxMessage.objects.get()
    wait = (message.next_try_at - before).total_seconds()
    assert 30 <= wait < 40
    OutboxMessage.objects.update(next_try_at=timezone.now())
    call_command("send_messages")
    message.refresh_from_db()
    assert 55 < (message.next_try_at - timezone.now()).total_seconds() <= 60


def test_a_code_not_sent_before_it_expires_is_not_sent(db, gateway_down):
    code_send(purpose="register", destination=PHONE)
    OutboxMessage.objects.update(expires_at=timezone.now())

    with FakeGateway(port=gateway_down) as gateway:
        call_command("send_messages")

    assert gateway.received == []
    assert OutboxMessage.objects.get().state == MessageState.FAILED


def test_a_message_is_sent_once_however_often_its_task_runs(db, settings):
    settings.SMS_BACKEND = "accounts.sms.HttpGatewayBackend"
    with FakeGateway() as gateway:
        settings.SMS_GATEWAY_URL = gateway.url
        code_send(purpose="register", destination=PHONE)
        message = OutboxMessage.objects.get()

        assert message_send(message_id=message.pk) == ""
        call_command("send_messages")

    assert len(gateway.received) == 1


def test_a_rolled_back_change_sends_nothing(world, django_capture_on_commit_callbacks):
    world.alice.email = "alice@example.com"
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(world.alice, "不会发出")
        raise RuntimeError

    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_a_sweep_stops_trying_a_gateway_that_keeps_failing(db, gateway_down):
    for n in range(SWEEP_BREAKER + 2):
        message_queue(
            channel=MessageChannel.SMS, destination=f"1380000000{n}", kind="notice", body="x"
        )

    call_command("send_messages")

    attempts = sorted(OutboxMessage.objects.values_list("attempts", flat=True))
    assert attempts == [0, 0] + [1] * SWEEP_BREAKER  # the last two wait for the next sweep
