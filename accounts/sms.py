"""Text messages (短信) through a back-end chosen by settings.SMS_BACKEND.

ConsoleBackend (the default) prints messages, so that the demo can read its codes;
LocmemBackend keeps them in `outbox` for tests; HttpGatewayBackend posts JSON to an SMS
gateway (SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN); AliyunBackend and TencentBackend call the
SendSms APIs of Aliyun (dysmsapi 2017-05-25, signature v1 HMAC-SHA1) and Tencent Cloud
(sms 2021-01-11, TC3-HMAC-SHA256) over HTTPS with the standard library. Those two send a
template (SMS_TEMPLATE_<KIND>) with parameters, never free text: a message's `params`
fill the template ({"code": …} for a code, {"text": …} for a notice or a reminder), and
the gateway adds the signature SMS_SIGN_NAME (docs/deploy.md "SMS").

A back-end raises SmsError (or OSError) when the message was not accepted; the outbox
(accounts.outbox) retries it later. Nothing here is called inside a request.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

outbox: list[SmsMessage] = []


class SmsError(Exception):
    """The gateway did not accept the message (its code and message, never the key)."""


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str
    kind: str = "notice"  # accounts.models.MessageKind: picks the template
    params: dict = field(default_factory=dict)


class BaseBackend:
    timeout = 10

    def send(self, message: SmsMessage) -> None:
        raise NotImplementedError

    def _post(self, request: urllib.request.Request) -> dict:
        """POST and read a JSON answer; HTTP errors with a JSON body are answers too."""
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            try:
                return json.loads(error.read() or b"{}")
            except ValueError:
                raise SmsError(f"SMS gateway answered HTTP {error.code}") from None


class ConsoleBackend(BaseBackend):
    def send(self, message: SmsMessage) -> None:
        print(f"[短信] {message.phone}: {message.text}", flush=True)


class LocmemBackend(BaseBackend):
    def send(self, message: SmsMessage) -> None:
        outbox.append(message)


class HttpGatewayBackend(BaseBackend):
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


def template_for(kind: str) -> str:
    """The template configured for a kind of message (SMS_TEMPLATES, from SMS_TEMPLATE_*)."""
    template = settings.SMS_TEMPLATES.get(kind, "")
    if not template:
        raise SmsError(f"no SMS template configured for messages of kind {kind!r}")
    return template


# --- Aliyun: dysmsapi SendSms, RPC signature v1 (HMAC-SHA1) --------------------------------


def aliyun_encode(value: str) -> str:
    """Percent-encoding as the RPC signature wants it (RFC 3986: space %20, * %2A, ~ kept)."""
    return urllib.parse.quote(value, safe="~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    canonical = "&".join(
        f"{aliyun_encode(k)}={aliyun_encode(v)}" for k, v in sorted(params.items())
    )
    to_sign = f"{method}&{aliyun_encode('/')}&{aliyun_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunBackend(BaseBackend):
    endpoint = "https://dysmsapi.aliyuncs.com/"

    def send(self, message: SmsMessage) -> None:
        params = {
            "AccessKeyId": settings.SMS_ACCESS_KEY_ID,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": settings.SMS_REGION or "cn-hangzhou",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": secrets.token_hex(16),
            "SignatureVersion": "1.0",
            "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
            "PhoneNumbers": message.phone,
            "SignName": settings.SMS_SIGN_NAME,
            "TemplateCode": template_for(message.kind),
            "TemplateParam": json.dumps(message.params, ensure_ascii=False),
        }
        params["Signature"] = aliyun_signature(params, settings.SMS_ACCESS_KEY_SECRET)
        request = urllib.request.Request(
            settings.SMS_ENDPOINT or self.endpoint,
            data=urllib.parse.urlencode(params).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        answer = self._post(request)
        if answer.get("Code") != "OK":
            raise SmsError(f"Aliyun SendSms: {answer.get('Code')}: {answer.get('Message')}")


# --- Tencent Cloud: sms SendSms 2021-01-11, TC3-HMAC-SHA256 ----------------------------------

TENCENT_SERVICE = "sms"
TENCENT_CONTENT_TYPE = "application/json; charset=utf-8"


def _hmac_sha256(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tencent_authorization(
    *, secret_id: str, secret_key: str, host: str, payload: bytes, timestamp: int
) -> str:
    """The Authorization header of a TC3-HMAC-SHA256 signed POST / with a JSON body."""
    date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
    signed_headers = "content-type;host"
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{TENCENT_CONTENT_TYPE}\nhost:{host}\n",
            signed_headers,
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    scope = f"{date}/{TENCENT_SERVICE}/tc3_request"
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = _hmac_sha256(f"TC3{secret_key}".encode(), date)
    key = _hmac_sha256(_hmac_sha256(key, TENCENT_SERVICE), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )


class TencentBackend(BaseBackend):
    endpoint = "https://sms.tencentcloudapi.com/"

    def send(self, message: SmsMessage) -> None:
        phone = message.phone if message.phone.startswith("+") else f"+86{message.phone}"
        payload = json.dumps(
            {
                "PhoneNumberSet": [phone],
                "SmsSdkAppId": settings.SMS_APP_ID,
                "SignName": settings.SMS_SIGN_NAME,
                "TemplateId": template_for(message.kind),
                # The template's parameters in order: {1}, {2} …
                "TemplateParamSet": [str(v) for v in message.params.values()],
            },
            ensure_ascii=False,
        ).encode()
        url = settings.SMS_ENDPOINT or self.endpoint
        host = urllib.parse.urlsplit(url).netloc
        timestamp = int(datetime.datetime.now(datetime.UTC).timestamp())
        headers = {
            "Content-Type": TENCENT_CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Version": "2021-01-11",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": settings.SMS_REGION or "ap-guangzhou",
            "Authorization": tencent_authorization(
                secret_id=settings.SMS_ACCESS_KEY_ID,
                secret_key=settings.SMS_ACCESS_KEY_SECRET,
                host=host,
                payload=payload,
                timestamp=timestamp,
            ),
        }
        request = urllib.request.Request(url, data=payload, headers=headers, method="POST")
        answer = self._post(request).get("Response", {})
        if "Error" in answer:
            error = answer["Error"]
            raise SmsError(f"Tencent SendSms: {error.get('Code')}: {error.get('Message')}")
        statuses = answer.get("SendStatusSet") or [{}]
        if statuses[0].get("Code") != "Ok":
            raise SmsError(
                f"Tencent SendSms: {statuses[0].get('Code')}: {statuses[0].get('Message')}"
            )


def send_sms(phone: str, text: str, *, kind: str = "notice", params: dict | None = None) -> None:
    """Send one text message through the configured back-end, now. Callers queue messages
    through accounts.outbox instead; the worker calls this."""
    backend = import_string(settings.SMS_BACKEND)()
    backend.send(SmsMessage(phone=phone, text=text, kind=kind, params=params or {"text": text}))
