"""What the notices app moves when an identity claim completes (accounts.transfer): the
reminders sent to the student (at most one a day: a day the new account already has
stays with the old one). Remarks keep their author: they are words someone wrote."""

from __future__ import annotations

from notices.models import Reminder, SatisfactionParticipant


def move_reminders(*, old, new, now) -> dict[str, int]:
    taken = Reminder.objects.filter(user=new).values("day")
    return {"reminders": Reminder.objects.filter(user=old).exclude(day__in=taken).update(user=new)}


def move_satisfaction(*, old, new, now) -> dict[str, int]:
    """已评价 goes with the identity: the new account may not answer a task again (where
    both answered, the new account's row stands)."""
    taken = SatisfactionParticipant.objects.filter(user=new).values("notice_id")
    old_rows = SatisfactionParticipant.objects.filter(user=old)
    moved = old_rows.exclude(notice_id__in=taken).update(user=new)
    old_rows.delete()
    return {"satisfaction": moved}
