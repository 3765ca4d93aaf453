"""The tasks (notices) staff follow, each with their classes' progress and sheets: the
to-do of a counselor's and a college's home page, and their 校对任务 page."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from notices import selectors
from notices.feedback import attach_changes
from notices.models import Notice
from notices.student import deadline_state

# The classes "furthest behind" a task shows.
BEHIND = 5


@dataclass
class Task:
    """One notice's task as a staff member follows it: her classes in it, each with its
    counts and feedback sheet (notices.selectors.ClassProgress)."""

    notice: Notice
    rows: list[selectors.ClassProgress]

    @property
    def to_sign(self) -> list[selectors.ClassProgress]:
        """Sheets the counselor has not signed (or took back), or signs again: a student's
        row changed since she signed (签名后有变化)."""
        return [
            r
            for r in self.rows
            if r.sheet and (not r.sheet.is_signed or r.sheet.needs_new_signature)
        ]

    @property
    def to_countersign(self) -> list[selectors.ClassProgress]:
        """Sheets the counselor signed, unchanged since, that wait for the college."""
        return [
            r
            for r in self.rows
            if r.sheet
            and r.sheet.is_signed
            and not r.sheet.is_handed_in
            and not r.sheet.needs_new_signature
        ]

    @property
    def behind(self) -> list[selectors.ClassProgress]:
        """The classes furthest behind: least done first, those with students left."""
        left = [r for r in self.rows if r.counts.n_pending]
        return sorted(left, key=lambda r: (r.counts.percent_done, -r.counts.n_pending))[:BEHIND]

    @property
    def total(self) -> selectors.Counts:
        return selectors.total(self.rows)

    @property
    def deadline(self) -> tuple[str, bool, bool]:
        """(还剩 3 天 / 逾期 …, overdue, not started), as students read it."""
        return deadline_state(self.notice, timezone.now(), done=not self.total.n_pending)


def tasks_followed_by(user, *, limit: int | None = None) -> list[Task]:
    """The notices in progress that `user` follows (selectors.notices_in_progress), each
    with her classes' progress and whether a signed sheet changed since: a handful of
    queries a notice, over her own classes' records. A notice for none of her students
    is left out."""
    notices = selectors.notices_for_scope(user, selectors.notices_in_progress(user))
    tasks = []
    for notice in notices[:limit]:
        rows = selectors.class_progress(notice, user)
        # Whether a signed sheet changed since: read for all its classes at once.
        waiting = [r.sheet for r in rows if r.sheet and r.sheet.is_signed]
        attach_changes(notice, [s for s in waiting if not s.is_handed_in])
        if rows:
            tasks.append(Task(notice, rows))
    return tasks
