"""Reminders (提醒) by SMS or e-mail through accounts.notify: to the students who have not
done a notice's task, or whose 学历照片 is not confirmed before diploma registration
(seed 003). At most one per student per day, each one recorded.

Who can be reached, and why not, is decided once, by `recipients`: the preview a member of
staff reads before sending and the sending job both call it."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import AccountState, MessageKind, MessageState, OutboxMessage, User
from accounts.notify import notify
from accounts.outbox import messages_send_now
from notices.errors import NoticeError
from notices.models import Notice, NoticeState, Reminder, ReminderTopic
from notices.selectors import ReminderDelivery, pending_records, reminder_delivery
from portal.lib.audit import log_action
from records.models import EnrollmentRecord, RecordStatus

# More than this many messages are sent only after the sender confirms the number.
CONFIRM_ABOVE = 5


class Unreachable(models.TextChoices):
    """Why a student cannot be reminded."""

    NO_ACCOUNT = "no_account", gettext_lazy("未注册（无账号）")
    NO_CONTACT = "no_contact", gettext_lazy("账号无手机号和邮箱")
    PENDING = "pending", gettext_lazy("账号待身份核验")
    CANCELLED = "cancelled", gettext_lazy("账号已注销")


class Channel(models.TextChoices):
    SMS = "sms", gettext_lazy("短信")
    EMAIL = "email", gettext_lazy("邮件")
    BOTH = "both", gettext_lazy("短信和邮件")


@dataclass(frozen=True)
class Recipient:
    """A student a reminder is meant for, and whether and how it reaches her."""

    record: EnrollmentRecord
    user: User | None
    unreachable: str = ""  # an Unreachable value; empty when she can be reached
    already: bool = False  # reminded earlier today (one a day): skipped

    @property
    def will_send(self) -> bool:
        return not self.unreachable and not self.already

    @property
    def channel(self) -> str:
        """How notify reaches her: by SMS and by e-mail when she has both."""
        if self.user is None or self.unreachable:
            return ""
        if self.user.phone and self.user.email:
            return Channel.BOTH
        return Channel.SMS if self.user.phone else Channel.EMAIL

    @property
    def reason_label(self) -> str:
        return str(Unreachable(self.unreachable).label) if self.unreachable else ""

    @property
    def contact(self) -> str:
        """For staff only (a counselor phones the student): the phone and e-mail of an
        account waiting for identity verification. A cancelled account's are not shown:
        that number may since belong to someone else (a phone taken over by a claim)."""
        user = self.user
        if user is None or user.state == AccountState.CANCELLED:
            return ""
        return " / ".join(value for value in (user.phone, user.email) if value)


@dataclass
class ReminderPlan:
    """What sending would do now: the preview's numbers and lists."""

    text: str
    recipients: list[Recipient] = field(default_factory=list)

    @property
    def n_send(self) -> int:
        return sum(r.will_send for r in self.recipients)

    @property
    def n_already(self) -> int:
        return sum(r.already for r in self.recipients)

    @property
    def unreachable(self) -> list[Recipient]:
        return [r for r in self.recipients if r.unreachable]

    @property
    def by_channel(self) -> list[tuple[str, int]]:
        counts = Counter(r.channel for r in self.recipients if r.will_send)
        return [(str(label), counts[value]) for value, label in Channel.choices]

    @property
    def by_reason(self) -> list[tuple[str, int]]:
        counts = Counter(r.unreachable for r in self.recipients if r.unreachable)
        return [
            (str(label), counts[value]) for value, label in Unreachable.choices if counts[value]
        ]

    @property
    def needs_confirmation(self) -> bool:
        return self.n_send > CONFIRM_ABOVE


@dataclass
class ReminderResult:
    """What a send did: `sent` reminders handed to the outbox (accounts.outbox), which
    sends them; how they fared is a ReminderDelivery (reminders_deliver)."""

    sent: int = 0
    already: int = 0  # reminded earlier today (one a day)
    unreachable: int = 0  # see Unreachable

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


def diploma_reminder_text() -> str:
    """No personal data (seed 003: an unconfirmed photo blocks diploma registration)."""
    return _(
        "您的学历照片尚未确认。照片未经核对确认的，原则上不予进行毕业证书电子注册。"
        "请尽快登录学籍校对平台完成图像校对；没有照片的，请联系辅导员安排补采。"
    )


# Who can be reached -----------------------------------------------------------------------

_STATE_RANK: dict[str, int] = {
    AccountState.ACTIVE: 0,
    AccountState.PENDING: 1,
    AccountState.CANCELLED: 2,
}


def _accounts(records: list[EnrollmentRecord]) -> dict[tuple[str, str], User]:
    """The account of each student who registered but has not bound her record yet: the
    active one, else one waiting for verification, else a cancelled one (to say why)."""
    numbers = {r.id_number for r in records if r.user_id is None}
    if not numbers:
        return {}
    found: dict[tuple[str, str], User] = {}
    for user in User.objects.filter(id_number__in=numbers):
        key = (user.id_type, user.id_number)
        known = found.get(key)
        if known is None or _STATE_RANK[user.state] < _STATE_RANK[known.state]:
            found[key] = user
    return found


def _unreachable(user: User | None) -> str:
    if user is None:
        return Unreachable.NO_ACCOUNT
    if user.state == AccountState.CANCELLED:
        return Unreachable.CANCELLED
    if user.state == AccountState.PENDING:
        return Unreachable.PENDING
    if not (user.phone or user.email):
        return Unreachable.NO_CONTACT
    return ""


