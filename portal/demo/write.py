"""Writing the plan: one transaction of bulk inserts, the organisation, the users, the
classes, the records and the students' 正确 and 有误; photos and notices have their own
modules."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Role, User
from notices.models import ConfirmationNotice, DiscrepancyNotice, Notice
from portal.demo.constants import (
    _FORCED_STATES,
    ACCEPT_REASON,
    COLLEGES,
    CONFIRMED,
    DEFAULT_SEED,
    DEFAULT_STUDENTS,
    INSTITUTION_CODE,
    INSTITUTION_NAME,
    MAJORS,
    OLD_ACCOUNT_USERNAME,
    PROVINCE,
    RECONFIRMED,
    REGISTRAR_OFFICE,
    REGISTRAR_PHONE,
    REJECT_REASON,
    UNSEEN,
)
from portal.demo.degrees import alumni_users, write_degrees
from portal.demo.logins import DemoLogin, demo_logins
from portal.demo.notices import write_feedback_sheets, write_notices
from portal.demo.photos import write_collection_units, write_photos
from portal.demo.plan import (
    DemoError,
    DemoPlan,
    PlannedAccount,
    PlannedReport,
    PlannedStaff,
    PlannedStudent,
    _check_size,
    demo_plan,
)
from records import progress
from records.models import (
    College,
    Department,
    DiscrepancyItem,
    DiscrepancyReport,
    EnrollmentRecord,
    Institution,
    Major,
    RecordConfirmation,
    ReportState,
    SchoolClass,
)


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


# --- Writing the plan ---------------------------------------------------------------------


@dataclass
class DemoResult:
    created: bool
    counts: dict[str, int]
    logins: list[DemoLogin]

    @property
    def summary(self) -> str:
        c = self.counts
        return (
            f"已生成演示数据：{INSTITUTION_NAME}（{INSTITUTION_CODE}），{c['colleges']} 个学院、"
            f"{c['classes']} 个班级、{c['records']} 条学籍、{c['degrees']} 条学历、"
            f"{c['accounts']} 个学生账号、"
            f"{c['photos']} 张照片、{c['notices']} 条通知。"
        )


@dataclass
class _Org:
    institution: Institution
    colleges: dict[str, College]
    departments: dict[str, Department]
    majors: dict[str, Major]


@dataclass
class _Written:
    now: datetime.datetime
    org: _Org
    staff: dict[str, User]
    accounts: dict[int, User]  # student index → account
    classes: list[SchoolClass] = field(default_factory=list)
    records: list[EnrollmentRecord] = field(default_factory=list)
    notices: dict[str, Notice] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def ago(self, days: float) -> datetime.datetime:
        return self.now - datetime.timedelta(days=days)


def demo_exists() -> bool:
    return Institution.objects.filter(code=INSTITUTION_CODE).exists()


def demo_build(
    *, students: int = DEFAULT_STUDENTS, seed: int = DEFAULT_SEED, stdout: Writer | None = None
) -> DemoResult:
    """Write the demo in one transaction, unless the demo institution exists already."""
    _check_size(students)
    if demo_exists():
        return DemoResult(created=False, counts={}, logins=demo_logins())
    plan = demo_plan(students=students, seed=seed)
    files: list[str] = []
    try:
        with transaction.atomic():
            if demo_exists():  # written meanwhile by another run
                return DemoResult(created=False, counts={}, logins=demo_logins())
            counts = _write(plan, files, stdout)
    except IntegrityError as exc:
        _delete_files(files)
        raise DemoError(f"写入演示数据失败（与已有数据冲突）：{exc}") from exc
    except BaseException:
        _delete_files(files)  # the rows are rolled back: leave no orphan photos either
        raise
    return DemoResult(created=True, counts=counts, logins=demo_logins())


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _write(plan: DemoPlan, files: list[str], stdout: Writer | None) -> dict[str, int]:
    _check_usernames(plan)
    org = _write_organisation()
    staff, accounts = _write_users(plan, org)
    done = _Written(now=timezone.now(), org=org, staff=staff, accounts=accounts, files=files)
    _write_classes(plan, done)
    _write_records(plan, done)
    degrees = write_degrees(plan, done)
    write_notices(done)
    _write_record_checks(plan, done)
    if stdout is not None:
        planned = [p for s in plan.students for p in (s.photo, s.diploma) if p]
        count = len(planned) + sum(1 for p in planned if p.previous_token)
        stdout.write(f"正在生成 {count} 张照片……")
    photos = write_photos(plan, done)
    write_feedback_sheets(plan, done)
    write_collection_units()
    return {
        "colleges": len(org.colleges),
        "classes": len(done.classes),
        "records": len(done.records),
        "degrees": degrees,
        "accounts": len(accounts),
        "photos": photos,
        "notices": len(done.notices),
    }


def _check_usernames(plan: DemoPlan) -> None:
    wanted = [s.username for s in plan.staff] + [OLD_ACCOUNT_USERNAME]
    wanted += [a.username for a in plan.degrees.alumni if a.username] if plan.degrees else []
    wanted += [p.account.username for p in plan.students if p.account]
    taken = User.objects.filter(username__in=wanted).values_list("username", flat=True)[:5]
    if taken:
        raise DemoError(f"用户名已被占用：{'、'.join(taken)}。请在空数据库上生成演示数据。")


def _write_organisation() -> _Org:
    institution = Institution.objects.create(
        code=INSTITUTION_CODE,
        name=INSTITUTION_NAME,
        province=PROVINCE,
        registrar_office=REGISTRAR_OFFICE,
        registrar_phone=REGISTRAR_PHONE,
    )
    colleges = College.objects.bulk_create(
        College(institution=institution, code=code, name=name) for code, name in COLLEGES
    )
    by_code = {c.code: c for c in colleges}
    names = dict.fromkeys((m.college, m.department) for m in MAJORS)
    departments = Department.objects.bulk_create(
        Department(college=by_code[college], name=name) for college, name in names
    )
    majors = Major.objects.bulk_create(
        Major(
            institution=institution,
            code=m.code,
            name=m.name,
            level=m.level,
            duration=Decimal(m.duration),
        )
        for m in MAJORS
    )
    return _Org(
        institution=institution,
        colleges=by_code,
        departments={d.name: d for d in departments},
        majors={m.code: m for m in majors},
    )


def _write_users(plan: DemoPlan, org: _Org) -> tuple[dict[str, User], dict[int, User]]:
    # One hash for every demo log-in: they share settings.DEMO_PASSWORD, and hashing is the
    # costliest thing here (Argon2 ≈ 77 ms). Everyone else gets an unusable password.
    demo_hash = make_password(settings.DEMO_PASSWORD)
    now = timezone.now()
    staff = [_staff_user(s, org, demo_hash if s.demo else make_password(None)) for s in plan.staff]
    students = {
        index: _student_user(person, person.account, demo_hash, now)
        for index, person in enumerate(plan.students)
        if person.account
    }
    taken = plan.students[plan.taken_id_student]
    # An old account (say, from a 兵役登记 years ago) holds this student's ID number, so
    # registering meets 证件号码已被注册 (seed 000).
    old = User(
        username=OLD_ACCOUNT_USERNAME,
        password=make_password(None),
        real_name=taken.name,
        id_number=taken.id_number,
        phone=plan.old_account_phone,
        date_joined=timezone.make_aware(datetime.datetime(2023, 6, 25, 21, 30)),
    )
    User.objects.bulk_create([*staff, *students.values(), old, *alumni_users(plan, demo_hash)])
    return {u.username: u for u in staff}, students


_INSTITUTION_ROLES = (Role.REGISTRAR, Role.COLLEGE, Role.COUNSELOR)


def _staff_user(spec: PlannedStaff, org: _Org, password: str) -> User:
    admin = spec.role == Role.ADMIN
    return User(
        username=spec.username,
        password=password,
        real_name=spec.name,
        role=spec.role,
        title=spec.title,
        institution=org.institution if spec.role in _INSTITUTION_ROLES else None,
        college=org.colleges[spec.college] if spec.role == Role.COLLEGE else None,
        is_staff=admin,
        is_superuser=admin,
    )


def _student_user(
    person: PlannedStudent, account: PlannedAccount, demo_hash: str, now: datetime.datetime
) -> User:
    return User(
        username=account.username,
        password=demo_hash if person.special in _FORCED_STATES else make_password(None),
        real_name=person.name,
        id_number=person.id_number,
        phone=account.phone,
        email=account.email,
        role=Role.STUDENT,
        date_joined=now - datetime.timedelta(days=account.bound_days_ago, hours=1),
    )


def _write_classes(plan: DemoPlan, done: _Written) -> None:
    org = done.org
    done.classes = SchoolClass.objects.bulk_create(
        SchoolClass(
            institution=org.institution,
            college=org.colleges[spec.college],
            major=org.majors[spec.major.code],
            code=spec.code,
            name=spec.name,
            cohort=spec.cohort,
            monitor=done.accounts.get(plan.monitors.get(index, -1)),
        )
        for index, spec in enumerate(plan.classes)
    )
    through = SchoolClass.counselors.through
    through.objects.bulk_create(
        through(schoolclass=done.classes[index], user=done.staff[spec.username])
        for spec in plan.staff
        for index in spec.classes
    )


def _write_records(plan: DemoPlan, done: _Written) -> None:
    org, rows = done.org, []
    for index, person in enumerate(plan.students):
        spec, account = plan.classes[person.klass], person.account
        bound_at = done.ago(account.bound_days_ago) if account else None
        viewed = account is not None and account.state != UNSEEN
        # A 专升本 student joined the class in its third year, for the 2 years of 本科 left.
        admission = person.admission_year or spec.cohort
        duration = 2 if person.admission_year else spec.major.duration
        rows.append(
            EnrollmentRecord(
                institution=org.institution,
                examinee_number=person.examinee_number,
                student_number=person.student_number,
                name=person.name,
                sex=person.sex,
                birth_date=person.birth,
                id_number=person.id_number,
                ethnicity=person.ethnicity,
                origin_region=person.origin_region,
                status=person.status,
                major=org.majors[spec.major.code],
                duration=Decimal(duration),
                level=spec.major.level,
                admission_year=admission,
                study_form=person.study_form,
                category=person.category,
                college=org.colleges[spec.college],
                department=org.departments[spec.major.department],
                school_class=done.classes[person.klass],
                entry_date=datetime.date(admission, 9, 1),
                expected_graduation=spec.expected_graduation,
                prior_certificate_number=person.prior_certificate_number,
                user=done.accounts.get(index),
                bound_at=bound_at,
                first_viewed_at=bound_at + datetime.timedelta(minutes=5) if viewed else None,
            )
        )
    done.records = EnrollmentRecord.objects.bulk_create(rows)


def _write_record_checks(plan: DemoPlan, done: _Written) -> None:
    """正确 and 有误 as each student left them; decided reports by the registrar."""
    registrar, confirmations, reports, items = done.staff["registrar"], [], [], []
    confirmation_links: list[ConfirmationNotice] = []
    report_links: list[DiscrepancyNotice] = []
    for index, person in enumerate(plan.students):
        account, record = person.account, done.records[index]
        if account is None:
            continue
        notice = done.notices["record"] if not plan.classes[person.klass].graduating else None
        if account.state in (CONFIRMED, RECONFIRMED):
            confirmations.append(RecordConfirmation(record=record, user=record.user))
            if notice:
                confirmation_links.append(
                    ConfirmationNotice(confirmation=confirmations[-1], notice=notice)
                )
        if account.report:
            report = _report_row(account.report, record, registrar, done)
            reports.append(report)
            if notice:
                report_links.append(DiscrepancyNotice(report=report, notice=notice))
            items += [_item_row(report, item) for item in account.report.items]
    RecordConfirmation.objects.bulk_create(confirmations)
    DiscrepancyReport.objects.bulk_create(reports)
    DiscrepancyItem.objects.bulk_create(items)
    # The notice each was made under (notices.links), once they have their ids.
    ConfirmationNotice.objects.bulk_create(confirmation_links)
    DiscrepancyNotice.objects.bulk_create(report_links)
    # created_at is set on insert; a decided report was filed the day before its decision
    # (still after the binding: every account was bound at least two days ago).
    decided = [r.pk for r in reports if r.decided_at]
    DiscrepancyReport.objects.filter(pk__in=decided).update(
        created_at=F("decided_at") - datetime.timedelta(hours=20)
    )
    # bulk_create sends no signal: the records' check results are written once, here.
    progress.refresh(
        EnrollmentRecord.objects.filter(pk__in=[r.record_id for r in confirmations + reports])
    )


def _report_row(
    planned: PlannedReport, record: EnrollmentRecord, registrar: User, done: _Written
) -> DiscrepancyReport:
    report = DiscrepancyReport(
        record=record,
        user=record.user,
        explanation=planned.explanation,
        state=planned.state,
    )
    if planned.state != ReportState.SUBMITTED:
        report.reviewer, report.decided_at = registrar, done.ago(1)
        accepted = planned.state == ReportState.ACCEPTED
        report.decision_reason = ACCEPT_REASON if accepted else REJECT_REASON
    return report


def _item_row(report: DiscrepancyReport, item: tuple[str, str, str]) -> DiscrepancyItem:
    name, current, claimed = item
    decided = {ReportState.ACCEPTED: True, ReportState.REJECTED: False}
    return DiscrepancyItem(
        report=report,
        field=name,
        current_value=current,
        claimed_value=claimed,
        accepted=decided.get(report.state),
    )
