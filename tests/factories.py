"""Plain functions that build test data: every argument has a sensible default."""

from __future__ import annotations

import datetime
import itertools
import random
import secrets
from decimal import Decimal

from accounts.models import Role, User
from notices.models import SATISFACTION_ITEMS, SatisfactionEvaluation
from portal.lib import idnumbers
from records.models import (
    Category,
    College,
    DegreeRecord,
    EnrollmentRecord,
    Institution,
    Level,
    Major,
    RecordStatus,
    SchoolClass,
    StudyForm,
)

_seq = itertools.count(1)
_rng = random.Random(20261124)
PASSWORD = "correct-horse-battery-9"


def institution(code: str = "", name: str = "", province: str = "360000") -> Institution:
    n = next(_seq)
    return Institution.objects.create(
        code=code or f"{90000 + n % 9999}",  # 院校代码 stays 5 digits however long the run
        name=name or f"测试大学{n}",
        province=province,
    )


def college(inst: Institution, name: str = "", code: str = "") -> College:
    n = next(_seq)
    return College.objects.create(institution=inst, code=code or f"C{n}", name=name or f"学院{n}")


def major(inst: Institution, name: str = "", level: str = Level.BACHELOR) -> Major:
    n = next(_seq)
    return Major.objects.create(
        institution=inst, code=f"08{n:04d}", name=name or f"专业{n}", level=level, duration=4
    )


def school_class(col: College, *, cohort: int = 2023, maj: Major | None = None) -> SchoolClass:
    n = next(_seq)
    maj = maj or major(col.institution)
    return SchoolClass.objects.create(
        institution=col.institution,
        college=col,
        major=maj,
        code=f"{cohort}{n:04d}",
        name=f"{maj.name}{n}班",
        cohort=cohort,
    )


_birth_seq = itertools.count()
REGIONS = ["360102", "110101", "320102", "440103", "510104", "420102", "430102", "530102"]


def id_number(*, birth: datetime.date | None = None, sex: str = "2") -> str:
    """A valid number, unique within the run: the birth date walks through 20 years
    (never into the future), then the region changes."""
    n = next(_birth_seq)
    birth = birth or datetime.date(1990, 1, 1) + datetime.timedelta(days=n % 7300)
    region = REGIONS[(n // 7300) % len(REGIONS)]
    return idnumbers.generate(rng=_rng, region=region, birth=birth, sex=sex)


def user(role: str = Role.STUDENT, *, password: str = PASSWORD, **fields) -> User:
    n = next(_seq)
    fields.setdefault("real_name", f"用户{n}")
    fields.setdefault("username", f"user{n}")
    return User.objects.create_user(password=password, role=role, **fields)


def record(klass: SchoolClass, *, owner: User | None = None, **fields) -> EnrollmentRecord:
    n = next(_seq)
    sex = fields.pop("sex", "2")
    number = fields.pop("id_number", "") or id_number(sex=sex)
    birth = fields.pop("birth_date", None) or idnumbers.birth_date(number)
    values = {
        "institution": klass.institution,
        "examinee_number": f"23360102{n:06d}",
        "student_number": f"{klass.cohort}{n:06d}",
        "name": owner.real_name if owner else f"学生{n}",
        "sex": sex,
        "birth_date": birth,
        "id_number": number,
        "ethnicity": "01",
        "origin_region": "360102",
        "status": RecordStatus.REGISTERED,
        "major": klass.major,
        "duration": Decimal("4"),
        "level": klass.major.level,
        "admission_year": klass.cohort,
        "study_form": StudyForm.REGULAR_FULL_TIME,
        "category": Category.REGULAR,
        "college": klass.college,
        "school_class": klass,
        "entry_date": datetime.date(klass.cohort, 9, 1),
        "expected_graduation": datetime.date(klass.cohort + 4, 7, 1),
        "user": owner,
    }
    values.update(fields)
    return EnrollmentRecord.objects.create(**values)


def student(klass: SchoolClass, **fields) -> tuple[User, EnrollmentRecord]:
    """A student with an account bound to a record in `klass`."""
    number = id_number()
    account = user(Role.STUDENT, id_number=number, **fields)
    return account, record(klass, owner=account, id_number=number)


def degree(
    inst: Institution,
    *,
    owner: User | None = None,
    record: EnrollmentRecord | None = None,
    **fields,
) -> DegreeRecord:
    """A 学历 of `inst`: of `record` (its 学籍, whose holder, college and fields it takes)
    or of `owner` alone (a 往届毕业生 without a 学籍 here); bound to the holder's account."""
    n = next(_seq)
    owner = owner or (record.user if record else None)
    number = fields.pop("id_number", "") or (
        record.id_number if record else owner.id_number if owner else id_number()
    )
    graduated = fields.pop("graduation_date", datetime.date(2020, 7, 1))
    level = fields.pop("level", Level.BACHELOR)
    code = {"bachelor": "05", "junior_college": "06", "master": "02"}.get(level, "05")
    values = {
        "institution": inst,
        "enrollment_record": record,
        "certificate_number": f"{inst.code}1{graduated.year}{code}{n:06d}",
        "name": record.name if record else owner.real_name if owner else f"毕业生{n}",
        "sex": "2",
        "birth_date": idnumbers.birth_date(number),
        "id_number": number,
        "major_name": record.major.name if record else "会计学",
        "level": level,
        "category": Category.REGULAR,
        "study_form": StudyForm.REGULAR_FULL_TIME,
        "entry_date": datetime.date(graduated.year - 4, 9, 1),
        "graduation_date": graduated,
        "student_number": record.student_number if record else "",
        "college": record.college if record else None,
        "user": owner,
    }
    values.update(fields)
    return DegreeRecord.objects.create(**values)


def token() -> str:
    return secrets.token_hex(16)


def satisfaction_answer(notice, klass: SchoolClass, *, words: str = "", **scores):
    """An answer to `notice`'s satisfaction evaluation about `klass`'s college and major
    (every item 3 unless given), as notices.satisfaction.services keeps one."""
    values = {name: 3 for name in SATISFACTION_ITEMS} | scores
    return SatisfactionEvaluation.objects.create(
        notice=notice,
        college=klass.college,
        major=klass.major,
        level=klass.major.level,
        cohort=klass.cohort,
        words=words,
        **values,
    )
