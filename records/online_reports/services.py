"""Online verification reports: the student makes one of her records (学籍在线验证报告) or
one of her degrees (学历证书电子注册备案表, issue 16) verifiable by anyone who holds a code,
for a period she chooses, and may extend or close it. The same rules serve both kinds.

The code is the only key to the public page, so it is long and random (`secrets`, 16
symbols from an alphabet of 31: about 79 bits) and failed look-ups are throttled per IP.
"""

from __future__ import annotations

import calendar
import datetime
import secrets
import unicodedata

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from portal.lib.audit import diff, log_action, snapshot
from portal.lib.throttle import Limit, network_key, wait_message
from records.errors import RecordError
from records.models import DegreeRecord, EnrollmentRecord, OnlineReport

# No 0/O, 1/I/L: the code is read off paper and typed, or read aloud on the phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16
MONTH_CHOICES = (1, 2, 3, 6)
MAX_MONTHS = 6  # no report is valid for more than 6 months from today, extended or not
LOOKUP_FAILURES = Limit("report-lookup-ip", max=20, window=10 * 60)

VALID, EXPIRED, CLOSED = "valid", "expired", "closed"
RELATED = (
    "user",
    "record__institution",
    "record__major",
    "record__college",
    "record__department",
    "record__school_class",
    "degree__institution",
    "degree__enrollment_record",  # its 学制, when the degree has its 学籍
)


class ReportUnavailable(RecordError):
    """A look-up that shows no report; `reason` is "not_found", "expired", "closed" or
    "throttled". A malformed code and an unknown one are the same "not_found"."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def code_generate() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


def code_normalize(value: str) -> str:
    """The code as stored, from what a person typed: any case, with or without the dashes
    of the printed form or spaces, full-width characters from a Chinese input method."""
    text = unicodedata.normalize("NFKC", value or "").upper()
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


def code_display(code: str) -> str:
    """ABCDEFGHJKMNPQRS -> ABCD-EFGH-JKMN-PQRS."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same local time `months` calendar months later (1-31 + 1 month = 2-28 or 29)."""
    local = timezone.localtime(moment)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    return local.replace(year=year, month=month, day=min(local.day, _month_days(year, month)))


