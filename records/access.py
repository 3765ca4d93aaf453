"""The only way a view of records/ fetches an object: through the user's scope.

Outside it the answer is 404, never 403, so that no one learns what exists (the role
guards of accounts/decorators.py answer 403 to a role that has no business on a page).
Staff opening a person's full record or a student's evidence is itself audited
(docs/security.md, PIPL).
"""

from django.shortcuts import get_object_or_404

from accounts.models import Role
from portal.lib.audit import StudentRef, log_access
from records import progress
from records.models import (
    DegreeRecord,
    DiscrepancyEvidence,
    DiscrepancyReport,
    EnrollmentRecord,
    OnlineReport,
    SchoolClass,
)
from records.online_reports.services import RELATED as ONLINE_REPORT_RELATED
from records.selectors import records_with_state


def record_for_read(request, pk: int) -> EnrollmentRecord:
    """The record with its state (records_with_state), for its badge."""
    records = records_with_state(EnrollmentRecord.objects.visible_to(request.user).with_related())
    record = get_object_or_404(records, pk=pk)
    if record.user_id != request.user.pk:
        log_access(request.user, "records.viewed", record, students=[record], request=request)
    return record


def record_for_student(
    request, pk: int, *, related: tuple[str, ...] | None = None
) -> EnrollmentRecord:
    """One of the student's own records (bound to her account): 正确, 有误 and the online
    verification reports act on no one else's. With all its reference tables, or only the
    `related` ones a page needs (every join costs PostgreSQL's planner, on every 正确 of
    the deadline)."""
    records = EnrollmentRecord.objects.visible_to(request.user).filter(user=request.user)
    records = (
        records.with_related(user=False) if related is None else records.select_related(*related)
    )
    record = get_object_or_404(records, pk=pk)
    record.user = request.user  # hers: not joined again
    return record


def degree_for_student(request, pk: int) -> DegreeRecord:
    """One of the graduate's own degrees (bound to her account), with its check state:
    her 学历信息 page, 正确, 有误 and 学历证书电子注册备案表 act on no one else's."""
    degrees = DegreeRecord.objects.visible_to(request.user).filter(user=request.user)
    degrees = degrees.select_related("institution").annotate(**progress.flags())
    return get_object_or_404(degrees, pk=pk)


def record_for_edit(request, pk: int) -> EnrollmentRecord:
    """A record in the registrar's scope, for her direct correction. The page that shows
    it whole audits the look itself (records.edit_viewed), not a refused POST."""
    records = EnrollmentRecord.objects.visible_to(request.user).with_related()
    return get_object_or_404(records, pk=pk)


def can_edit_records(user) -> bool:
    """Whether the record page offers 直接修改学籍: the roles that pass record_edit's guard."""
    return user.role == Role.REGISTRAR or user.is_admin


def class_for_read(request, pk: int) -> SchoolClass:
    queryset = SchoolClass.objects.visible_to(request.user).select_related("college", "major")
    return get_object_or_404(queryset, pk=pk)


def discrepancy_for_owner(request, pk: int) -> DiscrepancyReport:
    """A 有误 report the student sent herself (to withdraw it)."""
    return get_object_or_404(DiscrepancyReport, pk=pk, user=request.user)


def discrepancy_for_review(request, pk: int) -> DiscrepancyReport:
    """A 有误 report in the registrar's scope, with what its decision page shows."""
    reports = DiscrepancyReport.objects.visible_to(request.user).select_related(
        "record",
        "record__institution",
        "record__major",
        "record__college",
        "record__school_class",
        "degree__institution",
        "degree__college",
        "user",
        "reviewer",
        "notice_link__notice",  # the notice it was filed under (notices.links)
    )
    return get_object_or_404(reports, pk=pk)


def evidence_for_read(request, token: str) -> DiscrepancyEvidence:
    """An evidence scan: for the student who sent it and the staff in scope only; staff
    looking at it is audited."""
    reports = DiscrepancyReport.objects.visible_to(request.user) | DiscrepancyReport.objects.filter(
        user=request.user
    )
    evidence = get_object_or_404(DiscrepancyEvidence, token=token, report__in=reports)
    report = evidence.report
    if report.user_id != request.user.pk:
        log_access(
            request.user,
            "records.evidence_viewed",
            report,
            students=[StudentRef(record_id=report.record_id, user_id=report.user_id)],
            changes={"evidence": evidence.pk},
            request=request,
        )
    return evidence


def online_report_for_owner(request, pk: int) -> OnlineReport:
    """An online verification report of one of the student's own records or degrees: 404
    for anyone else, admins too (a report is the student's own business)."""
    reports = OnlineReport.objects.visible_to(request.user).owned_by(request.user)
    return get_object_or_404(reports.select_related(*ONLINE_REPORT_RELATED), pk=pk)
