"""Moving what an old student account holds to the account that proved the same identity.

Each app moves its own objects: it registers a function in its AppConfig.ready with
`register_transfer(fn)`, and `transfer_all` calls them all inside the caller's
transaction. So accounts never imports the apps built above it for the move.

A mover is `fn(*, old, new, now) -> dict[str, int]`: what it moved, by kind, for the
audit event. It must move only rows of `old` and be safe to run twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

Mover = Callable[..., dict[str, int]]

_movers: list[Mover] = []


def register_transfer(fn: Mover) -> Mover:
    if fn not in _movers:
        _movers.append(fn)
    return fn


def transfer_all(*, old, new, now: datetime) -> dict[str, int]:
    """Every registered mover, in registration order; counts of what moved (non-zero)."""
    moved: dict[str, int] = {}
    for mover in _movers:
        for kind, count in (mover(old=old, new=new, now=now) or {}).items():
            if count:
                moved[kind] = moved.get(kind, 0) + count
    return moved
