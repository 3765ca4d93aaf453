"""The second factor of staff log-ins: a TOTP app on the phone (django-otp's TOTPDevice)
with ten recovery codes (its StaticDevice).

Who is asked: the registrar, 客服 reviewers, admins, superusers and anyone who may enter
/admin/ must enrol when `OTP_REQUIRED` is on; counselors and college staff may enrol;
students never. Whoever has a confirmed device is asked for a code at every log-in, with
the setting on or off. Wrong codes are throttled by the device (django-otp doubles the
wait after each failure); the verify page also ends a session after OTP_SESSION_TRIES.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import re
from dataclasses import dataclass

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts.errors import AccountError
from accounts.models import Role
from accounts.notify import notify
from portal.lib.audit import log_action
from portal.lib.throttle import wait_message

REQUIRED_ROLES = frozenset({Role.REGISTRAR, Role.IDENTITY_REVIEWER, Role.ADMIN})
# Counselors and college staff may enrol (may_enrol: every staff account), not must.
RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "手机验证器"

# What a session still owes after the password (kept in the session by the middleware).
NOT_ASKED = "none"
VERIFY = "verify"
ENROL = "enrol"
DONE = "done"


class CodeRefused(AccountError):
    """A wrong or throttled code; `retry_at` is when the device takes the next one;
    `checked` is False when the code was refused unread (the device's wait)."""

    code = "code_refused"

    def __init__(
        self, message: str, retry_at: datetime.datetime | None = None, *, checked: bool = True
    ):
        super().__init__(message)
        self.retry_at = retry_at
        self.checked = checked


def may_enrol(user) -> bool:
    """Staff may protect their log-in with a device; students are never asked."""
    return user.is_staff_account


def must_enrol(user) -> bool:
    return settings.OTP_REQUIRED and (
        user.is_superuser or user.is_staff or user.role in REQUIRED_ROLES
    )


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def step_after_password(user) -> str:
    """What a fresh log-in of `user` must do before any page (one query for staff)."""
    if not may_enrol(user):
        return NOT_ASKED
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return VERIFY
    return ENROL if must_enrol(user) else NOT_ASKED


def _wait_seconds(locked_until: datetime.datetime | None) -> int:
    if locked_until is None:
        return 0
    return max(0, math.ceil((locked_until - timezone.now()).total_seconds()))


def _locked_until(device) -> datetime.datetime | None:
    allowed, info = device.verify_is_allowed()
    return None if allowed else (info or {}).get("locked_until")


# A wait shorter than this has passed before the next code is typed: not worth saying.
_WAIT_WORTH_SAYING = 10


def _refused(locked_until: datetime.datetime | None, *, throttled: bool) -> CodeRefused:
    """The wait in the words of the log-in page ("请 15 分钟后再试"), not a clock time."""
    wait = _wait_seconds(locked_until)
    if throttled:
        message = wait_message(max(wait, 1))
    else:
        message = _("验证码不正确，请核对手机验证器上当前显示的 6 位数字后重新输入。")
        if wait >= _WAIT_WORTH_SAYING:
            # One translatable pattern: English puts a space between the sentences.
            message = _("%(refusal)s%(wait)s") % {"refusal": message, "wait": wait_message(wait)}
    return CodeRefused(message, locked_until, checked=not throttled)


def normalize(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


# Enrolment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    qr_data_uri: str
    secret: str  # base32, in groups of four, for typing into the app by hand


ENROL_KEY = "_second_factor_enrol_key"


def _fingerprint(device: TOTPDevice) -> str:
    return hashlib.sha256(device.key.encode()).hexdigest()[:16]


def enrolment_start(*, user, session) -> Enrolment:
    """The unconfirmed device to scan. A reload in the same session keeps its key (the
    app already scanned the QR code); another session gets a new key, so that whoever
    else knows the password and opened the page first does not hold the key the staff
    member then confirms (the key is never shared between two sessions)."""
    if not may_enrol(user):
        raise PermissionDenied
    if confirmed_device(user) is not None:
        raise AccountError(_("您已绑定手机验证器。如需更换，请联系系统管理员重置。"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    elif session.get(ENROL_KEY) != _fingerprint(device):
        device.key = random_hex(20)
        device.save(update_fields=["key"])
    session[ENROL_KEY] = _fingerprint(device)
    qr = segno.make(device.config_url, error="m")
    secret = _base32(device)
    return Enrolment(
        device=device,
        qr_data_uri=qr.svg_data_uri(scale=5, dark="#000", light="#fff"),
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    )


def _base32(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode().rstrip("=")


def enrolment_confirm(*, user, code: str, ip=None) -> list[str]:
    """The first code from the app confirms the device; returns the recovery codes,
    shown once."""
    if not may_enrol(user):
        raise PermissionDenied
    codes: list[str] = []
    with transaction.atomic():
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise AccountError(_("您已绑定手机验证器。如需更换，请联系系统管理员重置。"))
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise AccountError(_("请先扫描二维码，再输入验证码。"))
        locked = _locked_until(device)
        throttled = locked is not None
        verified = not throttled and device.verify_token(normalize(code))
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            codes = _recovery_codes_replace(user)
            log_action(user, "accounts.second_factor_enrolled", by=user, subject=user, ip=ip)
            notify(
                user,
                _(
                    "您的账号已绑定手机验证器，今后登录需输入动态验证码。"
                    "如非本人操作，请立即联系教务处。"
                ),
            )
        elif not throttled:
            locked = _locked_until(device)
    if not verified:
        raise _refused(locked, throttled=throttled)
    return codes


def _recovery_codes_replace(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("恢复码"), confirmed=True)
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def recovery_codes_regenerate(*, user, ip=None) -> list[str]:
    """New recovery codes; the old ones stop working. Only with a confirmed device."""
    with transaction.atomic():
        if confirmed_device(user) is None:
            raise AccountError(_("请先绑定手机验证器。"))
        codes = _recovery_codes_replace(user)
        log_action(
            user,
            "accounts.recovery_codes_regenerated",
            by=user,
            subject=user,
            ip=ip,
        )
        notify(
            user,
            _("您的两步验证恢复码已重新生成，旧的恢复码已失效。如非本人操作，请立即联系教务处。"),
        )
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# Verification ---------------------------------------------------------------------------


def verify(*, user, code: str, ip=None):
    """The device that accepts `code` (a 6-digit code, or a recovery code), or
    CodeRefused with the time the next try is taken."""
    code = normalize(code)
    recovery = not re.fullmatch(r"\d{6}", code)
    model = StaticDevice if recovery else TOTPDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            raise AccountError(_("您的账号没有可用的恢复码，请使用手机验证器上的 6 位数字。"))
        locked = _locked_until(device)
        verified = locked is None and device.verify_token(code)
        if verified and recovery:
            left = device.token_set.count()
            log_action(
                user,
                "accounts.recovery_code_used",
                by=user,
                subject=user,
                changes={"recovery_codes_left": [left + 1, left]},
                ip=ip,
            )
            notify(
                user,
                _(
                    "您的账号刚刚用一个恢复码完成了登录验证，还剩 %(left)d 个。"
                    "如非本人操作，请立即联系教务处。"
                )
                % {"left": left},
            )
        throttled = locked is not None
        if not verified and not throttled:
            locked = _locked_until(device)
    if not verified:
        raise _refused(locked, throttled=throttled)
    return device


# Reset by an admin ----------------------------------------------------------------------


def second_factor_reset(*, user, by, ip=None) -> bool:
    """An admin removes a staff member's devices (lost phone): every session of the
    account ends and the next log-in enrols again. Audited and told to the person.
    False when there was nothing to reset."""
    if not by.is_admin:
        raise PermissionDenied
    with transaction.atomic():
        totp, _n = TOTPDevice.objects.filter(user=user).delete()
        static, _n = StaticDevice.objects.filter(user=user).delete()
        if not (totp or static):
            return False
        # Whoever holds a signed-in session (the lost phone's finder too) must not be
        # able to enrol a device of their own: every session ends, the password is asked.
        user.end_sessions()
        log_action(
            user,
            "accounts.second_factor_reset",
            by=by,
            subject=user,
            ip=ip,
        )
        notify(
            user,
            _(
                "系统管理员已重置您账号的两步验证，下次登录时请重新绑定手机验证器。"
                "如非您本人申请，请立即联系教务处。"
            ),
        )
    return True
