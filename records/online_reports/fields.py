"""What a verifier reads on a report: the fields of its record or degree, in the order of
the national pages, with the ID number masked and the birth date as its year (one rule:
records.rules.value_for_others, portal.lib.idnumbers.mask)."""

from __future__ import annotations

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from records import rules
from records.models import DegreeRecord, EnrollmentRecord, OnlineReport, ReportKind
from records.selectors import NUMBER_FIELDS, record_field_rows

# 学籍在线验证报告, in the order of the record page (seed 004).
RECORD_FIELDS = (
    "name", "sex", "birth_date", "id_number", "institution", "level", "major", "duration",
    "category", "study_form", "college", "school_class", "student_number", "entry_date",
    "expected_graduation", "status",
)  # fmt: skip

# 学历证书电子注册备案表, in the national form's order and words. Its 校（院）长姓名 and
# photo are not in our data: left out.
DEGREE_FIELDS = (
    ("name", _("姓名")),
    ("sex", _("性别")),
    ("birth_date", _("出生年份")),
    ("id_number", _("证件号码")),
    ("entry_date", _("入学日期")),
    ("graduation_date", _("毕（结）业日期")),
    ("institution", _("学校名称")),
    ("major_name", _("专业")),
    ("duration", _("学制")),
    ("level", _("层次")),
    ("category", _("学历类别")),
    ("study_form", _("学习形式")),
    ("graduation_kind", _("毕（结）业")),
    ("certificate_number", _("证书编号")),
)
DEGREE_NUMBER_FIELDS = frozenset({"id_number", "certificate_number"})


def report_rows(report: OnlineReport) -> list[dict]:
    """The rows of the report's record or degree, as anyone but its owner may see them."""
    if report.kind == ReportKind.DEGREE:
        return degree_rows(report.degree)
    return record_rows(report.record)


def record_rows(record: EnrollmentRecord) -> list[dict]:
    groups = record_field_rows(record, full_id=False)
    rows = {row["name"]: row for group in groups.values() for row in group}
    return [rows[name] for name in RECORD_FIELDS]


def degree_rows(degree: DegreeRecord) -> list[dict]:
    """The fields of DEGREE_FIELDS that the degree holds (学制 only through its 学籍)."""
    rows = []
    for name, label in DEGREE_FIELDS:
        value = _degree_value(degree, name)
        if value is None:
            continue
        number = name in DEGREE_NUMBER_FIELDS or name in NUMBER_FIELDS
        rows.append({"name": name, "label": label, "value": value, "number": number})
    return rows


def _degree_value(degree: DegreeRecord, name: str) -> str | None:
    if name in ("id_number", "birth_date"):
        value = getattr(degree, name)
        text = value.isoformat() if isinstance(value, datetime.date) else value
        return rules.value_for_others(name, text)
    if name == "institution":
        return degree.institution.name
    if name == "duration":
        record = degree.enrollment_record
        if record is None:
            return None
        return rules.RULES["duration"].display(rules.current(record, "duration"))
    if name in ("sex", "level", "category", "study_form", "graduation_kind"):
        return getattr(degree, f"get_{name}_display")()
    value = getattr(degree, name)
    if value in (None, ""):
        return None  # not held (an entry date the degree file left out)
    if isinstance(value, datetime.date):
        return date_format(value)
    return value
