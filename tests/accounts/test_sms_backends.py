"""The Aliyun and Tencent Cloud SMS back-ends against a fake gateway that checks the
request's shape and signature the way each vendor documents it (computed here again,
independently of accounts.sms), and answers success or failure."""

import base64
import datetime
import hashlib
import hmac
import json
import urllib.parse

import pytest

from accounts.models import MessageState, OutboxMessage
from accounts.outbox import message_send
from accounts.services.codes import code_send
from accounts.sms import SmsError, send_sms
from tests.sms_gateway import FakeGateway, Received

KEY_ID, SECRET = "LTAI-test-id", "test-secret/+="


@pytest.fixture
def vendor_settings(settings):
    settings.SMS_ACCESS_KEY_ID = KEY_ID
    settings.SMS_ACCESS_KEY_SECRET = SECRET
    settings.SMS_SIGN_NAME = "学籍校对"
    settings.SMS_APP_ID = "1400000000"
    settings.SMS_TEMPLATES = {"code": "SMS_1001", "notice": "SMS_1002", "reminder": "SMS_1003"}
    return settings


# Aliyun: POST form, signature v1 = base64(HMAC-SHA1(secret + "&", "POST&%2F&" + enc(query)))


def _rfc3986(value: str) -> str:
    return urllib.parse.quote(value, safe="-_.~")


