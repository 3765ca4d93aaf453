"""The notice a student's self-check runs under, for records, which sits below notices and
never imports them (records.campaign, records.signals; registered in notices.apps):

- `current_record_check` tells records the current record-check notice of a student, as
  the plain records.campaign.CurrentNotice its pages and rules read (its correction
  deadline refuses a late 有误 claim);
- `link_confirmation` and `link_report` keep which notice a 正确 or a 有误 was made under
  (ConfirmationNotice, DiscrepancyNotice), in the transaction of the service.
"""

from __future__ import annotations

from collections.abc import Iterable

from notices.models import ConfirmationNotice, DiscrepancyNotice, NoticeTask
from notices.selectors import AUDIENCE_FIELDS, current_notice
from records.campaign import CurrentNotice
from records.models import EnrollmentRecord

RECORD_TASKS = (NoticeTask.RECORD_CHECK, NoticeTask.BOTH)


def current_record_check(*, user, records: Iterable | None = None) -> CurrentNotice | None:
    """The latest started notice that asks this student for a record self-check;
    `records`: the student's records when the caller has them already."""
    if records is None:
        records = EnrollmentRecord.objects.filter(user=user).only(*AUDIENCE_FIELDS)
    notice = current_notice(records, RECORD_TASKS)
    if notice is None:
        return None
    return CurrentNotice(
        pk=notice.pk,
        number=notice.number,
        title=notice.title,
        window_end=notice.window_end,
        correction_deadline=notice.correction_deadline,
    )


def link_confirmation(sender, *, confirmation, notice: CurrentNotice | None, **kwargs) -> None:
    if notice is not None:
        ConfirmationNotice.objects.create(confirmation=confirmation, notice_id=notice.pk)


def link_report(sender, *, report, notice: CurrentNotice | None, **kwargs) -> None:
    if notice is not None:
        DiscrepancyNotice.objects.create(report=report, notice_id=notice.pk)
