"""What the notices app moves when an identity claim completes (accounts.transfer): the
reminders sent to the student (at most one a day: a day the new account already has
stays with the old one). Remarks keep their author: they are words someone wrote."""

from __future__ import annotations

from notices.models import Reminder


def move_reminders(*, old, new, now) -> dict[str, int]:
    taken = Reminder.objects.filter(user=new).values("day")
    return {"reminders": Reminder.objects.filter(user=old).exclude(day__in=taken).update(user=new)}
