"""Where each record's (and degree's) self-check stands: EnrollmentRecord.check_result
(DegreeRecord.check_result likewise) (正确 / 有误 /
neither), kept beside the record so that progress pages count a class from the records
alone (records.selectors._progress_counts), not by joining every confirmation and report.

One expression decides it from the confirmations and reports themselves (`truth`);
`refresh` writes it. The receivers below refresh a record whenever one of its
confirmations or reports is saved or deleted (a new standing confirmation is 正确 by
truth's first branch: written without reading the rest); code that changes either with
a queryset `update()` or `bulk_create()` (which send no signal) calls `refresh` itself:
records.services.checks.revoke_confirmation, the demo data. `stale` lists records whose
stored result disagrees with the truth: the test suite checks it after every test.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from records.models import (
    CheckResult,
    DegreeRecord,
    DiscrepancyReport,
    EnrollmentRecord,
    RecordConfirmation,
    ReportState,
)


def truth(subject: str = "record") -> Case:
    """The check result of each record (OuterRef "pk"; of each degree with `subject`
    "degree"), read from its confirmations and reports. An active confirmation and an open
    report never stand together: 有误 revokes the confirmation and 正确 is refused while a
    report is open (records.services.checks)."""
    of = {subject: OuterRef("pk")}
    confirmed = RecordConfirmation.objects.filter(**of, revoked_at__isnull=True)
    reported = DiscrepancyReport.objects.filter(**of, state=ReportState.SUBMITTED)
    return Case(
        When(Exists(confirmed), then=Value(CheckResult.CONFIRMED)),
        When(Exists(reported), then=Value(CheckResult.REPORTED)),
        default=Value(CheckResult.NONE),
    )


def confirmed() -> Q:
    """正确 stands (an active confirmation), as a condition on a record."""
    return Q(check_result=CheckResult.CONFIRMED)


def reported() -> Q:
    """A 有误 report of the record waits for the registrar."""
    return Q(check_result=CheckResult.REPORTED)


def flags() -> dict[str, ExpressionWrapper]:
    """is_confirmed and has_open_report, to annotate records with (no join)."""
    return {
        "is_confirmed": ExpressionWrapper(confirmed(), output_field=BooleanField()),
        "has_open_report": ExpressionWrapper(reported(), output_field=BooleanField()),
    }


def _subject(queryset: QuerySet) -> str:
    return "degree" if queryset.model is DegreeRecord else "record"


def refresh(records: Iterable[int] | QuerySet[EnrollmentRecord] | QuerySet[DegreeRecord]) -> None:
    """Write the check result of these records (ids or a queryset; degrees as a queryset)
    in one UPDATE."""
    if not isinstance(records, QuerySet):
        records = EnrollmentRecord.objects.filter(pk__in=list(records))
    records.update(check_result=truth(_subject(records)))


def refresh_degrees(degrees: Iterable[int]) -> None:
    """The same for degrees (ids)."""
    refresh(DegreeRecord.objects.filter(pk__in=list(degrees)))


def stale(
    records: QuerySet[EnrollmentRecord] | QuerySet[DegreeRecord] | None = None,
) -> QuerySet:
    """Records (or, given a queryset of them, degrees) whose stored check result is not
    what their confirmations and reports say."""
    records = EnrollmentRecord.objects.all() if records is None else records
    return records.alias(truth=truth(_subject(records))).filter(~Q(check_result=F("truth")))


@receiver(post_save, sender=RecordConfirmation, dispatch_uid="records.progress.confirmation")
@receiver(post_delete, sender=RecordConfirmation, dispatch_uid="records.progress.confirmation-del")
@receiver(post_save, sender=DiscrepancyReport, dispatch_uid="records.progress.report")
@receiver(post_delete, sender=DiscrepancyReport, dispatch_uid="records.progress.report-del")
def _changed(sender, instance, created: bool = False, **kwargs) -> None:
    if instance.degree_id is not None:
        subject, pk = DegreeRecord, instance.degree_id
    else:
        subject, pk = EnrollmentRecord, instance.record_id
    if sender is RecordConfirmation and created and instance.revoked_at is None:
        # A new active confirmation decides the result by itself (truth's first branch):
        # written as is, without reading the subject's confirmations and reports again —
        # every 正确 of the deadline passes here.
        subject.objects.filter(pk=pk).update(check_result=CheckResult.CONFIRMED)
    else:
        refresh(subject.objects.filter(pk=pk))
