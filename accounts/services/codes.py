"""Verification codes (验证码) sent by SMS or e-mail.

Random 6 digits from `secrets`, stored as an HMAC, single use, valid 10 minutes, at
most 5 wrong tries, bound to a purpose and a destination (docs/security.md, ASVS V2.7).
`code_check` verifies and uses up a code at once. A service that may refuse for another
reason after the code is proven (证件号码已被注册, 手机号已使用: the person resubmits with
the same code) calls `code_verify` first and `code_use` only when it goes ahead.
A destination gets at most one code a minute and 10 a day (issue: accounts). One client
address may send and get wrong only so many codes an hour, whatever the destinations
(docs/security.md: brute force per account and per IP).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import AccountError, Throttled
from accounts.models import CodePurpose, MessageChannel, MessageKind, VerificationCode
from accounts.outbox import message_queue
from portal.lib.throttle import Limit, network_key, wait_message

CODE_LIFETIME = timedelta(minutes=10)
MAX_FAILED_ATTEMPTS = 5
SENDS_PER_DAY = 10
SEND_INTERVAL = timedelta(minutes=1)
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
# Per client address. A campus sends its students' registrations from a few NAT
# addresses in the last hours before a deadline, so these are far above what one person
# needs, and far below what guessing codes or sending texts to a list of numbers needs.
SENDS_PER_IP = Limit("code-send-ip", max=120, window=60 * 60)
# One code a minute per destination, taken before the code is made (see _may_send_to).
SEND_GAP = Limit("code-send-destination", max=1, window=int(SEND_INTERVAL.total_seconds()))
FAILURES_PER_IP = Limit("code-fail-ip", max=60, window=60 * 60)


def normalize_phone(value: str) -> str:
    """Mainland mobile numbers as 11 digits: full-width digits, spaces, dashes and a
    +86 prefix are accepted."""
    digits = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value or ""))
    digits = re.sub(r"^(\+?86)", "", digits) if len(digits) > 11 else digits
    return digits


def normalize_destination(value: str) -> str:
    value = unicodedata.normalize("NFKC", value or "").strip()
    return value.lower() if "@" in value else normalize_phone(value)


def _digest(purpose: str, destination: str, code: str) -> str:
    message = f"{purpose}:{destination}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def code_send(*, purpose: str, destination: str, ip=None) -> None:
    """Send a new code, replacing any unused one of the same purpose and destination.
    The send is counted for the client address first; a refusal gives it back."""
    ip = network_key(ip or "")
    wait = SENDS_PER_IP.attempt(ip) if ip else 0
    if wait:
        raise Throttled(wait_message(wait))
    try:
        destination = _may_send_to(normalize_destination(destination))
    except AccountError:
        if ip:
            SENDS_PER_IP.undo(ip)
        raise
    now = timezone.now()
    sent = VerificationCode.objects.filter(destination=destination)
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        sent.filter(purpose=purpose, used_at__isnull=True).update(expires_at=now)
        VerificationCode.objects.create(
            purpose=purpose,
            destination=destination,
            code_hash=_digest(purpose, destination, code),
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    _deliver(purpose, destination, code, expires_at=now + CODE_LIFETIME)


def _may_send_to(destination: str) -> str:
    """The destination if a code may be sent to it now, or AccountError saying why not."""
    if "@" in destination:
        try:
            validate_email(destination)
        except ValidationError:
            raise AccountError(_("请输入正确的邮箱地址，例如 name@example.com。")) from None
    elif not PHONE_RE.match(destination):
        raise AccountError(_("请输入正确的 11 位手机号码。"))
    # The counter, taken first and atomically, makes sure that a burst of requests for
    # one phone sends one text, not one each (its window starts with the first send).
    if SEND_GAP.attempt(destination):
        raise Throttled(_("验证码发送过于频繁，请 1 分钟后再试。"))
    sent = VerificationCode.objects.filter(destination=destination)
    if sent.filter(created_at__gt=timezone.now() - timedelta(days=1)).count() >= SENDS_PER_DAY:
        raise Throttled(_("该号码今日获取验证码的次数已达上限（10 次），请明天再试。"))
    return destination


def _deliver(purpose: str, destination: str, code: str, *, expires_at) -> None:
    """Queue the code (accounts.outbox): the worker sends it, so a gateway outage never
    fails the request; a code not sent before it expires is not sent at all."""
    label = CodePurpose(purpose).label
    text = _(
        "【学籍校对】您正在%(purpose)s，验证码 %(code)s，10 分钟内有效。如非本人操作，请忽略。"
    ) % {
        "purpose": label,
        "code": code,
    }
    email = "@" in destination
    message_queue(
        channel=MessageChannel.EMAIL if email else MessageChannel.SMS,
        destination=destination,
        kind=MessageKind.CODE,
        subject=_("学籍校对验证码") if email else "",
        body=text,
        params={} if email else {"code": code},
        expires_at=expires_at,
        after_commit=False,  # code_send runs outside any transaction (see code_verify)
    )


def code_verify(*, purpose: str, destination: str, code: str, ip=None) -> VerificationCode:
    """The valid code row that `code` matches, without using it up; or raise AccountError
    saying what to do. Each try is counted before the comparison — on the row with a
    conditional UPDATE (`failed_attempts < 5`) and for the client address — so that a
    burst of parallel tries never compares more than 5; a right code gives its try back.
    Call it outside any transaction that may roll back."""
    ip = network_key(ip or "")
    wait = FAILURES_PER_IP.attempt(ip) if ip else 0
    if wait:
        raise Throttled(wait_message(wait))
    try:
        row = _take_a_try(purpose, normalize_destination(destination))
    except AccountError:
        if ip:
            FAILURES_PER_IP.undo(ip)
        raise
    entered = unicodedata.normalize("NFKC", code or "").strip()
    if not hmac.compare_digest(row.code_hash, _digest(purpose, row.destination, entered)):
        left = MAX_FAILED_ATTEMPTS - row.failed_attempts
        if left <= 0:
            raise AccountError(_("验证码错误次数过多，请重新获取验证码。"))
        raise AccountError(_("验证码不正确，还可尝试 %(n)d 次。") % {"n": left})
    # The right code: its try is not a failure (the person may resubmit with it).
    VerificationCode.objects.filter(pk=row.pk).update(failed_attempts=F("failed_attempts") - 1)
    row.failed_attempts -= 1
    if ip:
        FAILURES_PER_IP.undo(ip)
    return row


def _take_a_try(purpose: str, destination: str) -> VerificationCode:
    """The newest valid code row, with one of its tries taken (failed_attempts + 1 in one
    conditional UPDATE, so that concurrent tries never pass the limit)."""
    row = (
        VerificationCode.objects.filter(
            purpose=purpose,
            destination=destination,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created_at")
        .first()
    )
    if row is None:
        raise AccountError(_("验证码已失效或尚未获取，请重新获取验证码。"))
    taken = VerificationCode.objects.filter(
        pk=row.pk, failed_attempts__lt=MAX_FAILED_ATTEMPTS
    ).update(failed_attempts=F("failed_attempts") + 1)
    if not taken:
        raise AccountError(_("验证码错误次数过多，请重新获取验证码。"))
    row.refresh_from_db(fields=["failed_attempts"])  # concurrent tries may have taken more
    return row


def code_use(*, row: VerificationCode) -> None:
    """Use up a code returned by `code_verify`: single use, even between concurrent
    requests (only one UPDATE finds it unused)."""
    now = timezone.now()
    used = VerificationCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now)
    if not used:  # used already, or by a concurrent request first
        raise AccountError(_("验证码已使用，请重新获取验证码。"))
    row.used_at = now


def code_check(*, purpose: str, destination: str, code: str, ip=None) -> None:
    """Verify and use up the code, or raise AccountError saying what to do. Call it
    outside any transaction that may roll back, so that a wrong try is always counted."""
    code_use(row=code_verify(purpose=purpose, destination=destination, code=code, ip=ip))
