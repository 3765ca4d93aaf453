"""The notice a student's self-check runs under, as records sees it.

Notices sit above records (docs/architecture.md): records never imports them. The notices
app tells records which notice is current for a student by registering a function in
its AppConfig.ready (`register_current_notice`); records' pages and rules read the plain
`CurrentNotice` it returns: the 学籍信息 page shows it, and the correction deadline it
carries refuses a late 有误 claim (records.services.checks.deadline_passed).
Which notice a 正确 or a 有误 was made under is kept by notices too: the services send
records.signals, and notices links what they made to the notice they were made under.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CurrentNotice:
    """What records' pages and rules need of the notice (a notices.Notice). `rank` orders
    notices as notices decides which is the latest (a larger rank is later)."""

    pk: int
    number: str
    title: str
    window_end: datetime.datetime | None
    correction_deadline: datetime.datetime | None
    rank: tuple


# fn(*, user, records) -> {record pk: CurrentNotice}: each record's current notice (records
# without one left out); `records` is None when the caller has none (her records then).
Finder = Callable[..., dict[int, CurrentNotice]]

_finders: list[Finder] = []


def register_current_notice(fn: Finder) -> Finder:
    """Called by the notices app in its AppConfig.ready; a second registration of the
    same function is ignored."""
    if fn not in _finders:
        _finders.append(fn)
    return fn


def record_notices(user, records: Iterable | None = None) -> dict[int, CurrentNotice]:
    """For each of the student's records (`records` when the caller has them), the latest
    started notice whose audience holds it and asks for a record self-check: the notice a
    正确 or 有误 of that record is made under. Records without one are left out."""
    for finder in _finders:
        if found := finder(user=user, records=records):
            return found
    return {}


def newest_first(notices: Iterable[CurrentNotice]) -> list[CurrentNotice]:
    """These notices once each, the latest first (as notices ranks them)."""
    return sorted(set(notices), key=lambda notice: notice.rank, reverse=True)


def latest(notices: Iterable[CurrentNotice]) -> CurrentNotice | None:
    """The latest of these notices, or None."""
    return next(iter(newest_first(notices)), None)


def current_notice(user, records: Iterable | None = None) -> CurrentNotice | None:
    """The latest started notice that asks this student for a record self-check, or None
    (none, or no app says); `records`: the student's records when the caller has them."""
    return latest(record_notices(user, records).values())
