"""Each field of a record (学籍) and a degree (学历): how its value is read, how it is
shown, and how a form asks for it.

`read(name, raw)` gives the stored value of a cell or a typed text, or raises RuleError;
`show(name, value)` gives the text people read, and `read(name, show(name, v)) == v`, so
a value shown on a page, stored in a 有误 claim or written in an export reads back as
itself. Related fields (专业, 分院, 系所, 班级) are read as names; `resolve` finds the
object of that name in the record's institution.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import IdType
from portal.lib import idnumbers
from records import regions
from records.codes import ETHNIC_GROUPS, Sex
from records.models import (
    Category,
    College,
    DegreeRecord,
    Department,
    EnrollmentRecord,
    GraduationKind,
    Level,
    Major,
    RecordStatus,
    SchoolClass,
    StudyForm,
)
from records.rules import values
from records.rules.values import RuleError


class Kind:
    """How a form asks for the value: a pick list, a date picker, or a text box."""

    TEXT = "text"
    CHOICE = "choice"
    DATE = "date"
    REGION = "region"
    RELATED = "related"
    NUMBER = "number"


# Labels offices write besides the choices' own (学信网 shows 在籍 for 在籍(注册学籍)).
STATUS_ALIASES = (
    ("在籍", RecordStatus.REGISTERED.value),
    ("注册学籍", RecordStatus.REGISTERED.value),
)
LEVEL_ALIASES = (
    ("高职", Level.JUNIOR_COLLEGE.value),
    ("专科(高职)", Level.JUNIOR_COLLEGE.value),
    ("高职(专科)", Level.JUNIOR_COLLEGE.value),
    ("硕士", Level.MASTER.value),
    ("博士", Level.DOCTOR.value),
)


@dataclass(frozen=True)
class FieldRule:
    name: str
    read: Callable[[Any], Any]
    kind: str = Kind.TEXT
    choices: tuple[tuple[str, Any], ...] = ()  # (value, label) for Kind.CHOICE
    required: bool = True

    def show(self, value: Any) -> str:
        """The value as text that reads back as itself, in any language: the source
        (Chinese) labels, as rosters and stored claims write them."""
        with translation.override(None):
            return self.display(value)

    def display(self, value: Any) -> str:
        """The value as a page shows it, in the page's language."""
        if value is None or value == "":
            return ""
        if self.kind == Kind.CHOICE:
            return str(dict(self.choices).get(value, value))
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, Decimal):  # 学制, as people say it: "3 年", "2.5 年"
            return _("%(years)s 年") % {"years": f"{value.normalize():f}"}
        if self.kind == Kind.REGION:
            return regions.region_name(value)
        return str(getattr(value, "name", value))


def _text(max_length: int) -> Callable[[Any], str]:
    return lambda value: values.words(value, max_length)


def _code(max_length: int) -> Callable[[Any], str]:
    return lambda value: values.identifier(value, max_length)


def _choice(choices_class, what: str, aliases=()) -> Callable[[Any], str]:
    return values.choice(choices_class, what, aliases)


def _rule(name, read, kind=Kind.TEXT, choices=(), required=True) -> FieldRule:
    return FieldRule(name, read, kind, tuple(choices), required)


_RULES = (
    _rule("examinee_number", _code(20), required=False),
    _rule("name", _text(50)),
    _rule("student_number", _code(20)),
    _rule("sex", values.parse_sex, Kind.CHOICE, Sex.choices),
    _rule("birth_date", values.parse_date, Kind.DATE),
    _rule("id_type", _choice(IdType, "证件类型"), Kind.CHOICE, IdType.choices),
    # Read for its form here; checked with the 证件类型 by the rules between fields.
    _rule("id_number", values.parse_id_number),
    _rule("ethnicity", values.parse_ethnicity, Kind.CHOICE, ETHNIC_GROUPS),
    _rule("origin_region", values.parse_region, Kind.REGION),
    _rule(
        "status",
        _choice(RecordStatus, "学籍状态", STATUS_ALIASES),
        Kind.CHOICE,
        RecordStatus.choices,
    ),
    _rule("major", _text(100), Kind.RELATED),
    _rule("duration", values.parse_duration, Kind.NUMBER),
    _rule("level", _choice(Level, "层次", LEVEL_ALIASES), Kind.CHOICE, Level.choices),
    _rule("admission_year", values.parse_year, Kind.NUMBER),
    _rule("study_form", _choice(StudyForm, "学习形式"), Kind.CHOICE, StudyForm.choices),
    _rule("category", _choice(Category, "学历类别"), Kind.CHOICE, Category.choices),
    _rule("college", _text(100), Kind.RELATED),
    _rule("department", _text(100), Kind.RELATED, required=False),
    _rule("school_class", _text(100), Kind.RELATED, required=False),
    _rule("entry_date", values.parse_date, Kind.DATE),
    _rule("expected_graduation", values.parse_date, Kind.DATE),
    _rule("leaving_date", values.parse_date, Kind.DATE, required=False),
)
RULES: dict[str, FieldRule] = {rule.name: rule for rule in _RULES}

