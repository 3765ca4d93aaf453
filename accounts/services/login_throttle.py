"""Throttling of log-ins: exact under bursts, and fair to a campus behind one address.

- The identifier resolves to its account first (accounts.lookup), so that the user name,
  phone, e-mail and ID number of one account share one counter; an identifier that names
  no account is counted the same way under its own key, so that throttling never tells
  whether an account exists.
- Per (account, client address): THROTTLE_LOGIN_TRIES wrong passwords, then a wait that
  doubles with each window that ran out (THROTTLE_LOGIN_DELAY … THROTTLE_LOGIN_MAX_DELAY).
  Never the account alone: then anyone could lock a student out (docs/security.md).
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

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.devices import UNKNOWN_DEVICE, KnownDevice
from accounts.errors import Throttled
from accounts.lookup import candidate_accounts, identifier_key
from accounts.models import User
from portal.lib.audit import log_action
from portal.lib.throttle import Backoff, Limit, network_key, wait_message, wait_phrase

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


def _account_key(who: str) -> str:
    return f"{who}#{UNLOCKS.count(who)}"


def _everywhere() -> Backoff:
    """Per account across every address (IPv6 gives an attacker many /64s): a higher
    ceiling, and a wait that grows; the owner's own browsers are not counted here."""
    return Backoff(
        "login-everywhere",
        tries=settings.THROTTLE_LOGIN_ACCOUNT_TRIES,
        delay=settings.THROTTLE_LOGIN_ACCOUNT_DELAY,
        max_delay=settings.THROTTLE_LOGIN_ACCOUNT_MAX_DELAY,
    )


@dataclass
class LoginTry:
    """The counters one log-in try took; give back what a right password does not use."""

    address: str
    # The live accounts the identifier names, handed to the backend (no second look-up).
    accounts: list[User] = field(default_factory=list)
    # Per account the identifier names (or per identifier, when it names none): the
    # counters taken, each with this try's place in its window.
    taken: dict = field(default_factory=dict)
    slowed: bool = False

    def succeeded(self, user: User | None = None) -> None:
        """The password of `user` was right: her own counters forget her failures; the
        other accounts the identifier names keep theirs (one account's right password
        never wipes guesses made at another's)."""
        for backoff, key, place, level in self.taken.get(user.pk if user else None, ()):
            backoff.forgive(key, place, level)
        if self.address:
            _per_address().undo(self.address)
            if self.slowed:
                _slowed_address().undo(self.address)


def _refused(wait: int) -> Throttled:
    # The same words for an identifier that names no account (nothing is revealed).
    return Throttled(
        _("密码错误次数过多，请 %(wait)s后再试，或使用“找回密码”重设密码。")
        % {"wait": wait_phrase(wait)}
    )


def login_try(
    *, identifier: str, ip: str | None = None, device: KnownDevice = UNKNOWN_DEVICE
) -> LoginTry:
    """Count a log-in try before its password is checked, or raise Throttled saying when
    to try again. Call .succeeded(user) on the result after a right password (a wrong
    one stays counted).

    The try counts against EVERY account the identifier names (a holder and a pending
    claimant share an ID number; a user name may read as another's phone): per (account,
    address) — or per (account, browser) on a browser where she logged in before — and
    per account across all addresses. `device`: the browser's device cookie
    (accounts.devices.known_device)."""
    accounts = candidate_accounts(identifier)
    address = network_key(ip or "")
    attempt = LoginTry(address=address, accounts=accounts)
    if len(accounts) == 1 and device.knows(accounts[0].pk):
        # A browser where this account logged in before: counted on its own (account,
        # browser), so neither the address's failures nor anyone else's guesses at her
        # account, from there or from anywhere, slow it down.
        attempt.address = ""
        where = f"device:{device.id}"
        ledgers: tuple[tuple[Backoff, str | None], ...] = ((_per_account(), ""),)
    else:
        where = address
        ledgers = ((_per_account(), address), (_everywhere(), None))
    whos: dict[int | None, str] = {a.pk: f"user:{a.pk}" for a in accounts} or {
        None: identifier_key(identifier)
    }
    for ident, who in whos.items():
        taken = attempt.taken.setdefault(ident, [])
        account_key = _account_key(who)
        for backoff, scope in ledgers:
            key = account_key if scope is None else f"{account_key}|{where}"
            wait, place, level = backoff.take(key)
            taken.append((backoff, key, place, level))
            if wait:
                raise _refused(wait)
    if attempt.address and _per_address().attempt(address):
        # Many failures from this address: slowed down, for every identifier alike.
        attempt.slowed = True
        wait = _slowed_address().attempt(address)
        if wait:
            _slowed_address().undo(address)
            _per_address().undo(address)
            for taken in attempt.taken.values():
                for backoff, key, _place, _level in taken:
                    backoff.undo(key)
            raise Throttled(wait_message(wait))
    return attempt


@transaction.atomic
def login_unlock(*, user: User, by: User, ip=None) -> None:
    """Staff end the log-in waits of an account, from every address (audited)."""
    UNLOCKS.hit(f"user:{user.pk}")
    log_action(user, "accounts.login_unlocked", by=by, subject=user, ip=ip)
