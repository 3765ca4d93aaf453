"""The registrar's side: accept a 有误 report (apply the chosen corrections), reject it
with a reason, or edit a record directly with a mandatory reason. Every change is one
transaction with an audit entry (who, when, before, after, why), and a corrected
record must be confirmed again by its student."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.notify import notify
from portal.lib.audit import diff, log_action, snapshot
from records import rules
from records.errors import RecordError
from records.models import DegreeRecord, DiscrepancyReport, EnrollmentRecord, ReportState
from records.services.checks import Subject, revoke_confirmation

# Standard reasons for 不予更正 (seed 002: ID-card generation changes and birth-date
# changes are not corrected).
STANDARD_REJECT_REASONS = [
    gettext_lazy("一代身份证换成二代身份证、出生日期有变动的，不得更改信息。"),
    gettext_lazy("证明材料不足，请补充公安部门证明、户口本和身份证的原件及复印件后重新申请。"),
    gettext_lazy("所报信息与录取数据一致，无需更正。"),
    gettext_lazy("该信息须由学生本人携带证明材料到学籍管理部门现场办理。"),
]


def _apply(record: Subject, texts: dict[str, str]) -> dict[str, list]:
    """Set the fields to the values the texts name, by the field rules (records.rules:
    every refused value at once, as FieldErrors), and save; returns before and after."""
    changes = rules.check_changes(record, texts)
    changes.raise_errors()
    names = list(changes.values)
    before = snapshot(record, names)
    for name, value in changes.values.items():
        setattr(record, name, value)
    after = snapshot(record, names)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        raise RecordError(_("修改后的学号或考生号与其他学籍重复，请核对。")) from exc
    return diff(before, after)


def _subject_for_update(report: DiscrepancyReport) -> Subject:
    if report.degree_id is not None:
        return (
            DegreeRecord.objects.select_for_update(of=("self",))  # not the institution's row
            .select_related("institution")
            .get(pk=report.degree_id)
        )
    return EnrollmentRecord.objects.select_for_update(of=("self",)).get(pk=report.record_id)


@transaction.atomic
def discrepancy_accept(
    *, report: DiscrepancyReport, by, fields: list[str], note: str = "", ip: str | None = None
) -> Subject:
    """Apply the claimed values of the chosen fields to the 学籍 or the 学历 reported; the
    others are not accepted."""
    report = DiscrepancyReport.objects.select_for_update().get(pk=report.pk)
    if report.state != ReportState.SUBMITTED:
        raise RecordError(_("该申请已处理。"))
    items = list(report.items.all())
    chosen = [item for item in items if item.field in fields]
    if not chosen:
        raise RecordError(_("请勾选要更正的字段；全部不予更正时请选择“不予更正”并填写原因。"))
    record = _subject_for_update(report)
    changes = _apply(record, {item.field: item.claimed_value for item in chosen})
    for item in items:
        item.accepted = item in chosen
        item.save(update_fields=["accepted"])
    report.state, report.reviewer, report.decided_at = (
        ReportState.ACCEPTED,
        by,
        timezone.now(),
    )
    report.decision_reason = note
    report.save(update_fields=["state", "reviewer", "decided_at", "decision_reason"])
    degree = report.is_of_degree
    revoke_confirmation(
        record, _("学历信息已更正，请重新确认") if degree else _("学籍信息已更正，请重新确认")
    )
    log_action(
        record,
        "records.degree_corrected" if degree else "records.corrected",
        by=by,
        subject=record.user,
        ip=ip,
        changes=changes,
        reason=note or _("有误申请 #%(pk)d 已核实更正") % {"pk": report.pk},
    )
    if record.user:
        notify(
            record.user,
            _("您的学历有误申请已处理，信息已更正。请登录查看并重新确认学历信息。")
            if degree
            else _("您的学籍有误申请已处理，信息已更正。请登录查看并重新确认学籍信息。"),
        )
    return record


@transaction.atomic
def discrepancy_reject(
    *, report: DiscrepancyReport, by, reason: str, ip: str | None = None
) -> DiscrepancyReport:
    if not reason.strip():
        raise RecordError(_("不予更正时必须填写原因。"))
    report = DiscrepancyReport.objects.select_for_update().get(pk=report.pk)
    if report.state != ReportState.SUBMITTED:
        raise RecordError(_("该申请已处理。"))
    report.state, report.reviewer, report.decided_at = (
        ReportState.REJECTED,
        by,
        timezone.now(),
    )
    report.decision_reason = reason.strip()
    report.save(update_fields=["state", "reviewer", "decided_at", "decision_reason"])
    report.items.update(accepted=False)
    log_action(
        report,
        "records.report_rejected",
        by=by,
        subject=report.user,
        ip=ip,
        reason=report.decision_reason,
    )
    message = (
        _("您的学历有误申请未予更正：%(reason)s")
        if report.is_of_degree
        else _("您的学籍有误申请未予更正：%(reason)s")
    )
    notify(report.user, message % {"reason": report.decision_reason})
    return report


@transaction.atomic
def record_edit(
    *, record: EnrollmentRecord, by, values: dict[str, str], reason: str, ip: str | None = None
) -> EnrollmentRecord:
    """A direct correction by the registrar: a reason is mandatory, and it is audited."""
    if not reason.strip():
        raise RecordError(_("直接修改学籍必须填写修改原因。"))
    record = EnrollmentRecord.objects.select_for_update(of=("self",)).get(pk=record.pk)
    changes = _apply(record, {k: v for k, v in values.items() if v is not None})
    if not changes:
        raise RecordError(_("没有任何字段发生变化。"))
    revoke_confirmation(record, _("学籍信息已修改，请重新确认"))
    log_action(
        record,
        "records.edited",
        by=by,
        subject=record.user,
        ip=ip,
        changes=changes,
        reason=reason.strip(),
    )
    if record.user:
        notify(record.user, _("学校学籍管理部门修改了您的学籍信息，请登录查看并重新确认。"))
    return record
