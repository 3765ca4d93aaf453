"""The student's self-check of a 学籍 or of a 学历 (the subject): 正确 (confirm it as it
stands) or 有误 (report the wrong fields with the right values and evidence). Students
never edit fields. One code path for both: what differs is which foreign key of the
confirmation or report holds the subject (`of`), and the fields the rules know for it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.lib.audit import log_action
from portal.lib.uploads import UploadError, document_upload
from records import progress, rules, signals
from records.campaign import CurrentNotice, current_notice, latest, record_notices
from records.errors import RecordError
from records.models import (
    CheckResult,
    DegreeRecord,
    DiscrepancyEvidence,
    DiscrepancyItem,
    DiscrepancyReport,
    EnrollmentRecord,
    RecordConfirmation,
    ReportState,
)
from records.self_check import check_state

EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
# Phone photos of a 户口本 or a certificate (4000×3000); stored at most 2,000 px on the
# long side, which keeps every line of a page readable at a fraction of the size.
EVIDENCE_MAX_PIXELS = 12_000_000
EVIDENCE_MAX_SIDE = 2000
EVIDENCE_MAX_FILES = 5


Subject = EnrollmentRecord | DegreeRecord


def of(subject: Subject) -> dict[str, Subject]:
    """The lookup of a confirmation's or a report's subject: {"record": …} or {"degree": …}."""
    return {"degree" if isinstance(subject, DegreeRecord) else "record": subject}


def _own_and_checkable(subject: Subject, user) -> None:
    if subject.user_id != user.pk:
        if isinstance(subject, DegreeRecord):
            raise RecordError(_("只能校对绑定在本人账号下的学历。"))
        raise RecordError(_("只能校对绑定在本人账号下的学籍。"))
    if isinstance(subject, DegreeRecord):
        return  # a registered diploma is checked whatever became of the 学籍
    # 未注册, 已毕业 or ended (records.self_check): refused here, not only by the page.
    checkable, reason = check_state(subject)
    if not checkable:
        raise RecordError(reason)


def confirm_closed(subject: Subject, check: int | None = None) -> str:
    """Why 正确 is not open for the subject as its check result stands (`check`: the one
    read under the lock; else the subject's own), "" when it is: the service refuses or
    keeps what stands on it, and the 正确 pages say it instead of offering the dialog."""
    check = subject.check_result if check is None else check
    if check == CheckResult.CONFIRMED:
        if isinstance(subject, DegreeRecord):
            return _("您已确认本学历信息正确。")
        return _("您已确认本学籍信息正确。")
    if check == CheckResult.REPORTED:
        return _("您已提交有误申请，请等待学籍管理部门处理后再确认；也可以先撤回申请。")
    return ""


def report_closed(subject: Subject) -> str:
    """Why no 有误 can be filed for the subject now, "" when one can: a report of it waits
    (the service's unique open report refuses a second; the 有误 page says it first)."""
    if subject.check_result == CheckResult.REPORTED:
        return _report_waiting()
    return ""


def _report_waiting() -> str:
    return _("已有一个待处理的有误申请，请等待处理结果或先撤回。")


def notice_for(subject: Subject, by) -> CurrentNotice | None:
    """The notice a 正确 or 有误 is made under: the latest started one whose audience holds
    the 学籍 at hand; for a 学历, that of the 学籍 of hers it was earned under, else of the
    本科 record of hers it is the prior 专科 degree of, and failing both, any of hers."""
    if isinstance(subject, DegreeRecord):
        own = EnrollmentRecord.objects.filter(
            Q(pk=subject.enrollment_record_id) | Q(prior_degree=subject), user=by
        )
        records = list(own.order_by())
        if not records:
            return current_notice(by)
        notices = record_notices(by, records)
        earned_under = subject.enrollment_record_id
        found = notices.get(earned_under) if earned_under is not None else None
        return found or latest(notices.values())
    return record_notices(by, [subject]).get(subject.pk)


@transaction.atomic
def record_confirm(*, record: Subject, by, ip: str | None = None) -> RecordConfirmation:
    """正确 of a 学籍 or a 学历. A double-click records one confirmation (a unique active
    confirmation).

    The subject is locked first: a re-import or a correction writing it meanwhile
    finishes (and revokes what stood) before this confirmation is taken."""
    _own_and_checkable(record, by)
    subject = of(record)
    # of=("self",): the record's row only — a plain FOR UPDATE would lock a joined
    # institution too, and every confirmation of the institution would wait for the one
    # before; order_by(): no join to begin with (the default ordering's). Under the lock
    # its check result (records.progress, written in the transaction of every confirmation
    # and report) says whether a report is open or a confirmation stands.
    locked = type(record).objects.select_for_update(of=("self",)).filter(pk=record.pk)
    check = locked.order_by().values_list("check_result", flat=True).get()
    if check == CheckResult.REPORTED:
        raise RecordError(confirm_closed(record, check))
    if check == CheckResult.CONFIRMED:  # a double-click: the 正确 that stands
        return RecordConfirmation.objects.get(**subject, revoked_at__isnull=True)
    notice = notice_for(record, by)
    try:
        with transaction.atomic():
            confirmation = RecordConfirmation.objects.create(**subject, user=by)
    except IntegrityError:  # the other click of a double-click won
        return RecordConfirmation.objects.get(**subject, revoked_at__isnull=True)
    signals.confirmation_made.send(
        sender=RecordConfirmation, confirmation=confirmation, notice=notice
    )
    degree = isinstance(record, DegreeRecord)
    action = "records.degree_confirmed" if degree else "records.confirmed"
    log_action(record, action, by=by, subject=by, ip=ip)
    return confirmation


def revoke_confirmation(record: Subject, reason: str, *, refresh: bool = True) -> None:
    """Revoke the record's (or degree's) 正确 (a correction or re-import changed it). An
    update() sends no signal: the check result is refreshed here, or by the caller once
    for many (refresh=False: records.imports.writer)."""
    revoked = RecordConfirmation.objects.filter(**of(record), revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason[:200]
    )
    if revoked and refresh:
        if isinstance(record, DegreeRecord):
            progress.refresh_degrees([record.pk])
        else:
            progress.refresh([record.pk])


def revoke_degree_confirmations(degrees: list[int], reason: str) -> int:
    """Revoke the 正确 of these degrees (ids: a re-import changed their fields) and refresh
    their check results, in two statements; how many were revoked."""
    revoked = RecordConfirmation.objects.filter(degree__in=degrees, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason[:200]
    )
    if revoked:
        progress.refresh_degrees(degrees)
    return revoked


@dataclass(frozen=True)
class Evidence:
    kind: str
    upload: object


def deadline_passed(notice: CurrentNotice | None) -> str:
    """Why no 有误 claim can be filed any more under the notice (records.campaign), or
    "" while it can."""
    if notice and notice.correction_deadline and timezone.now() > notice.correction_deadline:
        deadline = date_format(timezone.localtime(notice.correction_deadline), "DATETIME_FORMAT")
        return _(
            "《%(title)s》规定的更正申请截止时间（%(deadline)s）已过，逾期不再办理信息更改手续。"
        ) % {"title": notice.title, "deadline": deadline}
    return ""


def _check_deadline(notice: CurrentNotice | None) -> None:
    if reason := deadline_passed(notice):
        raise RecordError(reason)


def claim_changes(record: Subject, claims: dict[str, str], kinds: set[str]):
    """The claimed values read and checked by the field rules (records.rules), with the
    evidence the fields' change policies ask for among `kinds`: every refused value at
    once, by field (`.errors`). The 有误 form shows them; discrepancy_report refuses on them."""
    changes = rules.check_changes(record, claims, same_is_error=True)
    missing = rules.policy.missing_evidence(list(changes.values), kinds)
    if missing:
        changes.errors["evidence"] = "；".join(
            _("更正%(field)s需上传：%(kinds)s")
            % {"field": rules.label(name), "kinds": "、".join(labels)}
            for name, labels in missing
        )
    return changes


def _items(record: Subject, claims: dict[str, str], kinds: set[str]):
    """The claim's items, each value stored as the rules show it; FieldErrors else."""
    if not claims:
        raise RecordError(_("请勾选有误的字段，并填写正确的信息。"))
    changes = claim_changes(record, claims, kinds)
    changes.raise_errors()
    return [
        DiscrepancyItem(
            field=name,
            current_value=rules.text(record, name)[:200],
            claimed_value=rules.value_text(name, value)[:200],
        )
        for name, value in changes.values.items()
    ]


def _evidence_rows(evidence: list[Evidence]) -> list[tuple[DiscrepancyEvidence, bytes]]:
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


def discrepancy_report(
    *,
    record: Subject,
    by,
    claims: dict[str, str],
    explanation: str,
    evidence: list[Evidence],
    ip: str | None = None,
) -> DiscrepancyReport:
    """有误 of a 学籍 or a 学历: the wrong fields, the right values, an explanation and
    evidence."""
    _own_and_checkable(record, by)
    notice = notice_for(record, by)
    _check_deadline(notice)
    items = _items(record, claims, {item.kind for item in evidence})
    files = _evidence_rows(evidence)  # checked before anything is written
    try:
        with transaction.atomic():
            report = DiscrepancyReport.objects.create(
                **of(record), user=by, explanation=explanation.strip()
            )
            for item in items:
                item.report = report
            DiscrepancyItem.objects.bulk_create(items)
            for row, content in files:
                row.report = report
                row.file.save(f"evidence{row.extension}", ContentFile(content), save=False)
                row.save()
            revoke_confirmation(record, _("提交了有误申请"))
            signals.discrepancy_reported.send(
                sender=DiscrepancyReport, report=report, notice=notice
            )
            log_action(
                report,
                "records.degree_reported" if report.is_of_degree else "records.reported",
                by=by,
                subject=by,
                ip=ip,
                changes={i.field: [i.current_value, i.claimed_value] for i in items},
            )
    except IntegrityError as exc:
        raise RecordError(_report_waiting()) from exc
    return report


@transaction.atomic
def discrepancy_withdraw(
    *, report: DiscrepancyReport, by, ip: str | None = None
) -> DiscrepancyReport:
    report = DiscrepancyReport.objects.select_for_update().get(pk=report.pk)
    if report.user_id != by.pk or report.state != ReportState.SUBMITTED:
        raise RecordError(_("该申请已处理，不能撤回。"))
    report.state, report.decided_at = ReportState.WITHDRAWN, timezone.now()
    report.save(update_fields=["state", "decided_at"])
    log_action(report, "records.report_withdrawn", by=by, subject=by, ip=ip)
    return report
