"""Text messages (短信) through a back-end chosen by settings.SMS_BACKEND.

ConsoleBackend (the default) prints messages, so that the demo can read its codes;
LocmemBackend keeps them in `outbox` for tests; HttpGatewayBackend posts JSON to an SMS
gateway (SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN) as a production example.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

outbox: list[SmsMessage] = []


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str


class BaseBackend:
    def send(self, message: SmsMessage) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def send(self, message: SmsMessage) -> None:
        print(f"[短信] {message.phone}: {message.text}", flush=True)


class LocmemBackend(BaseBackend):
    def send(self, message: SmsMessage) -> None:
        outbox.append(message)


class HttpGatewayBackend(BaseBackend):
    timeout = 10

    def send(self, message: SmsMessage) -> None:
        body = json.dumps({"phone": message.phone, "text": message.text}).encode()
        request = urllib.request.Request(
            settings.SMS_GATEWAY_URL,
            data=body,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            if response.status >= 300:
                raise OSError(f"SMS gateway answered {response.status}")


def send_sms(phone: str, text: str) -> None:
    """Send one text message through the configured back-end."""
    backend = import_string(settings.SMS_BACKEND)()
    backend.send(SmsMessage(phone=phone, text=text))
