"""The reads of 我的学籍记录 (records.history). Each function makes a fixed number of
queries whatever the number of events, and reads at most its `limit` of them, newest
first; `more` says when older ones were left out."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from portal.lib import audit_labels
from portal.lib.models import AuditEvent
from portal.lib.throttle import mask_ip
from records.models import (
    CheckResult,
    DegreeRecord,
    DiscrepancyReport,
    EnrollmentRecord,
    OnlineReport,
    RecordConfirmation,
    ReportState,
)

RECORD = "records.EnrollmentRecord"
REPORT = "records.DiscrepancyReport"
DEGREE = "records.DegreeRecord"
ONLINE_REPORT = "records.OnlineReport"
CORRECTED, EDITED, IMPORTED = "records.corrected", "records.edited", "records.imported"
REPORTED = "records.reported"
DEGREE_CORRECTED, DEGREE_REPORTED = "records.degree_corrected", "records.degree_reported"
REPORT_VIEWED = "records.online_report_viewed"
# The changes made to a record by someone else than its student: what 学籍信息 says when
# her check is open again (staff_change_notes).
OTHERS_CHANGES = (CORRECTED, EDITED, IMPORTED)
ACTOR = ("actor__college", "actor__institution")

CHANGES_LIMIT = 100
ACCESS_LIMIT = 500
VIEWINGS_LIMIT = 100


def actor_words(event: AuditEvent, *, student) -> str:
    """Who did it, as the student reads it: her (本人), or a role and its office
    (学籍管理员（教务处学籍科）, 辅导员（理工学院）), never a staff member's name (the
    office answers for its staff); a roster import is 系统导入."""
    actor = event.actor
    if event.action == IMPORTED:
        return _("系统导入")
    if actor is None:
        # No account: the system itself, or a staff account removed since.
        return _("系统") if event.actor_label in ("", "系统") else _("学校工作人员")
    if actor.pk == student.pk:
        return _("本人")
    return _office(actor)


def _office(actor) -> str:
    role = actor.role
    if actor.is_superuser or role == Role.ADMIN:
        return _("系统管理员")
    if role == Role.REGISTRAR:
        return _("学籍管理员（%(office)s）") % {"office": _registrar_office(actor)}
    if role in (Role.COLLEGE, Role.COUNSELOR):
        title = _("学院工作人员") if role == Role.COLLEGE else _("辅导员")
        where = actor.college.name if actor.college_id else ""
        return _("%(title)s（%(where)s）") % {"title": title, "where": where} if where else title
    if role == Role.IDENTITY_REVIEWER:
        return _("客服（身份核验）")
    # A student reaches another student's data only as her class's monitor (the sheet).
    return _("班长")


def _registrar_office(actor) -> str:
    """The office's name as the institution gives it (教务处学籍科，办公楼一楼 → its name
    before the address), else the role's (教务处学籍科)."""
    office = actor.institution.registrar_office if actor.institution_id else ""
    name = office.replace(",", "，").split("，")[0].strip()
    return name or str(Role.REGISTRAR.label)


def _str_ids(queryset: QuerySet) -> QuerySet:
    """The queryset's primary keys as text, to compare with AuditEvent.target_id."""
    return queryset.annotate(target=Cast("pk", CharField())).values("target")


# (a) Changes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    at: datetime.datetime
    who: str
    what: str  # the action in words
    lines: list[audit_labels.ChangeLine]
    reason: str = ""
    explanation: str = ""  # her 有误 report's 情况说明, when the change answers it


def record_changes(user, *, limit: int = CHANGES_LIMIT) -> tuple[list[Change], bool]:
    """Every change to her records (学籍 and 学历) and to her 有误 reports, newest first:
    two queries. Returns (changes, more)."""
    about = (
        Q(target_type=RECORD, target_id__in=_str_ids(EnrollmentRecord.objects.filter(user=user)))
        | Q(target_type=DEGREE, target_id__in=_str_ids(DegreeRecord.objects.filter(user=user)))
        | Q(target_type=REPORT, target_id__in=_str_ids(_reports_of(user)))
    )
    events = list(
        AuditEvent.objects.changes_only()
        .filter(about)
        .select_related(*ACTOR)
        .order_by("-created_at", "-pk")[: limit + 1]
    )
    reports = list(
        _reports_of(user).only("pk", "record_id", "degree_id", "state", "decided_at", "explanation")
    )
    changes = [_change(event, user, reports) for event in events[:limit]]
    return changes, len(events) > limit


