"""The demo's 学历 (degrees): the 2019届 graduates' degrees beside their 学籍, the 专科
degrees of the two 专升本 students, and 往届 graduates with degrees only — among them
the `alumna` log-in, whose 1999 certificate carries two numbers (seed 002).

`plan_degrees` is part of the plan (pure, from the seed); `write_degrees` writes it with
one bulk insert, after the records."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from portal.demo.constants import (
    ALUMNA,
    ALUMNA_CERTIFICATE,
    ALUMNA_SCHOOL_NUMBER,
    ALUMNA_YEAR,
    GRADUATION_YEAR,
    INSTITUTION_CODE,
    MAJORS,
    UPGRADE,
    UPGRADE_ADMISSION,
    MajorSpec,
)
from portal.demo.names import _birth, _origin, _phone, _random_name
from portal.lib import idnumbers
from records.models import Category, DegreeRecord, EnrollmentRecord, Level, RecordStatus, StudyForm

if TYPE_CHECKING:
    from accounts.models import User
    from portal.demo.plan import DemoPlan
    from portal.demo.write import _Written

# 培养层次 in a certificate number (docs/degrees.md): 05 本科, 06 专科.
_LEVEL_CODES = {Level.BACHELOR: "05", Level.JUNIOR_COLLEGE: "06"}
# The years of the other 往届 graduates: before 2001 with two numbers, after with one.
_ALUMNI_YEARS = (1997, 1998, 2003, 2005, 2008, 2010, 2012, 2015)


@dataclass(frozen=True)
class PlannedAlumnus:
    """A graduate with degrees and no 学籍 in the portal; a log-in when `username`."""

    name: str
    sex: str
    birth: datetime.date
    id_number: str
    username: str = ""
    phone: str = ""


@dataclass(frozen=True)
class PlannedDegree:
    certificate_number: str
    major: MajorSpec
    graduation: datetime.date
    entry: datetime.date | None
    id_number: str  # as the degree holds it: a 15-digit form, or an old, wrong number
    school_number: str = ""
    student: int | None = None  # the student (plan.students index) it is of
    alumnus: int | None = None  # or the 往届 graduate (PlannedDegrees.alumni index)
    linked: bool = False  # her 学籍 is this degree's (2019届)
    bound: bool = False  # bound to her account
    prior: bool = False  # her 本科 学籍 names it as her 专科 degree (专升本)


@dataclass
class PlannedDegrees:
    degrees: list[PlannedDegree] = field(default_factory=list)
    alumni: list[PlannedAlumnus] = field(default_factory=list)


def _certificate(year: int, level: str, serial: int) -> str:
    return f"{INSTITUTION_CODE}1{year}{_LEVEL_CODES[level]}{serial:06d}"


def plan_degrees(rng: random.Random, plan: DemoPlan, unique: Callable) -> PlannedDegrees:
    planned = PlannedDegrees()
    _graduates(plan, planned)
    _upgrades(plan, planned)
    _alumni(rng, planned, unique)
    return planned


def _graduates(plan: DemoPlan, planned: PlannedDegrees) -> None:
    """The 2019届: a degree for each registered student, beside her 学籍, bound to her
    account when she has one."""
    for index, person in enumerate(plan.students):
        spec = plan.classes[person.klass]
        if not spec.graduating or person.status != RecordStatus.REGISTERED:
            continue
        level = spec.major.level
        planned.degrees.append(
            PlannedDegree(
                certificate_number=_certificate(GRADUATION_YEAR, level, index + 1),
                major=spec.major,
                graduation=datetime.date(GRADUATION_YEAR, 6, 30),
                entry=datetime.date(spec.cohort, 9, 1),
                id_number=person.id_number,
                student=index,
                linked=True,
                bound=person.account is not None,
            )
        )


def _upgrades(plan: DemoPlan, planned: PlannedDegrees) -> None:
    """The 专科 degrees of the 专升本 students: one bound and named by her 本科 学籍; the
    other under the ID number her 学籍 had before its correction, not bound yet."""
    for index, person in enumerate(plan.students):
        if not person.prior_certificate_number:
            continue
        college = plan.classes[person.klass].college
        junior = next(m for m in MAJORS if m.college == college and m.level == Level.JUNIOR_COLLEGE)
        bound = person.special == UPGRADE
        planned.degrees.append(
            PlannedDegree(
                certificate_number=person.prior_certificate_number,
                major=junior,
                graduation=datetime.date(UPGRADE_ADMISSION, 6, 30),
                entry=datetime.date(UPGRADE_ADMISSION - 3, 9, 1),
                id_number=person.former_id_number or person.id_number,
                student=index,
                bound=bound,
                prior=bound,
            )
        )


def _alumni(rng: random.Random, planned: PlannedDegrees, unique: Callable) -> None:
    """往届 graduates with degrees only. The `alumna` log-in: 1999, 专科, a certificate with
    the school's number and the serial number, under her first-generation 15-digit ID
    number (it binds to her 18-digit account when she opens 学籍信息)."""
    for n, year in enumerate((ALUMNA_YEAR, *_ALUMNI_YEARS)):
        surname, given, sex = ("许", "静怡", "2") if n == 0 else _random_name(rng)
        birth = _birth(rng, year - 3)
        region = _origin(rng)[0]
        number = unique(
            lambda r=region, b=birth, x=sex: idnumbers.generate(rng=rng, region=r, birth=b, sex=x)
        )
        login = n == 0
        planned.alumni.append(
            PlannedAlumnus(
                surname + given,
                sex,
                birth,
                number,
                username=ALUMNA if login else "",
                phone=unique(lambda: _phone(rng)) if login else "",
            )
        )
        major = MAJORS[0] if login else rng.choice(MAJORS)
        duration = 3 if major.level == Level.JUNIOR_COLLEGE else 4
        old = year < 2001
        if login:
            certificate, school_number = ALUMNA_CERTIFICATE, ALUMNA_SCHOOL_NUMBER
        elif old:
            certificate = f"NO.{rng.randrange(10**7):08d}"
            school_number = f"{year % 100:02d}{rng.randrange(10**4):04d}"
        else:
            certificate, school_number = _certificate(year, major.level, 900 + n), ""
        planned.degrees.append(
            PlannedDegree(
                certificate_number=certificate,
                school_number=school_number,
                major=major,
                graduation=datetime.date(year, 7, 1),
                # Degrees of 1991–2000 were registered afterwards, often without it.
                entry=None if old else datetime.date(year - duration, 9, 1),
                id_number=idnumbers.legacy_form(number) if old else number,
                alumnus=n,
            )
        )


# --- Writing ----------------------------------------------------------------------------


def alumni_users(plan: DemoPlan, password: str) -> list[User]:
    """The accounts of the 往届 graduates who are demo log-ins (the others have none)."""
    from accounts.models import Role, User

    assert plan.degrees is not None
    return [
        User(
            username=a.username,
            password=password,
            real_name=a.name,
            id_number=a.id_number,
            phone=a.phone,
            role=Role.STUDENT,
        )
        for a in plan.degrees.alumni
        if a.username
    ]


def write_degrees(plan: DemoPlan, done: _Written) -> int:
    """The planned degrees, in one insert; the 专升本 student's 学籍 names her 专科 one.
    The 往届 graduates' stay unbound: the `alumna` log-in's binds on her first visit."""
    assert plan.degrees is not None
    org, rows = done.org, []
    for degree in plan.degrees.degrees:
        index = degree.student
        if index is None:
            assert degree.alumnus is not None
            person, holder = plan.degrees.alumni[degree.alumnus], None
        else:
            person, holder = plan.students[index], done.accounts.get(index)
        record = done.records[index] if degree.linked and index is not None else None
        holder = holder if degree.bound else None
        rows.append(
            DegreeRecord(
                institution=org.institution,
                enrollment_record=record,
                certificate_number=degree.certificate_number,
                school_number=degree.school_number,
                name=person.name,
                sex=person.sex,
                birth_date=person.birth,
                id_number=degree.id_number,
                major_name=degree.major.name,
                level=degree.major.level,
                category=Category.REGULAR,
                study_form=StudyForm.REGULAR_FULL_TIME,
                entry_date=degree.entry,
                graduation_date=degree.graduation,
                student_number=record.student_number if record else "",
                user=holder,
                bound_at=done.ago(3) if holder else None,
                # As the degree import counts it (records.imports.degrees): her 学籍's
                # college, else the college teaching the major.
                college=record.college if record else org.colleges[degree.major.college],
            )
        )
    written = DegreeRecord.objects.bulk_create(rows)
    for degree, row in zip(plan.degrees.degrees, written, strict=True):
        if degree.prior and degree.student is not None:
            record = done.records[degree.student]
            EnrollmentRecord.objects.filter(pk=record.pk).update(prior_degree=row)
    return len(written)
