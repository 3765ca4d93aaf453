"""Reads that several pages share: a student's records with their state, progress counts
per class and college."""

import datetime
from datetime import timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.lib import idnumbers
from portal.lib.models import AuditEvent
from records import progress, rules
from records.models import (
    CheckResult,
    College,
    DegreeRecord,
    DiscrepancyEvidence,
    DiscrepancyItem,
    DiscrepancyReport,
    EnrollmentRecord,
    Level,
    RecordStatus,
    ReportState,
    SchoolClass,
)
from records.self_check import not_checked_q


def records_with_state(queryset: QuerySet[EnrollmentRecord]) -> QuerySet[EnrollmentRecord]:
    """Annotate each record with is_confirmed and has_open_report, read from its check
    result (records.progress); the photos' state is imaging's."""
    return queryset.annotate(**progress.flags())


def with_state(*, related: bool = False) -> QuerySet[EnrollmentRecord]:
    """Every record with is_confirmed and has_open_report (records_with_state); with the
    institution, college, major and class when `related`. A fresh queryset each call:
    filter it, never evaluate it whole."""
    records = EnrollmentRecord.objects.all()
    if related:
        # The account is the student's own (request.user): not joined again.
        records = records.with_related(user=False)
    return records_with_state(records)


def student_records(user, *, related: bool = False) -> QuerySet[EnrollmentRecord]:
    """The student's own records, with their state (with_state)."""
    return with_state(related=related).filter(user=user)


PROGRESS_COUNTS = (
    "n_students",
    "n_bound",
    "n_looked",
    "n_confirmed",
    "n_reported",
    "n_not_checked",  # 已毕业, 未注册, ended: nothing for the student to check (self_check)
    "n_checked",  # of the others, those who said 正确 or 有误
)


