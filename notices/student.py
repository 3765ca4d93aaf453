"""A student's own state on each of their notices: what the task asks, what they have
done, and the time left ("还剩 3 天"), or a clear 逾期 once the window has ended.

Works on the student's records as the home page loads them (student_records): no query
of its own, whatever the number of notices."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from imaging.selectors import with_last_delivery
from notices import done
from notices.models import Notice
from notices.selectors import notice_is_for
from records.models import EnrollmentRecord

NONE, DONE, PARTIAL, TODO = "none", "done", "partial", "todo"


@dataclass
class StudentTask:
    notice: Notice
    state: str
    label: str
    time_left: str = ""
    overdue: bool = False
    upcoming: bool = False


def student_records(user) -> QuerySet[EnrollmentRecord]:
    """The student's own records with what her tasks read (notices.done.flags), their
    institution (whom to contact) and their latest photo delivery (why a photo is
    missing: imaging.selectors.with_last_delivery), in one query."""
    records = EnrollmentRecord.objects.filter(user=user).select_related("institution")
    return with_last_delivery(records.annotate(**done.flags())).order_by("pk")


def student_tasks(
    notices: Iterable[Notice], records: list[EnrollmentRecord], now: datetime.datetime | None = None
) -> list[StudentTask]:
    """One StudentTask a notice. `notices` should prefetch "audience"; `records` carry
    the flags of notices.done (student_records)."""
    now = now or timezone.now()
    return [_task(notice, records, now) for notice in notices]


def _task(notice, records, now) -> StudentTask:
    if not notice.has_task:
        return StudentTask(notice, NONE, "", *deadline_state(notice, now, done=True))
    mine = [r for r in records if notice_is_for(notice, r)] or records
    parts = []
    if notice.asks_record_check:
        parts.append((_("学籍信息自查"), bool(mine) and all(done.record_done(r) for r in mine)))
    if notice.asks_photo_check:
        parts.append((_("图像校对"), bool(mine) and all(done.photos_done(r) for r in mine)))
    finished = all(part_done for _label, part_done in parts)
    if finished:
        state, label = DONE, _("已完成")
    elif any(part_done for _label, part_done in parts):
        state = PARTIAL
        label = "；".join(
            (_("%(part)s已完成") if part_done else _("%(part)s未完成")) % {"part": part}
            for part, part_done in parts
        )
    else:
        state, label = TODO, _("未完成：%(task)s") % {"task": notice.get_task_display()}
    time_left, overdue, upcoming = deadline_state(notice, now, done=finished)
    if finished and not upcoming and notice.window_end and now <= notice.window_end:
        time_left = ""  # 已完成: no countdown beside it (it counts down what is left)
    return StudentTask(notice, state, label, time_left, overdue, upcoming)


def deadline_state(notice: Notice, now, *, done: bool) -> tuple[str, bool, bool]:
    """(text, overdue, upcoming)."""
    if notice.window_start and now < notice.window_start:
        return _("%(span)s后开始") % {"span": span_words(notice.window_start - now)}, False, True
    if notice.window_end is None:
        return "", False, False
    if now > notice.window_end:
        return (_("已结束"), False, False) if done else (_("逾期"), True, False)
    return _("还剩 %(span)s") % {"span": span_words(notice.window_end - now)}, False, False


def span_words(delta: datetime.timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds >= 86400:
        return _("%(n)d 天") % {"n": seconds // 86400}
    if seconds >= 3600:
        return _("%(n)d 小时") % {"n": seconds // 3600}
    return _("%(n)d 分钟") % {"n": max(1, seconds // 60)}