def _reports_of(user):
    """Her 有误 reports, of her 学籍 and of her 学历."""
    return DiscrepancyReport.objects.filter(Q(record__user=user) | Q(degree__user=user))


def _change(event: AuditEvent, user, reports: list[DiscrepancyReport]) -> Change:
    report = _report_of(event, reports)
    return Change(
        at=event.created_at,
        who=actor_words(event, student=user),
        what=audit_labels.action_label(event.action),
        lines=_lines(event),
        reason=event.reason,
        explanation=report.explanation if report is not None else "",
    )


def _lines(event: AuditEvent) -> list[audit_labels.ChangeLine]:
    # A 有误 report's changes name the record's (or the degree's) fields ([current,
    # claimed]): read them by its labels.
    if event.target_type == REPORT:
        of = DEGREE if event.action == DEGREE_REPORTED else RECORD
        return audit_labels.change_lines(SimpleNamespace(target_type=of, changes=event.changes))
    return audit_labels.change_lines(event)


def _report_of(event: AuditEvent, reports: list[DiscrepancyReport]) -> DiscrepancyReport | None:
    """The 有误 report an event is about: the reported one itself, or the one a correction
    accepted — the record's latest accepted report decided by the time of the event (the
    decision and its event are written in one transaction, records.services.corrections)."""
    if event.action in (REPORTED, DEGREE_REPORTED):
        return next((r for r in reports if str(r.pk) == event.target_id), None)
    if event.action not in (CORRECTED, DEGREE_CORRECTED):
        return None
    subject = "degree_id" if event.action == DEGREE_CORRECTED else "record_id"
    accepted = [
        (report.decided_at, report)
        for report in reports
        if str(getattr(report, subject)) == event.target_id
        and report.state == ReportState.ACCEPTED
        and report.decided_at is not None
        and report.decided_at <= event.created_at
    ]
    return max(accepted, key=lambda pair: pair[0], default=(None, None))[1]


# (b) Staff looking at or exporting her data --------------------------------------------


@dataclass
class AccessLine:
    who: str
    what: str
    count: int = 1


@dataclass
class AccessDay:
    day: datetime.date
    lines: list[AccessLine] = field(default_factory=list)


def record_access(user, *, limit: int = ACCESS_LIMIT) -> tuple[list[AccessDay], bool]:
    """Every look at or export of her data by someone else (the PIPL trail of
    portal.lib.audit.log_access), per local day, newest first: who (office and role) and
    what, counted. One query. Returns (days, more)."""
    events = list(
        AuditEvent.objects.filter(is_access=True)
        .concerning(user=user)
        .exclude(actor=user)
        .select_related(*ACTOR)
        .order_by("-created_at", "-pk")[: limit + 1]
    )
    days: list[AccessDay] = []
    lines: dict[tuple[datetime.date, str, str], AccessLine] = {}
    for event in events[:limit]:
        day = timezone.localdate(event.created_at)
        if not days or days[-1].day != day:
            days.append(AccessDay(day))
        key = (day, actor_words(event, student=user), audit_labels.action_label(event.action))
        if key in lines:
            lines[key].count += 1
        else:
            lines[key] = AccessLine(key[1], key[2])
            days[-1].lines.append(lines[key])
    return days, len(events) > limit


# (c) Viewings of her online verification reports ----------------------------------------


@dataclass(frozen=True)
class Viewing:
    at: datetime.datetime
    address: str  # masked: 203.0.113.*
    report: Any = None


def report_viewings(
    reports: QuerySet[OnlineReport], *, limit: int = VIEWINGS_LIMIT
) -> tuple[list[Viewing], bool]:
    """Every viewing of these reports (records.online_reports.services.report_lookup),
    newest first, with the address masked and the report viewed: two queries. Who viewed
    is not said (a verifier needs no account). Returns (viewings, more)."""
    events = list(
        AuditEvent.objects.filter(
            action=REPORT_VIEWED, target_type=ONLINE_REPORT, target_id__in=_str_ids(reports)
        )
        .order_by("-created_at", "-pk")
        .values_list("created_at", "ip_address", "target_id")[: limit + 1]
    )
    ids = {int(target) for _at, _ip, target in events[:limit]}
    by_id = {str(report.pk): report for report in OnlineReport.objects.filter(pk__in=ids)}
    viewings = [
        Viewing(at=at, address=mask_ip(ip), report=by_id.get(target))
        for at, ip, target in events[:limit]
    ]
    return viewings, len(events) > limit


