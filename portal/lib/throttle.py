"""Throttling counters that stay exact under bursts (docs/security.md "Counters are exact").

Every counter is incremented FIRST and compared after, atomically, so that twenty
requests arriving together cannot all read "4 of 5" before any of them counts:

- Redis when settings.THROTTLE_REDIS_URL is set (by default CACHE_URL when that is
  Redis): INCR and the window's expiry in one Lua script;
- otherwise a database table (portal.ThrottleCounter): one
  `INSERT … ON CONFLICT DO UPDATE SET count = count + 1 … RETURNING` per increment, on
  PostgreSQL and SQLite alike. Never Django's cache: local memory is per process, and its
  database and file caches are not atomic.

The database counter writes in the caller's transaction: count outside any transaction
that rolls back on the refusal you are counting.

    LOOKUPS = Limit("report-lookup", max=20, window=10 * 60)
    wait = LOOKUPS.attempt(key)   # counts this try; seconds to wait, 0 when allowed
    LOOKUPS.undo(key)             # give the try back (it turned out not to count)
    LOOKUPS.wait(key)             # a look without counting; LOOKUPS.hit(key) counts only

Per-address keys come from client_key(request): the client's IPv4 address, or its IPv6
/64 (one home or one phone gets a whole /64 and can change addresses inside it at will).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import formats, timezone
from django.utils.translation import gettext as _

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


# Counter stores ------------------------------------------------------------------------


class DatabaseCounters:
    """portal.ThrottleCounter rows, one per key, with the end of their window (epoch
    seconds). An expired row is restarted by the next increment; new windows purge the
    rows that ended long ago."""

    PURGE_AFTER = 60 * 60  # seconds an ended window is kept (harmless, then deleted)

    def _names(self) -> tuple[str, str, str, str]:
        q = connection.ops.quote_name
        return q("portal_throttlecounter"), q("key"), q("count"), q("expires")

    def incr(self, key: str, window: int) -> tuple[int, float]:
        now = time.time()
        t, k, n, e = self._names()
        live = f"{t}.{e} > %s"
        sql = (
            f"INSERT INTO {t} ({k}, {n}, {e}) VALUES (%s, 1, %s) "
            f"ON CONFLICT ({k}) DO UPDATE SET "
            f"{n} = CASE WHEN {live} THEN {t}.{n} + 1 ELSE 1 END, "
            f"{e} = CASE WHEN {live} THEN {t}.{e} ELSE excluded.{e} END "
            f"RETURNING {n}, {e}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, now + window, now, now])
            count, expires = cursor.fetchone()
            if count == 1 and key.endswith("0"):  # one new window in 16 tidies up
                cursor.execute(f"DELETE FROM {t} WHERE {e} < %s", [now - self.PURGE_AFTER])
        return count, expires

    def peek(self, key: str) -> tuple[int, float]:
        t, k, n, e = self._names()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {n}, {e} FROM {t} WHERE {k} = %s AND {e} > %s", [key, time.time()]
            )
            row = cursor.fetchone()
        return (row[0], row[1]) if row else (0, 0.0)

    def decr(self, key: str, by: int = 1) -> None:
        t, k, n, e = self._names()
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {t} SET {n} = CASE WHEN {n} > %s THEN {n} - %s ELSE 0 END "
                f"WHERE {k} = %s AND {e} > %s",
                [by, by, key, time.time()],
            )

    def delete(self, *keys: str) -> None:
        t, k, _n, _e = self._names()
        marks = ", ".join(["%s"] * len(keys))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {t} WHERE {k} IN ({marks})", list(keys))


_INCR = """
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
"""
_DECR = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
local by = tonumber(ARGV[1])
if n <= 0 then return 0 end
if by > n then by = n end
return redis.call('DECRBY', KEYS[1], by)
"""


class RedisCounters:
    """INCR with the window set on the first increment, in one script (atomic)."""

    def __init__(self, url: str):
        import redis  # the `scale` extra; only needed when Redis is configured

        self.client = redis.Redis.from_url(url)
        self._incr = self.client.register_script(_INCR)
        self._decr = self.client.register_script(_DECR)

    def incr(self, key: str, window: int) -> tuple[int, float]:
        count, ttl_ms = self._incr(keys=[key], args=[int(window * 1000)])
        return int(count), time.time() + int(ttl_ms) / 1000

    def peek(self, key: str) -> tuple[int, float]:
        pipe = self.client.pipeline()
        pipe.get(key)
        pipe.pttl(key)
        count, ttl_ms = pipe.execute()
        if count is None or ttl_ms is None or ttl_ms < 0:
            return 0, 0.0
        return int(count), time.time() + ttl_ms / 1000

    def decr(self, key: str, by: int = 1) -> None:
        self._decr(keys=[key], args=[by])

    def delete(self, *keys: str) -> None:
        self.client.delete(*keys)


