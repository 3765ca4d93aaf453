"""The student's self-check: 正确 (confirm the record as it stands) or 有误 (report
the wrong fields with the right values and evidence). Students never edit fields."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from notices import published
from notices.models import Notice, NoticeTask
from notices.selectors import AUDIENCE_FIELDS
from portal.audit import log_action
from portal.uploads import UploadError, document_upload
from records.errors import RecordError
from records.models import (
    DiscrepancyEvidence,
    DiscrepancyItem,
    DiscrepancyReport,
    EnrollmentRecord,
    RecordConfirmation,
    ReportState,
)
from records.self_check import check_state
from records.services.fields import CORRECTABLE_FIELDS, field_label, field_text

EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
# Phone photos of a 户口本 or a certificate (4000×3000); stored at most 2,000 px on the
# long side, which keeps every line of a page readable at a fraction of the size.
EVIDENCE_MAX_PIXELS = 12_000_000
EVIDENCE_MAX_SIDE = 2000
EVIDENCE_MAX_FILES = 5
RECORD_TASKS = (NoticeTask.RECORD_CHECK, NoticeTask.BOTH)


def current_notice(user, records=None) -> Notice | None:
    """The latest started notice that asks this student for a record self-check;
    `records`: the student's records when the caller has them already."""
    if records is None:
        records = EnrollmentRecord.objects.filter(user=user).only(*AUDIENCE_FIELDS)
    return published.current_notice(records, RECORD_TASKS)


def _own_and_checkable(record: EnrollmentRecord, user) -> None:
    if record.user_id != user.pk:
        raise RecordError(_("只能校对绑定在本人账号下的学籍。"))
    # 未注册, 已毕业 or ended (records.self_check): refused here, not only by the page.
    checkable, reason = check_state(record)
    if not checkable:
        raise RecordError(reason)


@transaction.atomic
def record_confirm(*, record: EnrollmentRecord, user, request=None) -> RecordConfirmation:
    """正确. A double-click records one confirmation (a unique active confirmation)."""
    _own_and_checkable(record, user)
    if DiscrepancyReport.objects.filter(record=record, state=ReportState.SUBMITTED).exists():
        raise RecordError(_("您已提交有误申请，请等待学籍管理部门处理后再确认；也可以先撤回申请。"))
    existing = RecordConfirmation.objects.filter(record=record, revoked_at__isnull=True).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            confirmation = RecordConfirmation.objects.create(
                record=record, user=user, notice=current_notice(user)
            )
    except IntegrityError:  # the other click of a double-click won
        return RecordConfirmation.objects.get(record=record, revoked_at__isnull=True)
    log_action(record, "records.confirmed", by=user, subject=user, request=request)
    return confirmation


def revoke_confirmation(record: EnrollmentRecord, reason: str) -> None:
    RecordConfirmation.objects.filter(record=record, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason[:200]
    )


@dataclass(frozen=True)
class Evidence:
    kind: str
    upload: object


def _check_deadline(notice: Notice | None) -> None:
    if notice and notice.correction_deadline and timezone.now() > notice.correction_deadline:
        deadline = date_format(timezone.localtime(notice.correction_deadline), "DATETIME_FORMAT")
        raise RecordError(
            _("《%(title)s》规定的更正申请截止时间（%(deadline)s）已过，逾期不再办理信息更改手续。")
            % {"title": notice.title, "deadline": deadline}
        )


def _items(record: EnrollmentRecord, claims: dict[str, str]) -> list[DiscrepancyItem]:
    if not claims:
        raise RecordError(_("请勾选有误的字段，并填写正确的信息。"))
    items = []
    for name, claimed in claims.items():
        if name not in CORRECTABLE_FIELDS:
            raise RecordError(_("该字段不能申请更正。"))
        current, claimed = field_text(record, name), (claimed or "").strip()
        if not claimed:
            raise RecordError(_("请填写“%(field)s”的正确信息。") % {"field": field_label(name)})
        if claimed == current:
            raise RecordError(
                _("“%(field)s”填写的正确信息与现有信息相同。") % {"field": field_label(name)}
            )
        items.append(
            DiscrepancyItem(field=name, current_value=current[:200], claimed_value=claimed[:200])
        )
    return items


def _evidence_rows(evidence: list[Evidence]) -> list[tuple[DiscrepancyEvidence, bytes]]:
    if not evidence:
        raise RecordError(_("请上传证明材料（如公安部门证明、户口本、身份证的扫描件）。"))
    if len(evidence) > EVIDENCE_MAX_FILES:
        raise RecordError(_("证明材料最多上传 %(n)d 个文件。") % {"n": EVIDENCE_MAX_FILES})
    rows = []
    for item in evidence:
        try:
            clean = document_upload(
                item.upload,
                max_bytes=EVIDENCE_MAX_BYTES,
                max_pixels=EVIDENCE_MAX_PIXELS,
                max_side=EVIDENCE_MAX_SIDE,
            )
        except UploadError as exc:
            raise RecordError(exc.message) from exc
        row = DiscrepancyEvidence(
            kind=item.kind,
            token=secrets.token_hex(16),
            extension=clean.extension,
            content_type=clean.content_type,
            size=len(clean.content),
        )
        rows.append((row, clean.content))
    return rows


def report_submit(
    *,
    record: EnrollmentRecord,
    user,
    claims: dict[str, str],
    explanation: str,
    evidence: list[Evidence],
    request=None,
) -> DiscrepancyReport:
    """有误: the wrong fields, the right values, an explanation and evidence."""
    _own_and_checkable(record, user)
    notice = current_notice(user)
    _check_deadline(notice)
    items = _items(record, claims)
    files = _evidence_rows(evidence)  # checked before anything is written
    try:
        with transaction.atomic():
            report = DiscrepancyReport.objects.create(
                record=record, user=user, notice=notice, explanation=explanation.strip()
            )
            for item in items:
                item.report = report
            DiscrepancyItem.objects.bulk_create(items)
            for row, content in files:
                row.report = report
                row.file.save(f"evidence{row.extension}", ContentFile(content), save=False)
                row.save()
            revoke_confirmation(record, _("提交了有误申请"))
            log_action(
                report,
                "records.reported",
                by=user,
                subject=user,
                request=request,
                changes={i.field: [i.current_value, i.claimed_value] for i in items},
            )
    except IntegrityError as exc:
        raise RecordError(_("该学籍已有一个待处理的有误申请，请等待处理结果或先撤回。")) from exc
    return report


@transaction.atomic
def report_withdraw(*, report: DiscrepancyReport, user, request=None) -> DiscrepancyReport:
    report = DiscrepancyReport.objects.select_for_update().get(pk=report.pk)
    if report.user_id != user.pk or report.state != ReportState.SUBMITTED:
        raise RecordError(_("该申请已处理，不能撤回。"))
    report.state, report.decided_at = ReportState.WITHDRAWN, timezone.now()
    report.save(update_fields=["state", "decided_at"])
    log_action(report, "records.report_withdrawn", by=user, subject=user, request=request)
    return report
