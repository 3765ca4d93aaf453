"""Reads for notices: who a notice is for, and how far each class and college has got.

Every count is one grouped query over the records in the user's scope
(`EnrollmentRecord.objects.visible_to`), so a page costs the same number of queries for
one class or a hundred (docs/quality.md: performance).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import timedelta
from types import SimpleNamespace

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear, Greatest, TruncDate
from django.utils import timezone

from accounts.access import audit_events_for
from accounts.models import AccountState, User
from imaging.models import PhotoVerification
from notices import done
from notices.models import FeedbackSheet, Notice, NoticeAudience, NoticeTask, Reminder
from portal.lib.models import AuditEvent
from records import progress
from records.models import (
    CheckResult,
    College,
    DegreeRecord,
    DiscrepancyReport,
    EnrollmentRecord,
    RecordConfirmation,
    ReportState,
    SchoolClass,
)

# Lists ----------------------------------------------------------------------------------


def published_notices() -> QuerySet[Notice]:
    """The published notices, newest first, with their institution: the public list and
    the home page."""
    return Notice.objects.published().select_related("institution")


def notices_managed_by(user, *, state: str = "") -> QuerySet[Notice]:
    """The notices this registrar writes, last changed first; `state` (a NoticeState)
    narrows them."""
    notices = Notice.objects.managed_by(user).select_related("institution")
    if state:
        notices = notices.filter(state=state)
    return notices.order_by("-updated_at", "-pk")


def sheets_of_monitor(user) -> QuerySet[FeedbackSheet]:
    """Every 反馈表 of a published notice for the classes whose 班长 the user is, newest
    notice first: her home page links each one."""
    return (
        FeedbackSheet.objects.filter(
            school_class__monitor=user, notice__in=Notice.objects.published()
        )
        .select_related("notice", "school_class")
        .order_by("-notice__published_at", "-notice_id", "school_class__code")
    )


# A notice stays on staff home pages this long after its window closes: its sheets may
# still be owed, and the counselor and the college see them 逾期.
RECENT_AFTER_DEADLINE = timedelta(days=30)


def notices_in_progress(user) -> QuerySet[Notice]:
    """Published notices with a task that `user` follows (Notice.objects.followed_by),
    still open or closed within RECENT_AFTER_DEADLINE, soonest deadline first: the tasks
    of a staff home page."""
    now = timezone.now()
    return (
        Notice.objects.followed_by(user)
        .published()
        .filter(Q(window_end__isnull=True) | Q(window_end__gte=now - RECENT_AFTER_DEADLINE))
        # The open ones first, then those closed lately; each by its deadline.
        .alias(closed=Case(When(window_end__lt=now, then=Value(1)), default=Value(0)))
        .order_by("closed", F("window_end").asc(nulls_last=True), "-published_at", "-pk")
    )


def notices_for_scope(user, notices: QuerySet[Notice]) -> list[Notice]:
    """Those of `notices` whose audience includes a record in `user`'s scope (a counselor's
    classes, a college), in their order: two queries, whatever the number of notices. The
    scope's records are read as the few distinct combinations the audience rules look at
    (AUDIENCE_FIELDS), matched in Python (notice_is_for)."""
    year = ExtractYear("expected_graduation")
    rows = (
        EnrollmentRecord.objects.visible_to(user)
        .order_by()
        .values("institution_id", "college_id", "admission_year", "level", year=year)
        .distinct()
    )
    facets = [
        SimpleNamespace(
            institution_id=row["institution_id"],
            college_id=row["college_id"],
            admission_year=row["admission_year"],
            level=row["level"],
            expected_graduation=datetime.date(row["year"], 1, 1),
        )
        for row in rows
    ]
    notices = list(notices.prefetch_related("audience"))
    return [n for n in notices if any(notice_is_for(n, facet) for facet in facets)]


def notice_history(user, notice: Notice, *, limit: int = 100) -> list[AuditEvent]:
    """What was done to one notice (not who looked), as far as this user may read it,
    newest first."""
    events = (
        audit_events_for(user)
        .changes_only()
        .filter(target_type=Notice._meta.label, target_id=str(notice.pk))
    )
    return list(events.select_related("actor")[:limit])


# The audience --------------------------------------------------------------------------


# What each audience rule's field is of a record, and of a degree (its college, the year
# it began and ended, its 层次).
RECORD_AUDIENCE = {
    "college_id": "college_id",
    "cohort": "admission_year",
    "graduation_year": "expected_graduation__year",
    "level": "level",
}
DEGREE_AUDIENCE = {
    "college_id": "college_id",
    "cohort": "entry_date__year",
    "graduation_year": "graduation_date__year",
    "level": "level",
}


def audience_q(notice: Notice, lookups: dict[str, str] = RECORD_AUDIENCE) -> Q:
    """Records (or, with DEGREE_AUDIENCE, degrees) the notice is for: its institution, and
    any one audience rule whose every filled field matches (no rule: the whole
    institution)."""
    scope = Q(institution_id=notice.institution_id)
    rules = list(notice.audience.all())
    if not rules:
        return scope
    any_rule = Q(pk__in=[])
    for rule in rules:
        condition = Q()
        for name, lookup in lookups.items():
            if value := getattr(rule, name):
                condition &= Q(**{lookup: value})
        any_rule |= condition
    return scope & any_rule


# What rule_matches reads of a record.
AUDIENCE_FIELDS = ("institution_id", "college_id", "admission_year", "expected_graduation", "level")


def rule_matches(rule: NoticeAudience, record: EnrollmentRecord) -> bool:
    """The same test as audience_q, in Python, for records already loaded."""
    return (
        (not rule.college_id or rule.college_id == record.college_id)
        and (not rule.cohort or rule.cohort == record.admission_year)
        and (not rule.graduation_year or rule.graduation_year == record.expected_graduation.year)
        and (not rule.level or rule.level == record.level)
    )


def _rules_of(notice: Notice) -> list[NoticeAudience]:
    """The notice's audience rules: as notices_for_records read them with the notice, or
    its `audience` (prefetch it for a list)."""
    rules = getattr(notice, "audience_rules", None)
    return list(notice.audience.all()) if rules is None else rules


def notice_is_for(notice: Notice, record: EnrollmentRecord) -> bool:
    if record.institution_id != notice.institution_id:
        return False
    rules = _rules_of(notice)
    return not rules or any(rule_matches(rule, record) for rule in rules)


# What a rule says, read with its notice in notices_for_records.
_RULE_FIELDS = ("id", "college_id", "cohort", "graduation_year", "level")


def notices_for_records(records: Iterable[EnrollmentRecord]) -> list[Notice]:
    """Published notices whose audience includes one of these records (a student's own),
    in the notice list's order (newest issue date first), each with its audience rules
    (`audience_rules`, which notice_is_for reads). One query, built afresh each call:
    the notices of the records' institutions joined with their rules, a row per rule,
    matched in Python (rule_matches)."""
    records = list(records)
    notices = Notice.objects.published().filter(
        institution_id__in={r.institution_id for r in records}
    )
    return [n for n in _with_rules(notices) if any(notice_is_for(n, r) for r in records)]


def started_required_notices(user, *, now: datetime.datetime | None = None) -> QuerySet[Notice]:
    """The published notices with a required task (必须完成) whose window has started, of
    the institutions of the student's records (usually none)."""
    now = now or timezone.now()
    # order_by(): the records' default ordering would join every institution to sort a
    # subquery that IN does not need sorted.
    institutions = EnrollmentRecord.objects.filter(user=user).order_by().values("institution_id")
    return (
        Notice.objects.published()
        .filter(is_required=True, institution_id__in=Subquery(institutions))
        .exclude(task=NoticeTask.NONE)
        .filter(Q(window_start__isnull=True) | Q(window_start__lte=now))
    )


def required_notices_of(user, *, now: datetime.datetime | None = None) -> list[Notice]:
    """started_required_notices, each with its audience rules: one query when there is
    none (the usual answer: notices.hold reads it on every page of a student), two when
    there are."""
    # Their keys first: the plain query costs half the one with the rules, and the answer
    # is usually none, on every page a student opens (the bar, notices.hold).
    found = list(started_required_notices(user, now=now).values_list("pk", flat=True))
    if not found:
        return []
    return _with_rules(Notice.objects.filter(pk__in=found))


def _with_rules(notices: QuerySet[Notice]) -> list[Notice]:
    """`notices` with their audience rules in the same query (a row per rule)."""
    rows = (
        notices.defer("body", "contacts", "drafted_by", "signed_by")
        .annotate(**{f"rule_{name}": F(f"audience__{name}") for name in _RULE_FIELDS})
        .order_by("-issue_date", "-pk", "audience__id")
    )
    found: dict[int, Notice] = {}
    for row in rows:
        notice = found.setdefault(row.pk, row)
        if notice is row:
            notice.audience_rules = []
        if row.rule_id is not None:
            rule = NoticeAudience(
                notice=notice, **{n: getattr(row, f"rule_{n}") for n in _RULE_FIELDS}
            )
            notice.audience_rules.append(rule)
    return list(found.values())


def notice_rank(notice: Notice) -> tuple:
    """Which of two started notices is the latest: one with a start after one without,
    the later start, then the later created."""
    start = notice.window_start
    return (start is not None, start.timestamp() if start else 0.0, notice.pk)


def current_notices(records: Iterable[EnrollmentRecord], tasks: Iterable[str]) -> dict[int, Notice]:
    """For each of these records, the latest started notice for it that asks one of
    `tasks`: the one a confirmation or report of it is made under (records without one
    left out). One query (notices_for_records), whatever the number of records."""
    records = list(records)
    now = timezone.now()
    tasks = set(tasks)
    started = [
        notice
        for notice in notices_for_records(records)
        if notice.task in tasks and (notice.window_start is None or notice.window_start <= now)
    ]
    found = {}
    for record in records:
        own = [notice for notice in started if notice_is_for(notice, record)]
        if own:
            found[record.pk] = max(own, key=notice_rank)
    return found


def audience_records(notice: Notice, user=None) -> QuerySet[EnrollmentRecord]:
    """The notice's records, within the user's scope when a user is given."""
    records = EnrollmentRecord.objects.all() if user is None else _scoped_records(user)
    return records.filter(audience_q(notice))


def _scoped_records(user) -> QuerySet[EnrollmentRecord]:
    return EnrollmentRecord.objects.visible_to(user)


def records_in_scope(
    user, *, college_id: int | None = None, school_class: SchoolClass | None = None
) -> QuerySet[EnrollmentRecord]:
    """The user's records, narrowed to a college and/or a class (both already checked
    against her scope: notices.access.class_for_scope, ScopeForm)."""
    records = _scoped_records(user)
    if college_id:
        records = records.filter(college_id=college_id)
    if school_class is not None:
        records = records.filter(school_class=school_class)
    return records


# What each student has done -------------------------------------------------------------


def _has_account() -> Exists:
    """An active account holds the record's (or degree's) ID number."""
    return Exists(
        User.objects.filter(
            id_type=OuterRef("id_type"),
            id_number=OuterRef("id_number"),
            state=AccountState.ACTIVE,
        )
    )


def _flags() -> dict:
    return {
        "has_account": _has_account(),
        # is_confirmed, has_open_report, has_photo, photos_pending, photo_disputed,
        # photo_dispute_open: what notices.done decides "done" from.
        **done.flags(),
    }


def _conditions(notice: Notice) -> dict[str, Q]:
    """Each count of the progress table as a condition on a record; "done" is
    notices.done's."""
    flags = _flags()
    return {
        "n_registered": Q(user__isnull=False) | Q(flags["has_account"]),
        "n_bound": Q(user__isnull=False),
        "n_looked": Q(first_viewed_at__isnull=False),
        "n_confirmed": progress.confirmed(),
        "n_reported": progress.reported(),
        "n_photo_done": done.photos_done_q(),
        "n_photo_disputed": Q(flags["photo_disputed"]),
        "n_no_photo": ~Q(flags["has_photo"]),
        "n_done": done.task_done_q(notice),
    }


def pending_records(
    notice: Notice, records: QuerySet[EnrollmentRecord]
) -> QuerySet[EnrollmentRecord]:
    """The notice's records among `records` whose student has not done the task."""
    return records.filter(audience_q(notice)).exclude(_conditions(notice)["n_done"])


def with_task_flags(records: QuerySet[EnrollmentRecord]) -> QuerySet[EnrollmentRecord]:
    """Annotate has_account, is_confirmed, has_open_report, has_photo, photos_pending,
    photo_disputed, photo_dispute_open on each record."""
    return records.annotate(**_flags())


def record_is_done(notice: Notice, record: EnrollmentRecord) -> bool:
    """The Python twin of _conditions()["n_done"], for annotated records (notices.done)."""
    return done.task_done(notice, record)


# Progress counts ------------------------------------------------------------------------


@dataclass
class Counts:
    n_students: int = 0
    n_registered: int = 0
    n_bound: int = 0
    n_looked: int = 0
    n_confirmed: int = 0
    n_reported: int = 0
    n_photo_done: int = 0
    n_photo_disputed: int = 0
    n_no_photo: int = 0
    n_done: int = 0

    @property
    def n_pending(self) -> int:
        return self.n_students - self.n_done

    @property
    def percent_done(self) -> int:
        return round(self.n_done * 100 / self.n_students) if self.n_students else 0

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def counts_by(notice: Notice, records: QuerySet[EnrollmentRecord], key: str) -> dict[int, Counts]:
    """{class or college id: Counts} for the notice's records among `records`."""
    aggregates = {
        name: Count("pk", filter=condition) for name, condition in _conditions(notice).items()
    }
    rows = (
        records.filter(audience_q(notice))
        .order_by()
        .values(key)
        .annotate(n_students=Count("pk"), **aggregates)
    )
    return {row.pop(key): Counts(**row) for row in rows if row[key] is not None}


@dataclass
class ClassProgress:
    school_class: SchoolClass
    counts: Counts
    sheet: FeedbackSheet | None


@dataclass
class CollegeProgress:
    college: College
    counts: Counts
    n_classes: int = 0
    n_handed_in: int = 0


def class_progress(notice: Notice, user, college_id: int | None = None) -> list[ClassProgress]:
    """Per class in the user's scope, in class order, with its feedback sheet."""
    records = _scoped_records(user)
    if college_id:
        records = records.filter(college_id=college_id)
    counts = counts_by(notice, records, "school_class_id")
    classes = (
        SchoolClass.objects.visible_to(user)
        .filter(pk__in=list(counts))
        .select_related("college")
        .order_by("college__code", "cohort", "code")
    )
    sheets = {s.school_class_id: s for s in FeedbackSheet.objects.filter(notice=notice)}
    for sheet in sheets.values():
        sheet.notice = notice  # is_late() reads the deadline without another query
    return [ClassProgress(c, counts[c.pk], sheets.get(c.pk)) for c in classes]


@dataclass
class GraduateProgress:
    """往届毕业生: the graduates of one college and major whose 学历 has no 学籍 here."""

    college_id: int
    college_name: str
    major_name: str
    counts: Counts


def graduate_progress(notice: Notice, user) -> list[GraduateProgress]:
    """Per college and major in the user's scope, the notice's graduates known by a 学历
    alone (no 学籍 here): their self-check is the degree's (正确 / 有误; no photo of
    theirs is kept here). One grouped query; none for a notice that asks no record check."""
    if not notice.asks_record_check:
        return []
    degrees = DegreeRecord.objects.visible_to(user).filter(
        audience_q(notice, DEGREE_AUDIENCE), enrollment_record__isnull=True, college__isnull=False
    )
    checked = Q(check_result__in=(CheckResult.CONFIRMED, CheckResult.REPORTED))
    rows = (
        degrees.alias(has_account=_has_account())
        .order_by()
        .values("college_id", "college__name", "college__code", "major_name")
        .annotate(
            n_students=Count("pk"),
            n_registered=Count("pk", filter=Q(user__isnull=False) | Q(has_account=True)),
            n_bound=Count("pk", filter=Q(user__isnull=False)),
            n_looked=Count("pk", filter=Q(first_viewed_at__isnull=False)),
            n_confirmed=Count("pk", filter=Q(check_result=CheckResult.CONFIRMED)),
            n_reported=Count("pk", filter=Q(check_result=CheckResult.REPORTED)),
            n_done=Count("pk", filter=checked),
        )
        .order_by("college__code", "major_name")
    )
    found = []
    for row in rows:
        college, name = row.pop("college_id"), row.pop("college__name")
        row.pop("college__code")
        major = row.pop("major_name")
        found.append(GraduateProgress(college, name, major, Counts(**row)))
    return found


def college_progress(
    notice: Notice, user, graduates: list[GraduateProgress] | None = None
) -> list[CollegeProgress]:
    """Per college in the user's scope, with how many classes handed in their sheet; with
    `graduates` (graduate_progress), each college's 往届毕业生 counted in too."""
    counts = counts_by(notice, _scoped_records(user), "college_id")
    for row in graduates or []:
        counts.setdefault(row.college_id, Counts()).add(row.counts)
    colleges = College.objects.visible_to(user).filter(pk__in=list(counts)).order_by("code")
    sheets = (
        FeedbackSheet.objects.filter(notice=notice, school_class__college_id__in=list(counts))
        .values("school_class__college_id")
        .annotate(
            n=Count("pk", distinct=True),
            handed_in=Count("pk", filter=Q(leader_signed_at__isnull=False), distinct=True),
        )
        .order_by()
    )
    by_college = {row["school_class__college_id"]: row for row in sheets}
    return [
        CollegeProgress(
            college,
            counts[college.pk],
            by_college.get(college.pk, {}).get("n", 0),
            by_college.get(college.pk, {}).get("handed_in", 0),
        )
        for college in colleges
    ]


def done_by_day(notice: Notice, user) -> dict[datetime.date, int]:
    """{local (Asia/Shanghai) day: students in `user`'s scope who are 已完成 now and finished
    that day}, in one grouped query. A student finished when her last step was done: the
    record confirmed or reported (a record not to be checked: from the start), the current
    photo checked; a step with no time counts from the notice's start."""
    start = Value(notice.window_start, output_field=DateTimeField())
    steps = []
    if notice.asks_record_check:
        confirmed = RecordConfirmation.objects.filter(
            record=OuterRef("pk"), revoked_at__isnull=True
        ).order_by("-confirmed_at")
        reported = DiscrepancyReport.objects.filter(
            record=OuterRef("pk"), state=ReportState.SUBMITTED
        ).order_by("-created_at")
        steps.append(
            Coalesce(
                Subquery(confirmed.values("confirmed_at")[:1]),
                Subquery(reported.values("created_at")[:1]),
                start,
            )
        )
    if notice.asks_photo_check:
        checked = PhotoVerification.objects.filter(
            photo__record=OuterRef("pk"), photo__is_current=True
        ).order_by("-created_at")
        steps.append(Coalesce(Subquery(checked.values("created_at")[:1]), start))
    finished = steps[0] if len(steps) == 1 else Greatest(*steps)
    rows = (
        _scoped_records(user)
        .filter(audience_q(notice))
        .filter(_conditions(notice)["n_done"])
        .annotate(day=TruncDate(finished, tzinfo=timezone.get_default_timezone()))
        .order_by()
        .values("day")
        .annotate(n=Count("pk"))
    )
    return {row["day"]: row["n"] for row in rows if row["day"] is not None}


def total(rows) -> Counts:
    summed = Counts()
    for row in rows:
        summed.add(row.counts)
    return summed


# Reminders --------------------------------------------------------------------------------

FAILURES_LISTED = 200


@dataclass
class ReminderDelivery:
    """How the reminders of one job fared: sent (a message reached the student), failed
    (every message to her failed after its retries), waiting (queued or being retried),
    and who failed, with why."""

    sent: int = 0
    failed: int = 0
    waiting: int = 0
    failures: list[SimpleNamespace] = field(default_factory=list)


def reminder_delivery(job) -> ReminderDelivery:
    """Two queries: the counts, then the failures (at most FAILURES_LISTED)."""
    reminders = Reminder.objects.filter(job=job).with_delivery()
    counts = dict(reminders.order_by().values_list("delivery").annotate(n=Count("pk")))
    failed = (
        reminders.filter(delivery="failed")
        .select_related("record__school_class")
        .prefetch_related("messages")
        .order_by("record__school_class__code", "record__student_number")[:FAILURES_LISTED]
    )
    return ReminderDelivery(
        sent=counts.get("sent", 0),
        failed=counts.get("failed", 0),
        waiting=counts.get("waiting", 0),
        failures=[
            SimpleNamespace(
                student_number=r.record.student_number,
                name=r.record.name,
                school_class=r.record.school_class,
                reason="；".join(
                    f"{m.get_channel_display()}：{m.last_error}" for m in r.messages.all()
                ),
            )
            for r in failed
        ],
    )