@functools.lru_cache(maxsize=4)
def _redis_counters(url: str) -> RedisCounters:
    return RedisCounters(url)


def counters() -> DatabaseCounters | RedisCounters:
    """The store of settings.THROTTLE_REDIS_URL: Redis when set, else the database."""
    url = getattr(settings, "THROTTLE_REDIS_URL", "")
    return _redis_counters(url) if url else DatabaseCounters()


def _seconds_left(expires: float) -> int:
    return max(1, math.ceil(expires - time.time()))


# Limits ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """At most `max` events per fixed `window` (seconds) and key."""

    name: str
    max: int
    window: int  # seconds

    def _key(self, key: str) -> str:
        # Keys may hold a phone, a name or an address: only their digest is stored.
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        return f"throttle:{self.name}:{digest}"

    def attempt(self, key: str) -> int:
        """Count this try first, then compare: 0 when it may go ahead, otherwise the
        seconds until the window ends (the try stays counted; a burst cannot pass)."""
        count, expires = counters().incr(self._key(key), self.window)
        return 0 if count <= self.max else _seconds_left(expires)

    def undo(self, key: str) -> None:
        """Give back a try counted by attempt() that turned out not to count."""
        counters().decr(self._key(key))

    def hit(self, key: str) -> int:
        """Count one event; returns the count in the current window."""
        return counters().incr(self._key(key), self.window)[0]

    def wait(self, key: str) -> int:
        """Seconds until another event is allowed (0 when it is allowed now), without
        counting. Use attempt() where a burst must not pass the limit."""
        count, expires = counters().peek(self._key(key))
        return 0 if count < self.max else _seconds_left(expires)

    def count(self, key: str) -> int:
        return counters().peek(self._key(key))[0]

    def left(self, key: str) -> int:
        """Tries still allowed in the current window, without counting."""
        return max(0, self.max - self.count(key))

    def reset(self, key: str) -> None:
        counters().delete(self._key(key))


@dataclass(frozen=True)
class Backoff:
    """`tries` per window, where each window that ran out makes the next one twice as
    long (delay, 2·delay, 4·delay … up to max_delay), remembered for `memory` seconds:
    a guesser slows down steeply, while the owner is never locked out for good."""

    name: str
    tries: int
    delay: int
    max_delay: int
    memory: int = 24 * 60 * 60

    def _limits(self, level: int = 0) -> tuple[Limit, Limit]:
        window = min(self.max_delay, self.delay * 2 ** min(level, 32))
        return Limit(self.name, self.tries, window), Limit(f"{self.name}-level", 0, self.memory)

    def attempt(self, key: str) -> int:
        return self.take(key)[0]

    def take(self, key: str) -> tuple[int, int, int]:
        """attempt(), also returning this try's place in the window and the level it read
        (for forgive())."""
        levels = self._limits()[1]
        level = levels.count(key)
        tries = self._limits(level)[0]
        count, expires = counters().incr(tries._key(key), tries.window)
        if count <= self.tries:
            return 0, count, level
        if count == self.tries + 1:  # this window has just run out: the next is longer
            levels.hit(key)
        return _seconds_left(expires), count, level

    def undo(self, key: str) -> None:
        self._limits()[0].undo(key)

    def forgive(self, key: str, place: int, level: int | None = None) -> None:
        """After a success (the try at `place`): forget the tries counted up to it and
        the longer waits, but not tries counted after it — those of a concurrent burst
        stay counted, so that a burst with the right password in it gets no fresh tries.
        `level`, as take() read it: at 0 there is no longer wait of before to forget (one
        raised meanwhile came from a concurrent burst and stays)."""
        tries, levels = self._limits()
        counters().decr(tries._key(key), place)
        if level != 0:
            levels.reset(key)

    def reset(self, key: str) -> None:
        counters().delete(*(limit._key(key) for limit in self._limits()))


def wait_phrase(seconds: int) -> str:
    """'N 秒' / 'N 分钟' / 'N 小时': a wait in the person's words (hours for a daily
    limit, not '1440 分钟')."""
    if seconds < 60:
        return _("%(n)d 秒") % {"n": seconds}
    if seconds < 2 * 60 * 60:
        return _("%(n)d 分钟") % {"n": math.ceil(seconds / 60)}
    return _("%(n)d 小时") % {"n": math.ceil(seconds / 3600)}


