"""Throttling of log-ins: exact under bursts, and fair to a campus behind one address.

- The identifier resolves to its account first (accounts.lookup), so that the user name,
  phone, e-mail and ID number of one account share one counter; an identifier that names
  no account is counted the same way under its own key, so that throttling never tells
  whether an account exists.
- Per (account, client address): THROTTLE_LOGIN_TRIES wrong passwords, then a wait that
  doubles with each window that ran out (THROTTLE_LOGIN_DELAY … THROTTLE_LOGIN_MAX_DELAY).
  Never the account alone: then anyone could lock a student out (QUALITY.md).
- Per client address (IPv6: its /64): after THROTTLE_LOGIN_ADDRESS_FAILURES wrong
  passwords the address is slowed down to THROTTLE_LOGIN_SLOW_CHECKS wrong passwords a
  minute. A right password gives its try back, so the students of a campus still get in
  (at worst after a short wait) while someone there sprays made-up names.
- Every try is counted before the password is checked (Limit.attempt), so that a burst of
  parallel requests never gets more passwords checked than the limit.

- A browser where an account logged in before carries a signed device cookie for it
  (OWASP's "device cookies"): its tries for that account are never slowed by the address's
  failures, so that a student's right password from her own phone or lab seat goes
  through while someone behind the same campus address sprays names or tries her
  account. Its own wrong passwords count per (account, device) instead.

Staff unlock an account (login_unlock): its (account, address) counters start afresh.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.errors import Throttled
from accounts.lookup import candidate_accounts, identifier_key
from accounts.models import User
from portal.audit import log_action
from portal.throttle import Backoff, Limit, client_key, wait_message, wait_phrase

SLOW_WINDOW = 60
# Bumped by login_unlock: part of every (account, address) key, so that an unlock starts
# all of them afresh without knowing the addresses.
UNLOCKS = Limit("login-unlocks", max=0, window=365 * 24 * 60 * 60)


def _per_account() -> Backoff:
    return Backoff(
        "login",
        tries=settings.THROTTLE_LOGIN_TRIES,
        delay=settings.THROTTLE_LOGIN_DELAY,
        max_delay=settings.THROTTLE_LOGIN_MAX_DELAY,
    )


def _per_address() -> Limit:
    return Limit(
        "login-address",
        max=settings.THROTTLE_LOGIN_ADDRESS_FAILURES,
        window=settings.THROTTLE_LOGIN_ADDRESS_WINDOW,
    )


def _slowed_address() -> Limit:
    return Limit("login-address-slow", max=settings.THROTTLE_LOGIN_SLOW_CHECKS, window=SLOW_WINDOW)


DEVICE_COOKIE = "xj_known_login"
DEVICE_SALT = "accounts.login_throttle.device"
DEVICE_MAX_AGE = 180 * 24 * 60 * 60
DEVICE_ACCOUNTS = 5  # a shared lab seat remembers its last few accounts


def _tag(device: str, pk: int) -> str:
    """What the cookie keeps of an account: a keyed digest, not its id (the next person
    at a shared seat learns nothing from it)."""
    return salted_hmac(DEVICE_SALT, f"{device}:{pk}", algorithm="sha256").hexdigest()[:16]


def _device(request) -> tuple[str, list[str]]:
    """This browser's device id and the tags of the accounts that logged in on it before
    (its signed device cookie); ("", []) without a valid one."""
    if request is None:
        return "", []
    try:
        value = request.get_signed_cookie(
            DEVICE_COOKIE, default="", salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE
        )
    except signing.BadSignature:  # expired or forged: no help, no harm
        return "", []
    device, _sep, tags = value.partition("|")
    return device, [tag for tag in tags.split(",") if tag]


def _knows(tags: list[str], device: str, pk: int) -> bool:
    return bool(device) and _tag(device, pk) in tags


def remember_device(request, response, user: User) -> None:
    """After a log-in with the right password: this browser is known for `user`."""
    device, known = _device(request)
    device = device or secrets.token_urlsafe(12)
    mine = _tag(device, user.pk)
    tags = [mine, *(tag for tag in known if tag != mine)][:DEVICE_ACCOUNTS]
    response.set_signed_cookie(
        DEVICE_COOKIE,
        f"{device}|{','.join(tags)}",
        salt=DEVICE_SALT,
        max_age=DEVICE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _account_key(who: str) -> str:
    return f"{who}#{UNLOCKS.count(who)}"


@dataclass
class LoginTry:
    """The counters one log-in try took; give back what a right password does not use."""

    pair: str
    address: str
    place: int = 0  # this try's count in the (account, address) window
    slowed: bool = False
    shared: bool = False  # the identifier names several accounts

    def failed(self) -> None:
        """A wrong password: the counted try stays counted."""

    def succeeded(self) -> None:
        if not self.shared:
            _per_account().forgive(self.pair, self.place)
        if self.address:
            _per_address().undo(self.address)
            if self.slowed:
                _slowed_address().undo(self.address)


def login_try(identifier: str, request=None) -> LoginTry:
    """Count a log-in try before its password is checked, or raise Throttled saying when
    to try again. Call .succeeded() or .failed() on the result after the check."""
    accounts = candidate_accounts(identifier)
    # An identifier that names several accounts (a pending claimant and the holder of
    # one ID number) is counted as that set, and a right password forgives nothing: one
    # account's own password must never wipe the guesses made at another's.
    who = (
        "user:" + ",".join(str(a.pk) for a in sorted(accounts, key=lambda a: a.pk))
        if accounts
        else identifier_key(identifier)
    )
    address = client_key(request)
    device, known = _device(request)
    if len(accounts) == 1 and _knows(known, device, accounts[0].pk):
        # A browser where this account logged in before: its tries are counted on their
        # own (account, device), so neither the address's failures nor someone else's
        # wrong passwords for her account behind the same address slow it down.
        attempt = LoginTry(pair=f"{_account_key(who)}|device:{device}", address="")
    else:
        attempt = LoginTry(pair=f"{_account_key(who)}|{address}", address=address)
    attempt.shared = len(accounts) > 1
    per_account = _per_account()
    wait, attempt.place = per_account.take(attempt.pair)
    if wait:
        # The same words for an identifier that names no account (nothing is revealed).
        raise Throttled(
            _("密码错误次数过多，请 %(wait)s后再试，或使用“找回密码”重设密码。")
            % {"wait": wait_phrase(wait)}
        )
    if attempt.address and _per_address().attempt(address):
        # Many failures from this address: slowed down, for every identifier alike.
        attempt.slowed = True
        wait = _slowed_address().attempt(address)
        if wait:
            _slowed_address().undo(address)
            _per_address().undo(address)
            per_account.undo(attempt.pair)
            raise Throttled(wait_message(wait))
    return attempt


def login_unlock(*, user: User, by: User, request=None) -> None:
    """Staff end the log-in waits of an account, from every address (audited)."""
    UNLOCKS.hit(f"user:{user.pk}")
    log_action(user, "accounts.login_unlocked", by=by, subject=user, request=request)
