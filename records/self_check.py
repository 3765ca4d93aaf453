"""Whether a record can be self-checked (正确 / 有误) today, and why not: the one rule that
the record pages (through their views), the services and the to-do counts all read.

- 未注册: the school has not registered the record yet (seed 003's third case, from seed
  002 "学历数据未上报注册 … 则无法进行绑定"): it is shown read-only, checked once
  registered.
- 已毕业: the photo is linked to the diploma, "没有校对按钮" (seed 003).
- 退学, 开除学籍, 结业, 肄业: the study has ended; there is nothing left to check.

休学 and 保留学籍 keep the 学籍: those records are checked like any other.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import Q
from django.utils.translation import gettext as _

from records.models import EnrollmentRecord, RecordStatus

ENDED_STATUSES = frozenset(
    {
        RecordStatus.WITHDRAWN,
        RecordStatus.EXPELLED,
        RecordStatus.COMPLETED,
        RecordStatus.INCOMPLETE,
    }
)
NOT_CHECKED_STATUSES = ENDED_STATUSES | {RecordStatus.UNREGISTERED, RecordStatus.GRADUATED}


class CheckState(NamedTuple):
    """`checkable`, and when it is not, `reason`: one line for the student, in Chinese."""

    checkable: bool
    reason: str = ""


def check_state(record: EnrollmentRecord) -> CheckState:
    """Can this record be confirmed (正确) or reported (有误), and if not, why. Reads
    only the record's status: no query."""
    status = record.status
    if status not in NOT_CHECKED_STATUSES:
        return CheckState(True)
    if status == RecordStatus.UNREGISTERED:
        return CheckState(False, unregistered_reason())
    if status == RecordStatus.GRADUATED:
        return CheckState(
            False,
            _("学籍状态为“已毕业”：信息已连接到电子学历，无需校对，可在学历信息中查看。"),
        )
    return CheckState(
        False,
        _("该学籍状态为“%(status)s”，学籍已终止，无需校对。如有疑问请联系学校学籍管理部门。")
        % {"status": RecordStatus(status).label},
    )


def unregistered_reason() -> str:
    return _(
        "学籍尚未注册：学校学籍管理部门尚未完成电子注册，注册后才能校对。如长时间未注册，请联系学校学籍管理部门。"
    )


def check_done(record: EnrollmentRecord) -> bool:
    """Nothing left for the student to do on this record's self-check: confirmed,
    reported, or not to be checked at all. `record` carries is_confirmed and
    has_open_report (records.selectors.records_with_state)."""
    return record.is_confirmed or record.has_open_report or not check_state(record).checkable


def not_checked_q() -> Q:
    """The records check_state says are not checked, as a query condition (progress
    counts: such a record is never "not yet checked")."""
    return Q(status__in=NOT_CHECKED_STATUSES)
