"""Reminders (提醒) to the students who have not done a notice's task, by SMS or e-mail
through accounts.notify: at most one per student per day, each one recorded."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import AccountState, User
from accounts.notify import notify
from notices.errors import NoticeError
from notices.models import Notice, NoticeState, Reminder
from notices.selectors import pending_records
from portal.lib.audit import log_action
from records.models import EnrollmentRecord


@dataclass
class ReminderResult:
    sent: int = 0
    already: int = 0  # reminded earlier today (one a day)
    unreachable: int = 0  # no account yet, or an account with neither phone nor e-mail

    def summary(self) -> str:
        return _(
            "已发送 %(sent)d 条提醒；今日已提醒过 %(already)d 人；无法联系 %(unreachable)d 人。"
        ) % {
            "sent": self.sent,
            "already": self.already,
            "unreachable": self.unreachable,
        }


def reminder_text(notice: Notice) -> str:
    """No personal data: the notice, what to do, by when."""
    task = notice.get_task_display()
    if notice.window_end and notice.window_end > timezone.now():
        due = date_format(timezone.localtime(notice.window_end), "DATETIME_FORMAT")
        return _("《%(title)s》：请于%(due)s前登录学籍校对平台完成%(task)s。") % {
            "title": notice.title,
            "due": due,
            "task": task,
        }
    return _("《%(title)s》：您尚未完成%(task)s，请尽快登录学籍校对平台完成。") % {
        "title": notice.title,
        "task": task,
    }


def _accounts(records: list[EnrollmentRecord]) -> dict[tuple[str, str], User]:
    """Active accounts of students who registered but have not bound their record yet."""
    unbound = [r for r in records if r.user_id is None]
    numbers = {r.id_number for r in unbound}
    if not numbers:
        return {}
    accounts = User.objects.filter(state=AccountState.ACTIVE, id_number__in=numbers)
    return {(u.id_type, u.id_number): u for u in accounts}


def _reachable(user: User | None) -> bool:
    return user is not None and user.state == AccountState.ACTIVE and bool(user.phone or user.email)


@transaction.atomic
def reminders_send(
    *, notice: Notice, records: QuerySet[EnrollmentRecord], by, progress=None, ip: str | None = None
) -> ReminderResult:
    """Remind every student among `records` who has not done the notice's task."""
    if notice.state != NoticeState.PUBLISHED or not notice.has_task:
        raise NoticeError(_("只能为已发布且有校对任务的通知发送提醒。"))
    targets = list(pending_records(notice, records).select_related("user"))
    accounts = _accounts(targets)
    today = timezone.localdate()
    result = ReminderResult()
    text = reminder_text(notice)
    if progress is not None:
        progress.set_total(len(targets), message=_("正在发送提醒…"))
    for record in targets:
        user = record.user or accounts.get((record.id_type, record.id_number))
        if user is None or not _reachable(user):
            result.unreachable += 1
        elif _record_send(notice, record, user, today, by):
            notify(user, text)
            result.sent += 1
        else:
            result.already += 1
        if progress is not None:
            progress.advance()
    log_action(
        notice,
        "notices.reminded",
        by=by,
        changes={"sent": [None, result.sent]},
        reason=result.summary(),
        ip=ip,
    )
    return result


def _record_send(notice: Notice, record: EnrollmentRecord, user: User, today, by) -> bool:
    """Write the send; False when the student was already reminded today (the database
    constraint decides, so two staff sending at once never double a reminder)."""
    channels = ",".join(c for c, value in (("sms", user.phone), ("email", user.email)) if value)
    try:
        with transaction.atomic():
            Reminder.objects.create(
                notice=notice, record=record, user=user, day=today, channels=channels, sent_by=by
            )
    except IntegrityError:
        return False
    return True
