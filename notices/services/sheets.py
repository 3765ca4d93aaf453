"""The class feedback sheet (反馈表, seed 004): remarks, the counselor's signature, the
college leader's countersignature (handed in), and the sheets a notice needs.

Seed 004: 各班班长按学号由小到大的顺序统一填写反馈表，辅导员签字审核，学院领导签署
复核意见，加盖学院公章 … 逾期不再受理.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from notices.errors import NoticeError, SignatureNeedsConfirmation
from notices.feedback import SheetRow, changes_since_signature, class_rows
from notices.models import FeedbackRemark, FeedbackSheet, Notice, NoticeState, NoticeTask
from notices.selectors import audience_q
from portal.lib.audit import log_action
from records.models import EnrollmentRecord

REMARK_MAX = 200


def sheets_sync(*, notice: Notice) -> int:
    """Make sure every class the published notice is for has its sheet; returns how many
    were added. Idempotent, and a constant number of queries however many classes."""
    if notice.state != NoticeState.PUBLISHED or notice.task == NoticeTask.NONE:
        return 0
    class_ids = set(
        EnrollmentRecord.objects.filter(audience_q(notice), school_class__isnull=False)
        .order_by()
        .values_list("school_class_id", flat=True)
        .distinct()
    )
    existing = set(
        FeedbackSheet.objects.filter(notice=notice).values_list("school_class_id", flat=True)
    )
    missing = class_ids - existing
    FeedbackSheet.objects.bulk_create(
        [FeedbackSheet(notice=notice, school_class_id=pk) for pk in sorted(missing)],
        ignore_conflicts=True,
    )
    return len(missing)


def sheets_for_new_classes(sender, *, institution, **kwargs) -> None:
    """A roster import may bring classes that the institution's published notices are for:
    each gets its sheet now, so that its counselor finds it to sign (records.signals)."""
    if institution is None:
        return
    for notice in Notice.objects.filter(
        institution=institution, state=NoticeState.PUBLISHED
    ).exclude(task=NoticeTask.NONE):
        sheets_sync(notice=notice)


def _locked(sheet: FeedbackSheet) -> FeedbackSheet:
    return (
        FeedbackSheet.objects.select_for_update()
        .select_related("notice", "school_class")
        .get(pk=sheet.pk)
    )


@transaction.atomic
def sheet_remarks_save(
    *, sheet: FeedbackSheet, texts: dict[int, str], by, ip: str | None = None
) -> int:
    """Words the monitor or the counselor adds to rows ({record id: text}); empty text
    removes them. Returns how many rows changed."""
    sheet = _locked(sheet)
    if sheet.is_signed:
        raise NoticeError(_("辅导员已签名，反馈表不能再修改；如需修改，请辅导员先撤回签名。"))
    records = {
        r.pk: r
        for r in EnrollmentRecord.objects.filter(
            audience_q(sheet.notice), school_class=sheet.school_class, pk__in=list(texts)
        ).select_related("user")
    }
    if set(texts) - set(records):
        raise NoticeError(_("该学生不在本班反馈表中。"))
    existing = {r.record_id: r for r in FeedbackRemark.objects.filter(sheet=sheet)}
    changed = 0
    for record_id, raw in texts.items():
        text = " ".join((raw or "").split())
        if len(text) > REMARK_MAX:
            raise NoticeError(_("补充说明不能超过 %(n)d 个字。") % {"n": REMARK_MAX})
        remark = existing.get(record_id)
        before = remark.text if remark else ""
        if text == before:
            continue
        _write_remark(sheet, records[record_id], remark, text, by)
        record = records[record_id]
        log_action(
            sheet,
            "notices.sheet_remark",
            by=by,
            changes={record.student_number: [before, text]},
            subject=record.user,
            ip=ip,
        )
        changed += 1
    return changed


def _write_remark(sheet, record, remark: FeedbackRemark | None, text: str, by) -> None:
    if not text:
        if remark is not None:
            remark.delete()
    elif remark:
        remark.text, remark.author = text, by
        remark.save(update_fields=["text", "author", "updated_at"])
    else:
        FeedbackRemark.objects.create(sheet=sheet, record=record, text=text, author=by)


def sign_warnings(sheet: FeedbackSheet, rows: list[SheetRow], now=None) -> list[str]:
    """Why the sheet may not be true yet: students who have not done the task, a window
    still open. The counselor signs such a sheet only after reading them."""
    warnings = []
    pending = sum(not row.done for row in rows)
    if pending:
        warnings.append(
            _("本班还有 %(n)d 名学生未完成校对，反馈表上他们的校对结果为“未校对”等。")
            % {"n": pending}
        )
    end = sheet.notice.window_end
    if end and (now or timezone.now()) < end:
        when = date_format(timezone.localtime(end), "DATETIME_FORMAT")
        warnings.append(
            _("校对时间尚未结束（截止 %(when)s），学生仍可能完成或更改校对。") % {"when": when}
        )
    return warnings


@transaction.atomic
def sheet_sign(
    *, sheet: FeedbackSheet, by, acknowledged: bool = False, ip: str | None = None
) -> FeedbackSheet:
    """辅导员签字审核. A sheet that is not true yet (sign_warnings) is signed only when
    `acknowledged`. The rows as they stand are kept with the signature, to tell whether
    they change before the college countersigns (签名后有变化: she signs again)."""
    sheet = _locked(sheet)
    if sheet.is_handed_in:
        raise NoticeError(_("反馈表已复核上交。"))
    rows = class_rows(sheet.notice, sheet.school_class)
    if sheet.is_signed and not changes_since_signature(sheet, rows):
        raise NoticeError(_("反馈表已由辅导员签名。"))
    warnings = sign_warnings(sheet, rows)
    if warnings and not acknowledged:
        raise SignatureNeedsConfirmation(warnings)
    before = sheet.counselor_signed_at
    sheet.signed_rows = [row.as_signed() for row in rows]
    sheet.counselor_signed_by, sheet.counselor_signed_at = by, timezone.now()
    sheet.counselor_name = by.get_full_name()
    sheet.save()
    log_action(
        sheet,
        "notices.sheet_signed",
        by=by,
        changes={
            "counselor_signed_at": [
                before.isoformat() if before else None,
                sheet.counselor_signed_at.isoformat(),
            ]
        },
        reason=" ".join(warnings) if warnings else "",
        ip=ip,
    )
    return sheet


@transaction.atomic
def sheet_unsign(*, sheet: FeedbackSheet, by, ip: str | None = None) -> FeedbackSheet:
    """The counselor takes the signature back, until the college has countersigned."""
    sheet = _locked(sheet)
    if not sheet.is_signed:
        raise NoticeError(_("反馈表尚未签名。"))
    if sheet.is_handed_in:
        raise NoticeError(_("学院领导已复核，反馈表已上交，不能撤回签名。"))
    if sheet.counselor_signed_by_id != by.pk and not by.is_admin:
        raise NoticeError(_("只有签名的辅导员本人可以撤回签名。"))
    signed_at = sheet.counselor_signed_at
    sheet.signed_rows = None
    sheet.counselor_signed_by = sheet.counselor_signed_at = None
    sheet.counselor_name = ""
    sheet.save()
    log_action(
        sheet,
        "notices.sheet_unsigned",
        by=by,
        changes={"counselor_signed_at": [signed_at.isoformat() if signed_at else None, None]},
        ip=ip,
    )
    return sheet


@transaction.atomic
def sheet_countersign(
    *, sheet: FeedbackSheet, by, opinion: str = "", ip: str | None = None
) -> FeedbackSheet:
    """学院领导签署复核意见: the sheet counts as handed in now, and its rows are kept as
    they stand, never to change; after the notice's deadline it is marked 逾期. A sheet
    that changed since the counselor signed goes back to her first."""
    sheet = _locked(sheet)
    if not sheet.is_signed:
        raise NoticeError(_("请等辅导员签名后再复核。"))
    if sheet.is_handed_in:
        raise NoticeError(_("反馈表已复核上交。"))
    rows = class_rows(sheet.notice, sheet.school_class)
    if changes_since_signature(sheet, rows):
        raise NoticeError(
            _("辅导员签名后，本班有学生的校对情况发生了变化：请辅导员重新签名后再复核。")
        )
    sheet.signed_rows = [row.as_signed() for row in rows]  # the record of what was handed in
    sheet.leader_signed_by, sheet.leader_signed_at = by, timezone.now()
    sheet.leader_name = by.get_full_name()
    sheet.leader_opinion = " ".join((opinion or "").split())[:200]
    sheet.save()
    log_action(
        sheet,
        "notices.sheet_handed_in",
        by=by,
        changes={
            "leader_signed_at": [None, sheet.leader_signed_at.isoformat()],
            "late": [None, sheet.is_late()],
        },
        ip=ip,
    )
    return sheet
