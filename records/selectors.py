"""Reads that several pages share: a student's records with their state, progress counts
per class and college."""

import datetime
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.lib import idnumbers
from portal.lib.models import AuditEvent
from records import rules
from records.models import (
    College,
    DegreeRecord,
    DiscrepancyEvidence,
    DiscrepancyItem,
    DiscrepancyReport,
    EnrollmentRecord,
    RecordConfirmation,
    ReportState,
    SchoolClass,
)


def records_with_state(queryset: QuerySet[EnrollmentRecord]) -> QuerySet[EnrollmentRecord]:
    """Annotate each record with is_confirmed and has_open_report (the photos' state is
    imaging's: imaging.selectors.with_photo_state)."""
    confirmed = RecordConfirmation.objects.filter(record=OuterRef("pk"), revoked_at__isnull=True)
    reported = DiscrepancyReport.objects.filter(record=OuterRef("pk"), state=ReportState.SUBMITTED)
    return queryset.annotate(is_confirmed=Exists(confirmed), has_open_report=Exists(reported))


def with_state(*, related: bool = False) -> QuerySet[EnrollmentRecord]:
    """Every record with is_confirmed and has_open_report (records_with_state); with the
    institution, college, major and class when `related`. A fresh queryset each call:
    filter it, never evaluate it whole."""
    records = EnrollmentRecord.objects.all()
    if related:
        # The account is the student's own (request.user): not joined again.
        records = records.select_related(
            "institution", "college", "department", "school_class", "major"
        )
    return records_with_state(records)


def student_records(user, *, related: bool = False) -> QuerySet[EnrollmentRecord]:
    """The student's own records, with their state (with_state)."""
    return with_state(related=related).filter(user=user)


def _progress_counts() -> dict:
    records = "enrollment_records"
    return dict(
        n_students=Count(records, distinct=True),
        n_bound=Count(records, filter=Q(enrollment_records__user__isnull=False), distinct=True),
        n_looked=Count(
            records, filter=Q(enrollment_records__first_viewed_at__isnull=False), distinct=True
        ),
        n_confirmed=Count(
            records,
            filter=Q(
                enrollment_records__confirmations__isnull=False,
                enrollment_records__confirmations__revoked_at__isnull=True,
            ),
            distinct=True,
        ),
        n_reported=Count(
            records,
            filter=Q(enrollment_records__discrepancy_reports__state=ReportState.SUBMITTED),
            distinct=True,
        ),
    )


def class_progress(classes: QuerySet[SchoolClass]) -> QuerySet[SchoolClass]:
    """Per class: students, bound, looked, confirmed, reported — in one query."""
    return classes.annotate(**_progress_counts()).select_related("college", "major")


def college_progress(colleges: QuerySet[College]) -> QuerySet[College]:
    """The same counts per college."""
    return colleges.annotate(**_progress_counts())


def _display(record: EnrollmentRecord, name: str, *, full_id: bool) -> str:
    if not full_id and name in ("id_number", "birth_date"):
        # What others may see of them: the one rule of records.rules.
        return rules.value_for_others(name, rules.text(record, name))
    if name == "institution":
        return record.institution.name
    value = getattr(record, name)
    if isinstance(value, datetime.date):
        return date_format(value)  # a page reads dates the Chinese way: 2023年9月1日
    # As the field rules show it (学制 "3 年", 生源 in full), in the page's language.
    return rules.RULES[name].display(rules.current(record, name))


# Long numbers never break inside on a phone: the page wraps them whole (CSS `.number`).
NUMBER_FIELDS = frozenset({"examinee_number", "student_number", "id_number"})


def record_field_rows(record: EnrollmentRecord, *, full_id: bool) -> dict[str, list[dict]]:
    """The fields of seed 000 in reading order, split into main and non-main. With
    `full_id` False (anyone but the holder), the ID number is masked, the birth date is
    its year and 生源省市 and 考生号 are left out, so that the page cannot rebuild the number."""

    def rows(names):
        return [
            {
                "name": name,
                "label": _("出生年份")
                if name == "birth_date" and not full_id
                else record._meta.get_field(name).verbose_name,
                "value": _display(record, name, full_id=full_id),
                "number": name in NUMBER_FIELDS,
            }
            for name in names
            if full_id or name not in rules.LOCATING_FIELDS
        ]

    return {"main": rows(record.MAIN_FIELDS), "other": rows(record.OTHER_FIELDS)}


def record_search(records, query: str, *, id_number: bool = True):
    """The records among `records` whose name, student number, examinee number or (with
    `id_number`) ID number is exactly `query` (an ID number as typed: full-width, spaces,
    a small x). Never a prefix or part of a number. Staff searches go through
    records.services.search, which counts the searches by ID number."""
    found = Q(name=query) | Q(student_number=query) | Q(examinee_number=query)
    if id_number:
        found |= Q(id_number=idnumbers.normalize(query))
    return records.filter(found)


# The registrar's 有误 queue ---------------------------------------------------------------