def recipients(
    records: Iterable[EnrollmentRecord], *, today: datetime.date | None = None
) -> list[Recipient]:
    """Each student of `records` with her account, why she cannot be reached (if she
    cannot) and whether she was reminded today already. Three queries whatever the number
    (the records, with `user` selected; the unbound students' accounts; today's reminders)."""
    records = list(records)
    today = today or timezone.localdate()
    accounts = _accounts(records)
    users = [r.user or accounts.get((r.id_type, r.id_number)) for r in records]
    ids = {u.pk for u in users if u is not None}
    reminded = set(
        Reminder.objects.filter(day=today, user_id__in=ids).values_list("user_id", flat=True)
    )
    found = []
    for record, user in zip(records, users, strict=True):
        reason = _unreachable(user)
        already = False
        if not reason and user is not None:
            already = user.pk in reminded
            reminded.add(user.pk)  # a student with two records in the list: one message
        found.append(Recipient(record=record, user=user, unreachable=reason, already=already))
    return found


# What would be sent ------------------------------------------------------------------------


def _check_notice(notice: Notice) -> None:
    if notice.state != NoticeState.PUBLISHED or not notice.has_task:
        raise NoticeError(_("只能为已发布且有校对任务的通知发送提醒。"))


def notice_reminder_records(
    notice: Notice, records: QuerySet[EnrollmentRecord]
) -> QuerySet[EnrollmentRecord]:
    """The students among `records` who have not done the notice's task, in class order."""
    return (
        pending_records(notice, records)
        .select_related("user", "school_class")
        .order_by("school_class__code", "student_number")
    )


def notice_reminder_plan(*, notice: Notice, records: QuerySet[EnrollmentRecord]) -> ReminderPlan:
    _check_notice(notice)
    return ReminderPlan(
        text=reminder_text(notice), recipients=recipients(notice_reminder_records(notice, records))
    )


def diploma_reminder_records(
    graduates: QuerySet[EnrollmentRecord],
) -> QuerySet[EnrollmentRecord]:
    """Among the graduates whose 学历照片 is not confirmed, those who can still check it:
    once 已毕业 the photo is linked to the diploma and has no buttons (seed 003)."""
    return graduates.exclude(status=RecordStatus.GRADUATED).select_related("user", "school_class")


def diploma_reminder_plan(*, graduates: QuerySet[EnrollmentRecord]) -> ReminderPlan:
    return ReminderPlan(
        text=diploma_reminder_text(), recipients=recipients(diploma_reminder_records(graduates))
    )


# Sending -----------------------------------------------------------------------------------


@transaction.atomic
def reminders_send(
    *,
    notice: Notice,
    records: QuerySet[EnrollmentRecord],
    by,
    progress=None,
    ip: str | None = None,
    job=None,
) -> ReminderResult:
    """Remind every student among `records` who has not done the notice's task."""
    _check_notice(notice)
    targets = recipients(notice_reminder_records(notice, records))
    result = _send(
        targets, text=reminder_text(notice), notice=notice, by=by, progress=progress, job=job
    )
    log_action(
        notice,
        "notices.reminded",
        by=by,
        changes={"sent": [None, result.sent]},
        reason=result.summary(),
        ip=ip,
    )
    return result


@transaction.atomic
def diploma_reminders_send(
    *,
    graduates: QuerySet[EnrollmentRecord],
    year: int,
    by,
    progress=None,
    ip: str | None = None,
    job=None,
) -> ReminderResult:
    """Remind the graduates of `year` whose 学历照片 is not confirmed (seed 003)."""
    targets = recipients(diploma_reminder_records(graduates))
    result = _send(
        targets, text=diploma_reminder_text(), notice=None, by=by, progress=progress, job=job
    )
    log_action(
        by.institution or by,
        "notices.diploma_reminded",
        by=by,
        changes={"year": [None, year], "sent": [None, result.sent]},
        reason=result.summary(),
        ip=ip,
    )
    return result


def _send(
    targets: list[Recipient], *, text: str, notice: Notice | None, by, progress, job
) -> ReminderResult:
    topic = ReminderTopic.NOTICE if notice is not None else ReminderTopic.DIPLOMA_PHOTO
    today = timezone.localdate()
    result = ReminderResult()
    if progress is not None:
        progress.set_total(len(targets), message=_("正在发送提醒…"))
    for target in targets:
        if target.unreachable or target.user is None:
            result.unreachable += 1
        elif reminder := _record_send(
            target, topic=topic, notice=notice, today=today, by=by, job=job
        ):
            reminder.messages.set(notify(target.user, text, kind=MessageKind.REMINDER))
            result.sent += 1
        else:
            result.already += 1
        if progress is not None:
            progress.advance()
    return result


def _record_send(
    target: Recipient, *, topic: str, notice: Notice | None, today, by, job
) -> Reminder | None:
    """Write the send; None when the student was already reminded today (the database
    constraint decides, so two staff sending at once never double a reminder)."""
    user = target.user
    assert user is not None
    channels = ",".join(c for c, value in (("sms", user.phone), ("email", user.email)) if value)
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                topic=topic,
                notice=notice,
                record=target.record,
                user=user,
                day=today,
                channels=channels,
                sent_by=by,
                job=job,
            )
    except IntegrityError:
        return None


def reminders_deliver(*, job) -> ReminderDelivery:
    """After a reminder job has queued its messages (and committed): a first attempt at
    once, so that the job's result says how many went out; what fails is retried by the
    outbox, and the job page follows it (notices.selectors.reminder_delivery)."""
    waiting = OutboxMessage.objects.filter(
        pk__in=Reminder.messages.through.objects.filter(reminder__job=job).values(
            "outboxmessage_id"
        ),
        state=MessageState.QUEUED,
    )
    messages_send_now(list(waiting.order_by("pk").values_list("pk", flat=True)))
    return reminder_delivery(job)