# 学籍信息: what changed since she last confirmed -----------------------------------------


@dataclass(frozen=True)
class ChangeNote:
    who: str
    at: datetime.datetime
    verb: str
    fields: str


def with_last_change(records: QuerySet[EnrollmentRecord]) -> QuerySet[EnrollmentRecord]:
    """Annotate each record with last_change_id, the latest change someone else made to
    it (OTHERS_CHANGES), and last_confirmation_id, her latest 正确 (standing or revoked):
    in the query that lists the records, so that 学籍信息 costs a query more only when it
    has something to tell (changes_since_confirmed)."""
    latest = AuditEvent.objects.filter(
        target_type=RECORD,
        target_id=Cast(OuterRef("pk"), CharField()),
        action__in=OTHERS_CHANGES,
    ).order_by("-created_at", "-pk")
    confirmed = RecordConfirmation.objects.filter(record=OuterRef("pk")).order_by(
        "-confirmed_at", "-pk"
    )
    return records.annotate(
        last_change_id=Subquery(latest.values("pk")[:1]),
        last_confirmation_id=Subquery(confirmed.values("pk")[:1]),
    )


@dataclass(frozen=True)
class RecordChanges:
    """Why a record's check is open again: her 正确 was revoked (`revoked`: when and why,
    e.g. a re-import changed a confirmed field), and/or someone else changed it since her
    last 正确 (`note`: who changed what, when)."""

    revoked: RecordConfirmation | None
    note: ChangeNote | None


def changes_since_confirmed(
    records: list[EnrollmentRecord], *, student
) -> dict[int, RecordChanges]:
    """For each of her records (annotated by with_last_change) whose check is open — not
    confirmed, no open 有误 report — with a revoked 正确 or a change by someone else since
    her last 正确: {record pk: RecordChanges}. A re-import that revoked her 正确 is told by
    the revocation's own reason (templates/records/_record_changes.html). No query for a
    record she never confirmed and no one changed (the deadline's usual student); one for
    her revoked 正确, one for the changes."""
    open_ = [record for record in records if record.check_result == CheckResult.NONE]
    # Her latest 正确 of an open record stands no more: a correction or re-import revoked it.
    latest = {
        record.last_confirmation_id: record.pk
        for record in open_
        if getattr(record, "last_confirmation_id", None) is not None
    }
    revoked = {
        latest[confirmation.pk]: confirmation
        for confirmation in (RecordConfirmation.objects.filter(pk__in=latest) if latest else [])
        if confirmation.revoked_at is not None
    }
    notes = _change_notes(open_, revoked, student=student)
    return {
        pk: RecordChanges(revoked=revoked.get(pk), note=notes.get(pk))
        for pk in revoked.keys() | notes.keys()
    }


def _change_notes(
    records: list[EnrollmentRecord], revoked: dict[int, RecordConfirmation], *, student
) -> dict[int, ChangeNote]:
    wanted = {
        record.last_change_id: record
        for record in records
        if getattr(record, "last_change_id", None) is not None
    }
    if not wanted:
        return {}
    notes = {}
    for event in AuditEvent.objects.filter(pk__in=wanted).select_related(*ACTOR):
        record = wanted[event.pk]
        confirmation = revoked.get(record.pk)
        if confirmation is not None and event.created_at <= confirmation.confirmed_at:
            continue  # she confirmed the record as changed (and withdrew it since)
        if event.action == IMPORTED and confirmation is not None:
            continue  # the import's revocation says it already, values and all
        notes[record.pk] = _note(event, student)
    return notes


def _note(event: AuditEvent, student) -> ChangeNote:
    verbs = {CORRECTED: _("更正了"), EDITED: _("修改了"), IMPORTED: _("导入名单时更新了")}
    who = _("学校") if event.action == IMPORTED else actor_words(event, student=student)
    fields = "、".join(line.label for line in audit_labels.change_lines(event))
    return ChangeNote(who=who, at=event.created_at, verb=verbs[event.action], fields=fields)
