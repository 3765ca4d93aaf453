"""Writing the satisfaction evaluation: a student's answers, once per notice's task."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from notices.errors import NoticeError
from notices.models import SATISFACTION_ITEMS, SatisfactionEvaluation, SatisfactionParticipant
from notices.satisfaction.selectors import Invitation


@transaction.atomic
def satisfaction_submit(
    *, invitation: Invitation, by, scores: dict[str, int], words: str = ""
) -> SatisfactionEvaluation:
    """Keep `by`'s answers to the evaluation of `invitation.notice` (invitation_for gave
    it for her), about the record it names, and that she answered. A second time (two
    tabs, a double tap: the constraint decides) is refused; the answers are not linked
    to her, so they cannot be changed either. Not audited: the trail would be one more
    place that says when she answered."""
    if not invitation.checked:
        raise NoticeError(_("请先完成本次校对任务，再进行满意度评价。"))
    if invitation.evaluated:
        raise NoticeError(already_evaluated())
    try:
        with transaction.atomic():
            SatisfactionParticipant.objects.create(notice=invitation.notice, user=by)
    except IntegrityError:
        raise NoticeError(already_evaluated()) from None
    record = invitation.record
    return SatisfactionEvaluation.objects.create(
        notice=invitation.notice,
        college_id=record.college_id,
        major_id=record.major_id,
        level=record.level,
        cohort=record.admission_year,
        words=words.strip(),
        **{name: scores[name] for name in SATISFACTION_ITEMS},
    )


def already_evaluated() -> str:
    return _("您已评价过本次任务，每次任务只能评价一次，提交后不能修改。")