# A degree's own fields; the others (姓名, 性别, 出生日期, 证件, 层次 …) read as a record's.
_DEGREE_ONLY = (
    _rule("certificate_number", values.parse_certificate_number),
    _rule("school_number", values.parse_certificate_number, required=False),
    _rule("major_name", _text(100)),
    _rule("graduation_date", values.parse_date, Kind.DATE),
    _rule(
        "graduation_kind",
        _choice(GraduationKind, "毕（结）业"),
        Kind.CHOICE,
        GraduationKind.choices,
    ),
    _rule("student_number", _code(20), required=False),
)
DEGREE_RULES: dict[str, FieldRule] = {
    **{
        name: RULES[name]
        for name in (
            "name",
            "sex",
            "birth_date",
            "id_type",
            "id_number",
            "level",
            "category",
            "study_form",
        )
    },
    "entry_date": _rule("entry_date", values.parse_date, Kind.DATE, required=False),
    **{rule.name: rule for rule in _DEGREE_ONLY},
}

# Every field of seed 000 but the institution itself can be reported and corrected.
CORRECTABLE_FIELDS = tuple(
    f for f in EnrollmentRecord.MAIN_FIELDS + EnrollmentRecord.OTHER_FIELDS if f != "institution"
)

# A degree's fields as the graduate reads them (DESIGN: the yearly degree file's order).
DEGREE_FIELDS = (
    "certificate_number", "school_number", "name", "sex", "birth_date", "id_type",
    "id_number", "major_name", "level", "category", "study_form", "entry_date",
    "graduation_date", "graduation_kind",
)  # fmt: skip
# Every one of them can be reported but the numbers: 证书编号 (and the school's own number
# before 2001) is the number 学信网 registered the diploma under, made of the 院校代码, the
# year and the 层次 (records.rules.between.certificate). A wrong number is a wrong year or
# 层次: she reports those, and the office re-registers the number with them; she bound
# the degree by it, so it is hers as it stands.
DEGREE_CORRECTABLE_FIELDS = tuple(
    f for f in DEGREE_FIELDS if f not in ("certificate_number", "school_number")
)

# Every rule by name, a record's first where both have one (show: the text of any value).
ALL_RULES: dict[str, FieldRule] = {**DEGREE_RULES, **RULES}


def label(name: str) -> str:
    """A field's label: a record's, or a degree's for the degree's own fields."""
    model = EnrollmentRecord if name in RULES else DegreeRecord
    return str(model._meta.get_field(name).verbose_name)


def degree_label(name: str) -> str:
    return str(DegreeRecord._meta.get_field(name).verbose_name)


def read(name: str, raw: Any, rules: dict[str, FieldRule] = RULES) -> Any:
    """The stored value of `raw` (a cell or a typed text) for the field, or RuleError; a
    blank value is refused for a required field and is "" (or None) otherwise."""
    rule = rules[name]
    if values.is_blank(raw):
        if rule.required:
            raise RuleError(_("必填，不能为空"))
        return None if rule.kind in (Kind.DATE, Kind.RELATED) else ""
    return rule.read(raw)


def show(name: str, value: Any, rules: dict[str, FieldRule] = ALL_RULES) -> str:
    return rules[name].show(value)


def as_read(name: str, value: Any) -> Any:
    """A stored value as `read` gives it: a related object by its name, a class by its
    name and 班号 (class names repeat from one cohort to the next; 班号 do not)."""
    if name not in RULES or RULES[name].kind != Kind.RELATED or value is None:
        return value
    if isinstance(value, SchoolClass):
        return value.code if value.name == value.code else f"{value.name}（{value.code}）"
    return value.name