def _month_days(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def report_status(report: OnlineReport, *, now: datetime.datetime | None = None) -> str:
    """VALID, EXPIRED or CLOSED; closing wins over expiry."""
    if report.closed_at is not None:
        return CLOSED
    if report.valid_until <= (now or timezone.now()):
        return EXPIRED
    return VALID


def _check_months(months: int) -> None:
    if months not in MONTH_CHOICES:
        raise RecordError(_("有效期只能选择 1、2、3 或 6 个月。"))


def _insert_with_fresh_code(**fields) -> OnlineReport:
    # A collision is astronomically unlikely, but the unique constraint decides, not luck.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return OnlineReport.objects.create(code=code_generate(), **fields)
        except IntegrityError:
            continue
    raise RecordError(_("生成验证码失败，请稍后重试。"))


@transaction.atomic
def report_create(
    *,
    record: EnrollmentRecord | None = None,
    degree: DegreeRecord | None = None,
    by: User,
    months: int,
    ip: str | None = None,
) -> OnlineReport:
    """A new report of `record` (学籍在线验证报告) or of `degree` (学历证书电子注册备案表),
    valid for `months` months from now. Only of a record or degree bound to `by`."""
    if (record is None) == (degree is None):
        raise ValueError("a report is of one record or of one degree")
    subject = record if record is not None else degree
    if subject.user_id is None or subject.user_id != by.pk:
        if degree is not None:
            raise RecordError(_("只能为已绑定到本人账号的学历生成学历证书电子注册备案表。"))
        raise RecordError(_("只能为已绑定到本人账号的学籍生成在线验证报告。"))
    _check_months(months)
    report = _insert_with_fresh_code(
        record=record, degree=degree, user=by, valid_until=add_months(timezone.now(), months)
    )
    changes = diff({}, snapshot(report, ["valid_until"]))
    log_action(report, "records.online_report_created", by=by, changes=changes, ip=ip)
    return report


def _locked_own(report: OnlineReport, user: User) -> OnlineReport:
    locked = (
        OnlineReport.objects.select_for_update(of=("self",))
        .select_related(*RELATED)
        .get(pk=report.pk)
    )
    if locked.subject.user_id != user.pk:
        raise RecordError(_("只能操作本人的在线验证报告。"))
    return locked


def _kind(report: OnlineReport) -> dict:
    """What the person reads it as: 报告 (学籍在线验证报告) or 备案表 (学历证书电子注册备案表)."""
    return {"kind": _("备案表") if report.degree_id else _("报告")}


@transaction.atomic
def report_extend(
    *, report: OnlineReport, by: User, months: int, ip: str | None = None
) -> OnlineReport:
    """Add `months` to the later of now and the current end, capped at 6 months from now.
    An expired report may be extended (from now); a closed one may not."""
    report = _locked_own(report, by)
    if report.closed_at is not None:
        raise RecordError(_("该%(kind)s已关闭，不能延长有效期。请重新生成。") % _kind(report))
    _check_months(months)
    now = timezone.now()
    longest = add_months(now, MAX_MONTHS)
    new_end = min(add_months(max(now, report.valid_until), months), longest)
    if new_end <= report.valid_until:
        raise RecordError(
            _("有效期最长为自今日起 6 个月，该%(kind)s已达上限，无需延长。") % _kind(report)
        )
    before = snapshot(report, ["valid_until"])
    report.valid_until = new_end
    report.save(update_fields=["valid_until"])
    changes = diff(before, snapshot(report, ["valid_until"]))
    log_action(report, "records.online_report_extended", by=by, changes=changes, ip=ip)
    return report


@transaction.atomic
def report_close(*, report: OnlineReport, by: User, ip: str | None = None) -> OnlineReport:
    """Close the report for good: its code answers "该报告已被本人关闭" from now on."""
    report = _locked_own(report, by)
    if report.closed_at is not None:
        raise RecordError(_("该%(kind)s已关闭。") % _kind(report))
    before = snapshot(report, ["closed_at"])
    report.closed_at = timezone.now()
    report.save(update_fields=["closed_at"])
    changes = diff(before, snapshot(report, ["closed_at"]))
    log_action(report, "records.online_report_closed", by=by, changes=changes, ip=ip)
    return report


def report_lookup(*, code: str, by=None, ip: str | None = None) -> OnlineReport:
    """The valid report with this code, counted as one more view; otherwise raise
    ReportUnavailable. Unknown codes count against the visitor's address (docs/security.md
    V2.2.1): each look-up is counted first, outside the transaction (a refusal rolls it
    back), and a code that names a report gives its try back. `by`: the visitor, anonymous
    or not; `ip`: her address."""
    key = f"ip:{network_key(ip or '')}"
    wait = LOOKUP_FAILURES.attempt(key)
    if wait:
        # Checked before the look-up: a throttled visitor learns nothing about the code.
        raise ReportUnavailable("throttled", wait_message(wait))
    normalized = code_normalize(code)
    report = None
    if len(normalized) == CODE_LENGTH:
        report = OnlineReport.objects.select_related(*RELATED).filter(code=normalized).first()
    if report is None:
        raise ReportUnavailable("not_found", _("验证码不存在。"))
    LOOKUP_FAILURES.undo(key)
    return _report_viewed(report, by=by, ip=ip)


@transaction.atomic
def _report_viewed(report: OnlineReport, *, by, ip: str | None) -> OnlineReport:
    status = report_status(report)
    if status == CLOSED:
        raise ReportUnavailable(CLOSED, _("该%(kind)s已被本人关闭。") % _kind(report))
    if status == EXPIRED:
        raise ReportUnavailable(EXPIRED, _("该%(kind)s已过期。") % _kind(report))
    OnlineReport.objects.filter(pk=report.pk).update(view_count=F("view_count") + 1)
    report.view_count += 1
    log_action(report, "records.online_report_viewed", by=by, ip=ip)
    return report