def _counts_by(key: str, ids: list[int]) -> dict[int, dict[str, int]]:
    """{class or college id: its progress counts}, in one grouped query over the records'
    binding, first look and check result. It reads the covering indexes of
    EnrollmentRecord.Meta in their order: no join of confirmations or reports, no sort,
    about a millisecond for 20,000 records on SQLite."""
    rows = (
        EnrollmentRecord.objects.filter(**{f"{key}__in": ids})
        .order_by()
        .values(key, "check_result")
        .annotate(
            n=Count("pk"),
            bound=Count("pk", filter=Q(user__isnull=False)),
            looked=Count("pk", filter=Q(first_viewed_at__isnull=False)),
            not_checked=Count("pk", filter=not_checked_q()),
        )
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        each = counts.setdefault(row[key], dict.fromkeys(PROGRESS_COUNTS, 0))
        each["n_students"] += row["n"]
        each["n_bound"] += row["bound"]
        each["n_looked"] += row["looked"]
        each["n_not_checked"] += row["not_checked"]
        if row["check_result"] != CheckResult.NONE:
            each["n_checked"] += row["n"] - row["not_checked"]
        if row["check_result"] == CheckResult.CONFIRMED:
            each["n_confirmed"] += row["n"]
        elif row["check_result"] == CheckResult.REPORTED:
            each["n_reported"] += row["n"]
    return counts


def _with_counts(objects: list, key: str) -> list:
    counts = _counts_by(key, [o.pk for o in objects])
    none = dict.fromkeys(PROGRESS_COUNTS, 0)
    for each in objects:
        for name, value in counts.get(each.pk, none).items():
            setattr(each, name, value)
    return objects


def class_progress(classes: QuerySet[SchoolClass]) -> list[SchoolClass]:
    """The classes, in their order, each with n_students, n_bound, n_looked, n_confirmed
    and n_reported: two queries, whatever the number of students."""
    return _with_counts(list(classes.select_related("college", "major")), "school_class_id")


def college_progress(colleges: QuerySet[College]) -> list[College]:
    """The same counts per college, its 往届毕业生 (graduates known by a 学历 alone, no
    学籍 here: their degree is what they check) counted in: one grouped query more."""
    colleges = _with_counts(list(colleges), "college_id")
    graduates = _graduate_counts([college.pk for college in colleges])
    for college in colleges:
        for name, value in graduates.get(college.pk, {}).items():
            setattr(college, name, getattr(college, name) + value)
    return colleges


def _graduate_counts(ids: list[int]) -> dict[int, dict[str, int]]:
    """{college id: progress counts of its degree-only graduates}, in one grouped query."""
    rows = (
        DegreeRecord.objects.filter(college_id__in=ids, enrollment_record__isnull=True)
        .order_by()
        .values("college_id", "check_result")
        .annotate(
            n=Count("pk"),
            bound=Count("pk", filter=Q(user__isnull=False)),
            looked=Count("pk", filter=Q(first_viewed_at__isnull=False)),
        )
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        each = counts.setdefault(row["college_id"], dict.fromkeys(PROGRESS_COUNTS, 0))
        each["n_students"] += row["n"]
        each["n_bound"] += row["bound"]
        each["n_looked"] += row["looked"]
        if row["check_result"] != CheckResult.NONE:
            each["n_checked"] += row["n"]
        if row["check_result"] == CheckResult.CONFIRMED:
            each["n_confirmed"] += row["n"]
        elif row["check_result"] == CheckResult.REPORTED:
            each["n_reported"] += row["n"]
    return counts


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


# A degree's fields in the order of its certificate, then the numbers and dates beside it.
DEGREE_MAIN_FIELDS = (
    "certificate_number", "name", "sex", "birth_date", "id_type", "id_number", "major_name",
    "level", "category", "study_form", "graduation_kind",
)  # fmt: skip
DEGREE_OTHER_FIELDS = ("school_number", "entry_date", "graduation_date", "student_number")


def degree_field_rows(degree: DegreeRecord) -> dict[str, list[dict]]:
    """Every field of a degree for its holder (her own page: the ID number whole, as on
    her 学籍 page), in the shape of record_field_rows."""

    def value(name):
        found = getattr(degree, name)
        if isinstance(found, datetime.date):
            return date_format(found)
        return rules.DEGREE_RULES[name].display(found)

    def rows(names):
        return [
            {
                "name": name,
                "label": degree._meta.get_field(name).verbose_name,
                "value": value(name),
                "number": name in NUMBER_FIELDS or name.endswith("_number"),
            }
            for name in names
        ]

    return {"main": rows(DEGREE_MAIN_FIELDS), "other": rows(DEGREE_OTHER_FIELDS)}


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
    kind: str = "",
) -> QuerySet[DiscrepancyReport]:
    """The 有误 reports in `user`'s scope that the queue's filters keep, oldest first, with
    what a row shows. `state` "" is every state (全部); `kind` 学籍 or 学历 (SubjectKind, ""
    both); `school_class` a class's code or name, or part of one (class_matches; a degree's
    through its 学籍); `field` a field that one of the report's items names; `older_than`
    days."""
    reports = DiscrepancyReport.objects.visible_to(user).of_kind(kind)
    if state:
        reports = reports.filter(state=state)
    if college:
        reports = reports.in_college(college)  # a degree's own college, or its 学籍's
    if school_class:
        reports = reports.filter(
            class_matches(school_class, prefix="record__school_class__")
            | class_matches(school_class, prefix="degree__enrollment_record__school_class__")
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
        reports.select_related("record__college", "record__school_class", "degree__college")
        # What a row shows, no more: the records' 35 columns cost more than the query.
        .only(
            "created_at",
            "state",
            "record__student_number",
            "record__name",
            "record__college__name",
            "record__school_class__name",
            "degree__certificate_number",
            "degree__student_number",
            "degree__name",
            "degree__college__name",
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
        .select_related("report__record", "report__degree", "report__reviewer")
        .order_by("report__decided_at", "report_id", "pk")
    )


def discrepancy_history(report: DiscrepancyReport) -> QuerySet[DiscrepancyReport]:
    """The other 有误 reports of the same record (or degree), latest first."""
    subject = (
        {"degree_id": report.degree_id} if report.is_of_degree else {"record_id": report.record_id}
    )
    return DiscrepancyReport.objects.filter(**subject).exclude(pk=report.pk).order_by("-created_at")


def record_trail(
    record: EnrollmentRecord | DegreeRecord, *, limit: int = 20
) -> QuerySet[AuditEvent]:
    """The latest changes of the record (the decision page's 变更记录; who looked at it is
    on the audit page)."""
    return AuditEvent.objects.changes_only().filter(
        target_type=record._meta.label, target_id=str(record.pk)
    )[:limit]


def latest_discrepancies(records) -> dict[int, DiscrepancyReport]:
    """Each record's latest 有误 report with its items, by record id."""
    reports = DiscrepancyReport.objects.filter(record__in=records).order_by("created_at")
    latest: dict[int, DiscrepancyReport] = {}
    for report in reports.prefetch_related("items"):
        latest[report.record_id] = report
    return latest


def records_in_scope(user) -> QuerySet[EnrollmentRecord]:
    """The records `user` may see, by 学号, with what a list row shows and their state
    (records_with_state) (查询学籍)."""
    return (
        records_with_state(EnrollmentRecord.objects.visible_to(user))
        .select_related("college", "school_class", "major")
        .order_by("student_number")
    )


def classes_in_scope(user) -> QuerySet[SchoolClass]:
    """The classes `user` may see, in the order of a list (filter them, then count their
    progress with class_progress)."""
    return SchoolClass.objects.visible_to(user).order_by("college__code", "-cohort", "code")


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
    """学历 records with their institution and their check state (is_confirmed,
    has_open_report: records.progress), 学籍信息 lists the student's; `user`: only those
    bound to her."""
    degrees = DegreeRecord.objects.select_related("institution").annotate(**progress.flags())
    return degrees.filter(user=user) if user is not None else degrees


def latest_degree_discrepancy(degree: DegreeRecord) -> DiscrepancyReport | None:
    """The degree's latest 有误 report with its items (her degree page shows it)."""
    reports = DiscrepancyReport.objects.filter(degree=degree).prefetch_related("items")
    return reports.order_by("-created_at", "-pk").first()


# Staff lists' filters (records/filters.py, imaging/filters.py) ----------------------------


def class_matches(value: str, *, prefix: str = "") -> Q:
    """A class named or numbered like `value` (part of its 班级名称 or 班号), as a lookup on
    the class (`prefix` "" ) or through a relation (`prefix` "record__school_class__")."""
    value = value.strip()
    return Q(**{f"{prefix}code__icontains": value}) | Q(**{f"{prefix}name__icontains": value})


def class_suggestions(user) -> list[str]:
    """The names and codes of the classes `user` may see, for a filter's <datalist>. One
    query."""
    suggestions: dict[str, None] = {}
    for name, code in (
        SchoolClass.objects.visible_to(user).order_by("code").values_list("name", "code")
    ):
        suggestions[name] = None
        suggestions[code] = None
    return list(suggestions)


def class_cohorts(user) -> list[int]:
    """The cohorts (年级) of the classes `user` may see, latest first."""
    classes = SchoolClass.objects.visible_to(user).order_by("-cohort")
    return list(classes.values_list("cohort", flat=True).distinct())


class CheckState(TextChoices):
    """Where a record stands in the self-check, as records_with_state annotates it and the
    record_state badge shows it (records/templatetags/records.py), the badge's order."""

    REPORTED = "reported", _("已报有误，待处理")
    CONFIRMED = "confirmed", _("已确认正确")
    LOOKED = "looked", _("已查看，未确认")
    UNVERIFIED = "unverified", _("未查看")
    UNBOUND = "unbound", _("未绑定账号")
    UNREGISTERED = "unregistered", _("学籍未注册")
    NOT_CHECKED = "not_checked", _("无需校对")


def records_in_check_state(
    records: QuerySet[EnrollmentRecord], state: str
) -> QuerySet[EnrollmentRecord]:
    """Those of `records` (annotated by records_with_state) in `state` (CheckState)."""
    # The badge's order (records.templatetags.records.record_state): a report or a
    # confirmation first, then a record that needs no check (records.self_check), then
    # how far the student came.
    decided = Q(has_open_report=True) | Q(is_confirmed=True)
    open_ = ~decided & ~not_checked_q()
    condition = {
        CheckState.REPORTED: Q(has_open_report=True),
        CheckState.CONFIRMED: Q(has_open_report=False, is_confirmed=True),
        CheckState.UNREGISTERED: ~decided & Q(status=RecordStatus.UNREGISTERED),
        CheckState.NOT_CHECKED: ~decided & not_checked_q() & ~Q(status=RecordStatus.UNREGISTERED),
        CheckState.LOOKED: open_ & Q(first_viewed_at__isnull=False),
        CheckState.UNVERIFIED: open_ & Q(first_viewed_at__isnull=True, user__isnull=False),
        CheckState.UNBOUND: open_ & Q(first_viewed_at__isnull=True, user__isnull=True),
    }.get(state)
    return records if condition is None else records.filter(condition)


# 专升本 (seeds 002, 003): 本科 records and their prior 专科 degree --------------------------


class PriorDegreeState(TextChoices):
    """Where a 专升本 student's prior 专科 degree stands (zsb_records), in the order the
    registrar follows it up."""

    NOT_FOUND = "not_found", _("未找到")
    UNBOUND = "unbound", _("未绑定")
    UNCONFIRMED = "unconfirmed", _("未确认")
    REPORTED = "reported", _("有误待处理")
    CONFIRMED = "confirmed", _("已确认")


def _prior_degree_state() -> Case:
    """未找到: no 专科 degree of hers with the roster's number is linked; 未绑定: linked, but
    not bound to her account (she has none yet, or has not opened 学籍信息); then the
    degree's own check result (正确 / 有误 / neither, records.progress)."""
    hers = Q(user__isnull=False, prior_degree__user=F("user"))
    # Positive conditions only: a degree without an account compares as NULL, which a
    # negated condition would not catch; what is not hers falls to the default.
    return Case(
        When(prior_degree__isnull=True, then=Value(PriorDegreeState.NOT_FOUND)),
        When(
            hers & Q(prior_degree__check_result=CheckResult.CONFIRMED),
            then=Value(PriorDegreeState.CONFIRMED),
        ),
        When(
            hers & Q(prior_degree__check_result=CheckResult.REPORTED),
            then=Value(PriorDegreeState.REPORTED),
        ),
        When(hers, then=Value(PriorDegreeState.UNCONFIRMED)),
        default=Value(PriorDegreeState.UNBOUND),
        output_field=CharField(),
    )


def zsb_records(user) -> QuerySet[EnrollmentRecord]:
    """专升本 students in `user`'s scope: 本科 records that name a prior 专科 degree (the
    roster's 专科毕业证书编号) or have one linked, each with `prior_state`
    (PriorDegreeState), by college, class and 学号. One query a page, whatever its size."""
    return (
        EnrollmentRecord.objects.visible_to(user)
        .filter(level=Level.BACHELOR)
        .filter(Q(prior_degree__isnull=False) | ~Q(prior_certificate_number=""))
        .annotate(prior_state=_prior_degree_state())
        .select_related("college", "school_class", "prior_degree__institution")
        .order_by("college__code", "school_class__code", "student_number")
    )


def prior_certificate(record: EnrollmentRecord) -> str:
    """The 专科 certificate number a 专升本 list shows: the linked degree's, else the
    roster's as given."""
    if record.prior_degree is not None:
        return record.prior_degree.certificate_number
    return record.prior_certificate_number or "—"
