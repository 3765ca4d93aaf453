"""What each role sees first after logging in: its own to-do list or its progress."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, Min
from django.utils import timezone

from accounts.models import AccountState, IdentityClaim, IdentityRequest, RequestState, Role, User
from imaging import selectors as imaging_selectors
from imaging.models import PhotoState
from notices import selectors as notice_selectors
from notices.following import tasks_followed_by
from notices.selectors import sheets_of_monitor
from notices.student import student_records
from notices.todo import student_todo
from records import selectors as records_selectors
from records.models import College, DiscrepancyReport, EnrollmentRecord, SchoolClass


def _student(user: User) -> dict:
    records = _student_records(user)
    # What is left, from every state, with the next step (notices.todo: the one truth the
    # notices' task states and the reminders read too).
    todo = student_todo(user, records=records)
    return {
        "template": "portal/home_student.html",
        "records": records,
        "todo": todo,
        # Each notice with the student's own task state and the time left.
        "my_notices": todo.tasks[:10],
        **_monitor(user, records),
    }


def student_todo_page(user: User) -> dict:
    """待办事项 (/todo/): what is left, and for a 班长 her classes' 反馈表 too."""
    records = _student_records(user)
    return {"todo": student_todo(user, records=records), **_monitor(user, records)}


def _student_records(user: User) -> list:
    # Few students monitor a class (班长): the records say whether she does, so that the
    # others' pages need no query for it.
    monitors = Exists(SchoolClass.objects.filter(monitor=user))
    return list(student_records(user).annotate(monitors=monitors))


def _monitor(user: User, records: list) -> dict:
    is_monitor = not records or records[0].monitors
    return {
        "monitored": (
            SchoolClass.objects.filter(monitor=user) if is_monitor else SchoolClass.objects.none()
        ),
        # Her classes' 反馈表, each a link: the task the 班长 section names.
        "monitor_sheets": sheets_of_monitor(user) if is_monitor else [],
    }


# Staff: each home page is the person's to-do list, then her progress ---------------------

# How many notices, and classes furthest behind, a home page shows.
HOME_NOTICES = 5
BEHIND = 5


def _open_reports(user: User) -> dict:
    """有误 reports of the user's students waiting for the registrar: how many, the oldest
    first (a few, with the record or the degree and the class), and since when the oldest
    waits."""
    reports = DiscrepancyReport.objects.visible_to(user).open()
    summary = reports.aggregate(count=Count("pk"), oldest=Min("created_at"))
    return {
        **summary,
        "first": list(
            reports.select_related(
                "record__school_class", "degree__enrollment_record__school_class"
            ).order_by("created_at")[:5]
        ),
    }


def _counselor(user: User) -> dict:
    classes = records_selectors.class_progress(
        SchoolClass.objects.visible_to(user).order_by("-cohort", "code")
    )
    tasks = tasks_followed_by(user, limit=HOME_NOTICES)
    return {
        "template": "portal/home_counselor.html",
        "tasks": tasks,
        "has_to_sign": any(task.to_sign for task in tasks),
        "reports": _open_reports(user),
        "classes": classes,
    }


def _college(user: User) -> dict:
    classes = records_selectors.class_progress(
        SchoolClass.objects.visible_to(user).order_by("-cohort", "code")
    )
    tasks = tasks_followed_by(user, limit=HOME_NOTICES)
    return {
        "template": "portal/home_college.html",
        "tasks": tasks,
        "has_to_countersign": any(task.to_countersign for task in tasks),
        "reports": _open_reports(user),
        "classes": classes,
        "college": user.college,
    }


def _queue(queryset, since: str, **waiting) -> dict:
    """A queue's length and since when its oldest item waits (`since`, a date field)."""
    return queryset.filter(**waiting).aggregate(count=Count("pk"), oldest=Min(since))


def _to_check(school_class) -> int:
    """Students of the class with a record to check: those 已毕业, 未注册 or whose record
    ended have nothing to do (records.self_check), and never hold a class back. Set on the
    class for its line on the page."""
    school_class.n_to_check = school_class.n_students - school_class.n_not_checked
    return school_class.n_to_check


def _registrar(user: User) -> dict:
    colleges = records_selectors.college_progress(College.objects.visible_to(user).order_by("code"))
    classes = records_selectors.class_progress(SchoolClass.objects.visible_to(user))
    behind = sorted(
        (c for c in classes if _to_check(c)),
        key=lambda c: (c.n_checked / _to_check(c), -_to_check(c)),
    )[:BEHIND]
    return {
        "template": "portal/home_registrar.html",
        "colleges": colleges,
        "behind": behind,
        "reports": _queue(DiscrepancyReport.objects.visible_to(user).open(), "created_at"),
        # A dispute waits since the student said 有误 (one verification a photo).
        "disputes": _queue(
            imaging_selectors.dispute_queue(user).order_by(),
            "verifications__created_at",
            verifications__result=PhotoState.DISPUTED,
        ),
        # 专升本 students whose 专科 degree is not found, not bound or not confirmed.
        "zsb_open": records_selectors.zsb_records(user)
        .exclude(prior_state=records_selectors.PriorDegreeState.CONFIRMED)
        .count(),
        "notices": list(notice_selectors.notices_in_progress(user)[:HOME_NOTICES]),
        "soon": timezone.now() + CLOSING_SOON,
    }


# A task whose window closes within this is "closing soon" on the registrar's home page.
CLOSING_SOON = timedelta(days=7)


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
