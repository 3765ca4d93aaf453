"""What each role sees first after logging in: its own to-do list or its progress."""

from __future__ import annotations

from django.db.models import Exists

from accounts.models import AccountState, IdentityClaim, IdentityRequest, RequestState, Role, User
from notices.selectors import notices_for_records, sheets_of_monitor
from notices.student import student_records, student_tasks
from records.models import College, DiscrepancyReport, EnrollmentRecord, SchoolClass
from records.selectors import class_progress, college_progress
from records.self_check import check_done


def _student(user: User) -> dict:
    # Few students monitor a class (班长): the records say whether she does, so that the
    # others' home page needs no query for it.
    monitors = Exists(SchoolClass.objects.filter(monitor=user))
    records = list(student_records(user).annotate(monitors=monitors))
    todo = []
    if not records:
        todo.append("bind")
    if any(r.first_viewed_at is None or not check_done(r) for r in records):
        todo.append("check_record")
    if any(r.photos_pending for r in records):  # annotated: no query of its own
        todo.append("check_photo")
    is_monitor = not records or records[0].monitors
    return {
        "template": "portal/home_student.html",
        "records": records,
        "todo": todo,
        # Each notice with the student's own task state and the time left (notices.student).
        "my_notices": student_tasks(notices_for_records(records)[:10], records),
        "monitored": (
            SchoolClass.objects.filter(monitor=user) if is_monitor else SchoolClass.objects.none()
        ),
        # Her classes' 反馈表, each a link: the task the 班长 section names.
        "monitor_sheets": sheets_of_monitor(user) if is_monitor else [],
    }


def _counselor(user: User) -> dict:
    classes = class_progress(SchoolClass.objects.visible_to(user)).order_by("-cohort", "code")
    return {"template": "portal/home_staff.html", "classes": classes}


def _college(user: User) -> dict:
    classes = class_progress(SchoolClass.objects.visible_to(user)).order_by("-cohort", "code")
    return {"template": "portal/home_staff.html", "classes": classes, "college": user.college}


def _registrar(user: User) -> dict:
    colleges = college_progress(College.objects.visible_to(user)).order_by("code")
    open_reports = DiscrepancyReport.objects.visible_to(user).open().count()
    return {
        "template": "portal/home_registrar.html",
        "colleges": colleges,
        "open_reports": open_reports,
    }


def _identity_reviewer(user: User) -> dict:
    pending = IdentityRequest.objects.filter(state=RequestState.PENDING).count()
    claims = IdentityClaim.objects.for_reviewers().count()
    return {
        "template": "portal/home_reviewer.html",
        "pending_count": pending,
        "claim_count": claims,
    }


def _admin(user: User) -> dict:
    return {
        "template": "portal/home_admin.html",
        "counts": {
            "records": EnrollmentRecord.objects.count(),
            "accounts": User.objects.filter(state=AccountState.ACTIVE).count(),
            "colleges": College.objects.count(),
        },
    }


_BY_ROLE = {
    Role.STUDENT: _student,
    Role.COUNSELOR: _counselor,
    Role.COLLEGE: _college,
    Role.REGISTRAR: _registrar,
    Role.IDENTITY_REVIEWER: _identity_reviewer,
    Role.ADMIN: _admin,
}


def for_user(user: User) -> dict:
    role = Role.ADMIN if user.is_superuser else user.role
    return _BY_ROLE[role](user)