def wait_message(seconds: int) -> str:
    """'操作过于频繁，请 N 分钟后再试。'"""
    return _("操作过于频繁，请 %(wait)s后再试。") % {"wait": wait_phrase(seconds)}


def until_phrase(seconds: int) -> str:
    """When a wait of `seconds` from now ends, in local time: '12月6日 13:51'."""
    until = timezone.localtime(timezone.now() + datetime.timedelta(seconds=seconds))
    return formats.date_format(until, "n月j日 H:i")


def tries_left_message(left: int, wait: int = 0) -> str:
    """After a wrong guess against a daily limit: how many tries are left, or when the
    next one may be made (`wait`: seconds until the window ends, when none is left)."""
    if left > 0:
        return _("今天还可尝试 %(n)d 次。") % {"n": left}
    return _("今天的尝试次数已用完，请于 %(until)s 后再试。") % {"until": until_phrase(wait)}


def locked_message(failures: int, wait: int, *, network: bool = False) -> str:
    """A daily limit of wrong guesses ran out: why, and until when (not "过于频繁").
    `network`: the limit of the client's address, shared by every account there."""
    words = {"n": failures, "until": until_phrase(wait)}
    if network:
        return (
            _(
                "您所在的网络 24 小时内已有 %(n)d 次核对不符，暂时不能再尝试，请于 %(until)s 后再试。"
            )
            % words
        )
    return _("由于 24 小时内已有 %(n)d 次核对不符，暂时不能再尝试，请于 %(until)s 后再试。") % words


def client_ip(request) -> str:
    """The client's address, for throttling and the audit trail.

    REMOTE_ADDR is the socket peer (gunicorn's --forwarded-allow-ips does not change it).
    Only when that peer is one of settings.TRUSTED_PROXIES is X-Forwarded-For read: from
    the right, skipping trusted proxies, the first other address is the client as the
    outermost trusted proxy saw it; anything further left was written by the client. An
    entry that is not an address ends the walk, and REMOTE_ADDR is returned.
    """
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXIES", ())
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not proxies or not forwarded:
        return remote
    networks = _trusted_networks(tuple(proxies))
    peer = _parse_ip(remote)
    if peer is None or not _is_trusted(peer, networks):
        return remote
    client = peer
    for entry in reversed(forwarded.split(",")):
        address = _parse_ip(entry)
        if address is None:
            return remote
        client = address
        if not _is_trusted(address, networks):
            break
    # Every hop trusted: the leftmost one is the client (e.g. a check from inside).
    return str(client)


def network_key(ip: str) -> str:
    """The key of one client for per-address limits: an IPv4 address as it is, an IPv6
    address as its /64 (an IPv4-mapped one as the IPv4 address). Empty stays empty."""
    address = _parse_ip(ip) if ip else None
    if address is None:
        return ip
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        return str(mapped)
    if address.version == 6:
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def mask_ip(ip: str | None) -> str:
    """What a page may show of a client's address to a student (her report's viewings,
    records.history): the network, never the host — 203.0.113.*, or an IPv6 address's
    first 48 bits (2001:db8:1:*), an IPv4-mapped one as its IPv4 address. The one rule
    for addresses, as portal.lib.idnumbers.mask is for ID numbers; "" when there is none
    or it is no address."""
    address = _parse_ip(ip) if ip else None
    if address is None:
        return ""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    if address.version == 4:
        return ".".join(str(address).split(".")[:3] + ["*"])
    groups = address.exploded.split(":")[:3]
    return ":".join(group.lstrip("0") or "0" for group in groups) + ":*"


def client_key(request) -> str:
    """client_ip() as the key of every per-address limit (IPv6 per /64)."""
    return network_key(client_ip(request))


@functools.lru_cache(maxsize=8)
def _trusted_networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    """settings.TRUSTED_PROXIES parsed once per value (addresses are /32 or /128)."""
    try:
        return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from None


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:10.0.0.10 from a v6 socket
    return any(address in net or (mapped is not None and mapped in net) for net in networks)


def _parse_ip(value: str) -> Address | None:
    """An address from REMOTE_ADDR or one X-Forwarded-For entry: `[v6]` and `[v6]:port`,
    `v4:port` and a v6 zone (`fe80::1%eth0`) are accepted; anything else is None."""
    value = value.strip()
    if value.startswith("["):
        end = value.find("]")
        if end < 0 or (value[end + 1 :] and not value[end + 1 :].startswith(":")):
            return None
        value = value[1:end]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    value = value.partition("%")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None
