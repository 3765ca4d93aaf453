"""Throttling through Django's cache (shared by every app server when CACHE_URL points
to Redis): fixed windows counted with cache.add + cache.incr, which are atomic there.

    LOGIN_FAILURES = Limit("login", max=5, window=15 * 60)
    wait = LOGIN_FAILURES.wait(key)        # seconds to wait, 0 when allowed
    LOGIN_FAILURES.hit(key)                # count one more
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext as _


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
    """The client address. Behind a proxy, the proxy must set REMOTE_ADDR correctly
    (e.g. gunicorn --forwarded-allow-ips); X-Forwarded-For is not trusted here."""
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""