def aliyun_check(received: Received) -> tuple[int, dict]:
    form = dict(urllib.parse.parse_qsl(received.body.decode(), keep_blank_values=True))
    signature = form.pop("Signature")
    query = "&".join(f"{_rfc3986(k)}={_rfc3986(v)}" for k, v in sorted(form.items()))
    to_sign = "POST&%2F&" + _rfc3986(query)
    digest = hmac.new(f"{SECRET}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    if signature != base64.b64encode(digest).decode():
        return 400, {
            "Code": "SignatureDoesNotMatch",
            "Message": "Specified signature is not matched",
        }
    if form["PhoneNumbers"] == "13900000000":
        return 200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发号码天级流控"}
    return 200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0"}


def test_aliyun_sends_a_template_with_its_parameters_and_a_valid_signature(vendor_settings):
    vendor_settings.SMS_BACKEND = "accounts.sms.AliyunBackend"
    with FakeGateway(answer=aliyun_check) as gateway:
        vendor_settings.SMS_ENDPOINT = gateway.url
        send_sms("13800001111", "【学籍校对】…", kind="code", params={"code": "123456"})

    [received] = gateway.received
    form = dict(urllib.parse.parse_qsl(received.body.decode()))
    assert received.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert {k: form[k] for k in ("Action", "Version", "SignatureMethod", "SignatureVersion")} == {
        "Action": "SendSms",
        "Version": "2017-05-25",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
    }
    assert (form["PhoneNumbers"], form["SignName"], form["TemplateCode"]) == (
        "13800001111",
        "学籍校对",
        "SMS_1001",
    )
    assert json.loads(form["TemplateParam"]) == {"code": "123456"}
    assert form["AccessKeyId"] == KEY_ID
    assert SECRET not in received.body.decode()


def test_aliyun_refusals_and_bad_signatures_are_errors(vendor_settings):
    vendor_settings.SMS_BACKEND = "accounts.sms.AliyunBackend"
    with FakeGateway(answer=aliyun_check) as gateway:
        vendor_settings.SMS_ENDPOINT = gateway.url
        with pytest.raises(SmsError, match="BUSINESS_LIMIT_CONTROL"):
            send_sms("13900000000", "x", kind="notice")
        vendor_settings.SMS_ACCESS_KEY_SECRET = "another-secret"
        with pytest.raises(SmsError, match="SignatureDoesNotMatch"):
            send_sms("13800001111", "x", kind="notice")


# Tencent Cloud: TC3-HMAC-SHA256 over the canonical request (content-type;host signed).


def tencent_check(received: Received) -> tuple[int, dict]:
    headers = {k.lower(): v for k, v in received.headers.items()}
    timestamp = int(headers["x-tc-timestamp"])
    day = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
    canonical = (
        f"POST\n/\n\ncontent-type:{headers['content-type']}\nhost:{headers['host']}\n\n"
        f"content-type;host\n{hashlib.sha256(received.body).hexdigest()}"
    )
    to_sign = (
        f"TC3-HMAC-SHA256\n{timestamp}\n{day}/sms/tc3_request\n"
        f"{hashlib.sha256(canonical.encode()).hexdigest()}"
    )

    def sign(key: bytes, text: str) -> bytes:
        return hmac.new(key, text.encode(), hashlib.sha256).digest()

    key = sign(sign(sign(f"TC3{SECRET}".encode(), day), "sms"), "tc3_request")
    expected = (
        f"TC3-HMAC-SHA256 Credential={KEY_ID}/{day}/sms/tc3_request, "
        f"SignedHeaders=content-type;host, "
        f"Signature={hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()}"
    )
    if headers["authorization"] != expected:
        error = {"Code": "AuthFailure.SignatureFailure", "Message": "signature mismatch"}
        return 200, {"Response": {"Error": error, "RequestId": "r1"}}
    body = json.loads(received.body)
    code = (
        "LimitExceeded.PhoneNumberDailyLimit"
        if "+8613900000000" in body["PhoneNumberSet"]
        else "Ok"
    )
    status = {"Code": code, "Message": "send success", "PhoneNumber": body["PhoneNumberSet"][0]}
    return 200, {"Response": {"SendStatusSet": [status], "RequestId": "r2"}}


def test_tencent_sends_a_template_with_its_parameters_and_a_valid_signature(vendor_settings):
    vendor_settings.SMS_BACKEND = "accounts.sms.TencentBackend"
    with FakeGateway(answer=tencent_check) as gateway:
        vendor_settings.SMS_ENDPOINT = gateway.url
        send_sms("13800001111", "x", kind="reminder", params={"text": "请完成学籍校对"})

    [received] = gateway.received
    headers = {k.lower(): v for k, v in received.headers.items()}
    assert (headers["x-tc-action"], headers["x-tc-version"]) == ("SendSms", "2021-01-11")
    assert received.json() == {
        "PhoneNumberSet": ["+8613800001111"],
        "SmsSdkAppId": "1400000000",
        "SignName": "学籍校对",
        "TemplateId": "SMS_1003",
        "TemplateParamSet": ["请完成学籍校对"],
    }


def test_tencent_refusals_and_bad_signatures_are_errors(vendor_settings):
    vendor_settings.SMS_BACKEND = "accounts.sms.TencentBackend"
    with FakeGateway(answer=tencent_check) as gateway:
        vendor_settings.SMS_ENDPOINT = gateway.url
        with pytest.raises(SmsError, match="PhoneNumberDailyLimit"):
            send_sms("13900000000", "x", kind="notice")
        vendor_settings.SMS_ACCESS_KEY_SECRET = "another-secret"
        with pytest.raises(SmsError, match="SignatureFailure"):
            send_sms("13800001111", "x", kind="notice")


def test_a_code_reaches_aliyun_as_its_code_template_through_the_outbox(db, vendor_settings):
    vendor_settings.SMS_BACKEND = "accounts.sms.AliyunBackend"
    with FakeGateway(answer=aliyun_check) as gateway:
        vendor_settings.SMS_ENDPOINT = gateway.url
        code_send(purpose="register", destination="13800001111")

    [received] = gateway.received
    form = dict(urllib.parse.parse_qsl(received.body.decode()))
    assert form["TemplateCode"] == "SMS_1001"
    assert json.loads(form["TemplateParam"])["code"].isdigit()
    assert OutboxMessage.objects.get().state == MessageState.SENT


def test_a_kind_without_a_template_is_not_sent_and_stays_queued(db, vendor_settings):
    vendor_settings.SMS_BACKEND = "accounts.sms.AliyunBackend"
    vendor_settings.SMS_TEMPLATES = {"code": "", "notice": "", "reminder": ""}
    code_send(purpose="register", destination="13800001111")

    message = OutboxMessage.objects.get()
    assert message.state == MessageState.QUEUED
    assert "no SMS template" in message.last_error
    assert message_send(message_id=message.pk) == ""  # not due again yet