def _evidence_count():
    files = (
        DiscrepancyEvidence.objects.filter(report=OuterRef("pk"))
        .order_by()
        .values("report")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(files), 0)


def discrepancies_for_queue(
    user,
    *,
    state: str = ReportState.SUBMITTED,
    college: College | None = None,
    school_class: str = "",
    field: str = "",
    older_than: int | None = None,
) -> QuerySet[DiscrepancyReport]:
    """The 有误 reports in `user`'s scope that the queue's filters keep, oldest first, with
    what a row shows. `state` "" is every state (全部); `school_class` a class's code or
    name; `field` a field that one of the report's items names; `older_than` days."""
    reports = DiscrepancyReport.objects.visible_to(user)
    if state:
        reports = reports.filter(state=state)
    if college:
        reports = reports.filter(record__college=college)
    if school_class:
        reports = reports.filter(
            Q(record__school_class__code=school_class) | Q(record__school_class__name=school_class)
        )
    if field:
        reports = reports.filter(
            Exists(DiscrepancyItem.objects.filter(report=OuterRef("pk"), field=field))
        )
    if older_than:
        reports = reports.filter(created_at__lte=timezone.now() - timedelta(days=older_than))
    return (
        # No join in the filters, so no DISTINCT, and the evidence count is a subquery:
        # neither the page nor the paginator's count groups every report in scope.
        reports.select_related("record__college", "record__school_class")
        # What a row shows, no more: the records' 35 columns cost more than the query.
        .only(
            "created_at",
            "state",
            "record__student_number",
            "record__name",
            "record__college__name",
            "record__school_class__name",
        )
        .prefetch_related(Prefetch("items", queryset=DiscrepancyItem.objects.order_by("pk")))
        .annotate(n_evidence=_evidence_count())
        .order_by("created_at")
    )


def discrepancies_for_export(user, **filters) -> QuerySet[DiscrepancyReport]:
    """The queue as filtered (discrepancies_for_queue), with what its export writes beyond a
    row of the page: the ID number (masked in the file), who decided and when."""
    return discrepancies_for_queue(user, **filters).defer(None).select_related("reviewer")


def accepted_corrections(
    user, *, since: datetime.date, until: datetime.date
) -> QuerySet[DiscrepancyItem]:
    """The items of 有误 reports accepted (核实更正) in `user`'s scope from `since` to
    `until`, both local calendar days, in the order they were decided."""
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(until + timedelta(days=1), datetime.time.min)
    )
    return (
        DiscrepancyItem.objects.filter(
            accepted=True,
            report__in=DiscrepancyReport.objects.visible_to(user).filter(
                state=ReportState.ACCEPTED, decided_at__gte=start, decided_at__lt=end
            ),
        )
        .select_related("report__record", "report__reviewer")
        .order_by("report__decided_at", "report_id", "pk")
    )


def discrepancy_history(report: DiscrepancyReport) -> QuerySet[DiscrepancyReport]:
    """The other 有误 reports of the same record, latest first."""
    return (
        DiscrepancyReport.objects.filter(record_id=report.record_id)
        .exclude(pk=report.pk)
        .order_by("-created_at")
    )


def record_trail(record: EnrollmentRecord, *, limit: int = 20) -> QuerySet[AuditEvent]:
    """The latest audit events about the record (the decision page shows them)."""
    return AuditEvent.objects.filter(target_type=record._meta.label, target_id=str(record.pk))[
        :limit
    ]


def latest_discrepancies(records) -> dict[int, DiscrepancyReport]:
    """Each record's latest 有误 report with its items, by record id."""
    reports = DiscrepancyReport.objects.filter(record__in=records).order_by("created_at")
    latest: dict[int, DiscrepancyReport] = {}
    for report in reports.prefetch_related("items"):
        latest[report.record_id] = report
    return latest


def records_in_scope(user) -> QuerySet[EnrollmentRecord]:
    """The records `user` may see, by 学号, with what a list row shows (查询学籍)."""
    return (
        EnrollmentRecord.objects.visible_to(user)
        .select_related("college", "school_class", "major")
        .order_by("student_number")
    )


def classes_in_scope(user) -> QuerySet[SchoolClass]:
    """The classes `user` may see with their progress counts, in the order of a list."""
    return class_progress(SchoolClass.objects.visible_to(user)).order_by(
        "college__code", "-cohort", "code"
    )


def class_members(user, school_class: SchoolClass) -> QuerySet[EnrollmentRecord]:
    """The records of a class in `user`'s scope, by student number, with their state."""
    return (
        with_state()
        .visible_to(user)
        .filter(school_class=school_class)
        # A row shows these and the state (record_state reads status and user_id, not
        # the user).
        .only("student_number", "name", "id_number", "status", "user_id", "first_viewed_at")
        .order_by("student_number")
    )


def degree_records(*, user=None) -> QuerySet[DegreeRecord]:
    """学历 records with their institution (学籍信息 lists the student's); `user`: only
    those bound to her."""
    degrees = DegreeRecord.objects.select_related("institution")
    return degrees.filter(user=user) if user is not None else degrees