def current(record: EnrollmentRecord | DegreeRecord, name: str) -> Any:
    """The record's value of a field, as `read` gives it."""
    return as_read(name, getattr(record, name))


def text(record: EnrollmentRecord | DegreeRecord, name: str) -> str:
    """The current value as the student reads it (现有信息), reading back as itself."""
    return show(name, current(record, name))


_CLASS_CODE = re.compile(r"（([^（）]+)）$")


def _class(institution: int, value: str):
    """A class by its 班号, by "name（班号）" as shown, or by a name only one class has."""
    if match := _CLASS_CODE.search(value):
        return SchoolClass.objects.filter(institution=institution, code=match.group(1)).first()
    by_code = SchoolClass.objects.filter(institution=institution, code=value).first()
    if by_code is not None:
        return by_code
    named = list(SchoolClass.objects.filter(institution=institution, name=value)[:2])
    if len(named) > 1:
        raise RuleError(_("本校有多个名为“%(text)s”的班级，请写明班号") % {"text": value})
    return named[0] if named else None


def resolve(record: EnrollmentRecord, name: str, value: str | None, changes=None):
    """The college, department, major or class of that name in the record's institution
    (a class by its 班号; a major of the record's 层次, a department of its college, as
    `changes` leave them), or RuleError."""
    if value is None:
        return None
    changes = changes or {}
    institution = record.institution_id
    level = changes.get("level", record.level)
    college = changes.get("college", record.college)
    if name == "school_class":
        found = _class(institution, value)
    else:
        found = {
            "major": lambda: Major.objects.filter(institution=institution, name=value, level=level),
            "college": lambda: College.objects.filter(institution=institution, name=value),
            "department": lambda: Department.objects.filter(college=college, name=value),
        }[name]().first()
    if found is None:
        raise RuleError(
            _("本校没有名为“%(text)s”的%(field)s，请核对名称")
            % {"text": value, "field": label(name)}
        )
    return found


def related_choices(record: EnrollmentRecord, name: str) -> list:
    """A pick list of what a related field may take in the record's institution, as
    (value, label) pairs; classes and departments grouped by 分院, every 分院's, so that a
    student whose 分院 is wrong can name her real class."""
    institution = record.institution_id
    if name == "major":
        majors = Major.objects.filter(institution=institution, level=record.level)
        return [(n, n) for n in majors.order_by("name").values_list("name", flat=True)]
    if name == "college":
        colleges = College.objects.filter(institution=institution).order_by("code")
        return [(c.name, c.name) for c in colleges]
    model = SchoolClass if name == "school_class" else Department
    parts = model.objects.filter(college__institution=institution).select_related("college")
    groups: dict[str, list] = {}
    for part in parts.order_by("college__code", "name"):
        text = as_read(name, part)
        groups.setdefault(part.college.name, []).append((text, text))
    return list(groups.items())


# Values of these fields locate the student's ID region (生源 county; the 考生号 starts
# with the province, city and county codes): never shown beside a masked number.
LOCATING_FIELDS = frozenset({"origin_region", "examinee_number"})


def value_for_others(name: str, text: str) -> str | None:
    """A reported (current or claimed) value as anyone but the student and the registrar
    deciding the report sees it — queue lists, feedback sheets, exports, notifications:
    an ID number masked by portal.lib.idnumbers.mask, a birth date as its year, a locating
    value not at all (None: say only which field was reported)."""
    if name == "id_number":
        return idnumbers.mask(text)
    if name == "birth_date":
        return idnumbers.birth_year(text) or "*"
    if name in LOCATING_FIELDS:
        return None
    return text


# What, shown whole beside a masked number's last digits, narrows it (its birth date, its
# region: portal.lib.idnumbers.mask).
_NARROWING_FIELDS = LOCATING_FIELDS | {"birth_date"}


def id_number_for_rekeying(id_number: str, fields: Collection[str]) -> str:
    """The student's ID number in the list of accepted corrections the office re-keys into
    学信网, beside the whole values of her corrected `fields`: whole when the number itself
    was corrected (the new number is keyed, the old one finds her); else masked, since the
    学号 and name find her — wholly when the list shows her birth date or a locating value
    whole, which with the last digits would rebuild the number."""
    if "id_number" in fields:
        return idnumbers.normalize(id_number)
    if _NARROWING_FIELDS & set(fields):
        return "*" * len(idnumbers.normalize(id_number))
    return idnumbers.mask(id_number)
