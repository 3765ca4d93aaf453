"""The notice a student's self-check runs under, for records, which sits below notices and
never imports them (records.campaign, records.signals; registered in notices.apps):

- `current_record_checks` tells records the current record-check notice of each record
  of a student, as the plain records.campaign.CurrentNotice its pages and rules read
  (its correction deadline refuses a late 有误 claim);
- `link_confirmation` and `link_report` keep which notice a 正确 or a 有误 was made under
  (ConfirmationNotice, DiscrepancyNotice), in the transaction of the service.
"""

from __future__ import annotations

from collections.abc import Iterable

from notices.models import ConfirmationNotice, DiscrepancyNotice, NoticeTask
from notices.selectors import AUDIENCE_FIELDS, current_notices, notice_rank
from records.campaign import CurrentNotice
from records.models import EnrollmentRecord

RECORD_TASKS = (NoticeTask.RECORD_CHECK, NoticeTask.BOTH)


def current_record_checks(*, user, records: Iterable | None = None) -> dict[int, CurrentNotice]:
    """For each of this student's records (`records` when the caller has them already),
    the latest started notice whose audience holds it and asks for a record self-check."""
    if records is None:
        records = EnrollmentRecord.objects.filter(user=user).only(*AUDIENCE_FIELDS)
    return {
        pk: CurrentNotice(
            pk=notice.pk,
            number=notice.number,
            title=notice.title,
            window_end=notice.window_end,
            correction_deadline=notice.correction_deadline,
            rank=notice_rank(notice),
        )
        for pk, notice in current_notices(records, RECORD_TASKS).items()
    }


def link_confirmation(sender, *, confirmation, notice: CurrentNotice | None, **kwargs) -> None:
    if notice is not None:
        ConfirmationNotice.objects.create(confirmation=confirmation, notice_id=notice.pk)


def link_report(sender, *, report, notice: CurrentNotice | None, **kwargs) -> None:
    if notice is not None:
        DiscrepancyNotice.objects.create(report=report, notice_id=notice.pk)
