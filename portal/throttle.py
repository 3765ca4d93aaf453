"""Throttling through Django's cache (shared by every app server when CACHE_URL points
to Redis): fixed windows counted with cache.add + cache.incr, which are atomic there.

    LOGIN_FAILURES = Limit("login", max=5, window=15 * 60)
    wait = LOGIN_FAILURES.wait(key)        # seconds to wait, 0 when allowed
    LOGIN_FAILURES.hit(key)                # count one more
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Limit:
    name: str
    max: int
    window: int  # seconds

    def _keys(self, key: str) -> tuple[str, str]:
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        return f"throttle:{self.name}:{digest}:n", f"throttle:{self.name}:{digest}:t"

    def hit(self, key: str) -> int:
        """Count one event; returns the count in the current window."""
        count_key, start_key = self._keys(key)
        cache.add(start_key, time.time(), self.window)
        cache.add(count_key, 0, self.window)
        try:
            return cache.incr(count_key)
        except ValueError:  # expired between add and incr
            cache.set(count_key, 1, self.window)
            return 1

    def wait(self, key: str) -> int:
        """Seconds until another event is allowed (0 when it is allowed now)."""
        count_key, start_key = self._keys(key)
        if (cache.get(count_key) or 0) < self.max:
            return 0
        started = cache.get(start_key) or time.time()
        return max(1, math.ceil(started + self.window - time.time()))

    def reset(self, key: str) -> None:
        cache.delete_many(list(self._keys(key)))


def wait_message(seconds: int) -> str:
    """'请 N 分钟后再试' in the person's words (hours for a daily limit, not '1440 分钟')."""
    if seconds < 60:
        return _("操作过于频繁，请 %(n)d 秒后再试。") % {"n": seconds}
    if seconds < 2 * 60 * 60:
        return _("操作过于频繁，请 %(n)d 分钟后再试。") % {"n": math.ceil(seconds / 60)}
    return _("操作过于频繁，请 %(n)d 小时后再试。") % {"n": math.ceil(seconds / 3600)}


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
