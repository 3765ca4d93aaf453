"""The device cookie (OWASP's "device cookies"): a browser where an account logged in
with the right password carries a signed cookie for it, so that the log-in throttle
(accounts.services.login_throttle) counts that browser's tries for the account on their
own. Read and written here, at the HTTP edge; the throttle is given a KnownDevice."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

DEVICE_COOKIE = "xj_known_login"
DEVICE_SALT = "accounts.login_throttle.device"
DEVICE_MAX_AGE = 180 * 24 * 60 * 60
DEVICE_ACCOUNTS = 5  # a shared lab seat remembers its last few accounts


def device_tag(device: str, pk: int) -> str:
    """What the cookie keeps of an account: a keyed digest, not its id (the next person
    at a shared seat learns nothing from it)."""
    return salted_hmac(DEVICE_SALT, f"{device}:{pk}", algorithm="sha256").hexdigest()[:16]


@dataclass(frozen=True)
class KnownDevice:
    """This browser's device id and the tags of the accounts that logged in on it before
    (its signed device cookie); empty without a valid one."""

    id: str = ""
    tags: tuple[str, ...] = ()

    def knows(self, pk: int) -> bool:
        return bool(self.id) and device_tag(self.id, pk) in self.tags


UNKNOWN_DEVICE = KnownDevice()


def known_device(request) -> KnownDevice:
    if request is None:
        return UNKNOWN_DEVICE
    try:
        value = request.get_signed_cookie(
            DEVICE_COOKIE, default="", salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE
        )
    except signing.BadSignature:  # expired or forged: no help, no harm
        return UNKNOWN_DEVICE
    device, _sep, tags = value.partition("|")
    return KnownDevice(id=device, tags=tuple(tag for tag in tags.split(",") if tag))


def remember_device(request, response, user) -> None:
    """After a log-in with the right password: this browser is known for `user`."""
    known = known_device(request)
    device = known.id or secrets.token_urlsafe(12)
    mine = device_tag(device, user.pk)
    tags = [mine, *(tag for tag in known.tags if tag != mine)][:DEVICE_ACCOUNTS]
    response.set_signed_cookie(
        DEVICE_COOKIE,
        f"{device}|{','.join(tags)}",
        salt=DEVICE_SALT,
        max_age=DEVICE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
