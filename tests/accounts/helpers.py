"""Helpers of the accounts tests: codes read from the texts and e-mails sent, clients
that enforce CSRF (tests/clients.py), requests and degrees to build, images to upload."""

from __future__ import annotations

import datetime
import io
import re
import time

from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_otp.oath import TOTP
from PIL import Image

from accounts import sms
from accounts.models import IdentityRequest, RequestKind, User
from records.models import Category, DegreeRecord, StudyForm
from tests import clients, factories
from tests.clients import csrf_client as csrf_client  # the accounts tests import it here

CODE_RE = re.compile(r"验证码 (\d{6})")


# Codes ---------------------------------------------------------------------------------


def sms_code(phone: str) -> str:
    """The code of the last text sent to `phone`."""
    texts = [m.text for m in sms.outbox if m.phone == phone]
    assert texts, f"no text was sent to {phone}"
    return CODE_RE.search(texts[-1]).group(1)


def mail_code(address: str) -> str:
    """The code of the last e-mail sent to `address`."""
    bodies = mails_to(address)
    assert bodies, f"no e-mail was sent to {address}"
    return CODE_RE.search(bodies[-1]).group(1)


def totp_code(key: bytes, *, steps_ahead: int = 0) -> str:
    """The code a phone app shows for `key` now (or `steps_ahead` 30-second steps on:
    a code is taken once, so a second log-in in the same step uses the next one)."""
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def texts_to(phone: str) -> list[str]:
    return [m.text for m in sms.outbox if m.phone == phone]


def mails_to(address: str) -> list[str]:
    """Bodies of the e-mails sent to `address` (any case)."""
    return [m.body for m in mail.outbox if address.lower() in [to.lower() for to in m.to]]


# Clients -------------------------------------------------------------------------------


def csrf_post(client: Client, url: str, data: dict, *, page: str | None = None):
    """GET `page` (default: `url`) for the CSRF cookie, then POST with the token: the
    accounts pages are always opened before their form is sent, as a browser does."""
    return clients.csrf_post(client, url, data, page=page or url)


def page_text(response) -> str:
    return response.content.decode()


# Log-in --------------------------------------------------------------------------------

LOGIN = "/accounts/login/"
WRONG_PASSWORD = "账号或密码不正确"


def log_in(
    identifier: str,
    password: str = factories.PASSWORD,
    *,
    client: Client | None = None,
    ip: str = "10.0.0.1",
    url: str = LOGIN,
):
    """Open the log-in page and send `identifier` and `password` to `url` (a `?next=`
    may ride on it), from `client` or a fresh CSRF-enforcing browser at `ip`."""
    client = client or Client(enforce_csrf_checks=True, REMOTE_ADDR=ip)
    return csrf_post(client, url, {"username": identifier, "password": password}, page=LOGIN)


def fail(identifier: str, times: int = 5, *, ip: str = "10.0.0.1") -> None:
    """`times` log-ins with a wrong password, each told so."""
    for _ in range(times):
        assert WRONG_PASSWORD in page_text(log_in(identifier, "not-the-password", ip=ip))


def logged_in(username: str) -> Client:
    """A browser logged in through the log-in form (not force_login: the session starts
    as a real log-in starts it)."""
    response = log_in(username)
    assert response.status_code == 302, page_text(response)
    return response.client


# People --------------------------------------------------------------------------------


def photo_request(user: User, **fields) -> IdentityRequest:
    """A hand-held ID photo request (证件号码重复) with two stored images."""
    req = IdentityRequest(user=user, kind=RequestKind.DUPLICATE_ID, token=factories.token())
    req.front_image.save("front_image.jpg", ContentFile(jpeg_bytes()), save=False)
    req.back_image.save("back_image.jpg", ContentFile(jpeg_bytes(color="blue")), save=False)
    for name, value in fields.items():
        setattr(req, name, value)
    req.save()
    return req


def phone_request_of(user: User, phone: str) -> IdentityRequest:
    """The 实名信息修改 request `user` sends for `phone` (held by another account), with
    her hand-held photo, through her account page."""
    csrf_post(
        csrf_client(user),
        "/accounts/me/phone-request/",
        {"phone": phone, "front": upload(jpeg_bytes())},
    )
    return IdentityRequest.objects.get(user=user, kind=RequestKind.PHONE)


def degree(owner_record, **fields) -> DegreeRecord:
    """A degree (学历) of the person of `owner_record`, not bound to any account."""
    values = {
        "institution": owner_record.institution,
        "certificate_number": "139991200705000123",
        "name": owner_record.name,
        "sex": owner_record.sex,
        "birth_date": owner_record.birth_date,
        "id_number": owner_record.id_number,
        "major_name": "计算机科学与技术",
        "level": owner_record.level,
        "category": Category.REGULAR,
        "study_form": StudyForm.REGULAR_FULL_TIME,
        "graduation_date": datetime.date(2007, 7, 1),
    }
    values.update(fields)
    return DegreeRecord.objects.create(**values)


# Images --------------------------------------------------------------------------------


def image_bytes(fmt: str, *, size=(120, 90), color="red", **save_args) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt, **save_args)
    return out.getvalue()


def jpeg_bytes(**kwargs) -> bytes:
    return image_bytes("JPEG", **kwargs)


def photo_bytes(fmt: str = "JPEG", *, size=(400, 300), flip: bool = False) -> bytes:
    """A hand-held photo a reviewer could read: large enough and not one colour (a grey
    gradient; `flip` turns it to tell two photos apart)."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    if flip:
        image = image.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)
