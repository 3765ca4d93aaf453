"""Record fields as students and registrars name them, and their values as text.

A 有误 report carries the value the student says is right, as text; accepting it
turns the text into the field's value here, with a clear error when it cannot.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts import idnumbers
from records.codes import PROVINCES, ethnicity_code
from records.errors import RecordError
from records.imports.cells import CellError, parse_date, parse_duration, parse_year
from records.models import College, Department, EnrollmentRecord, Major, SchoolClass

# Every field of seed 000 but the institution itself can be reported and corrected.
CORRECTABLE_FIELDS = tuple(
    f for f in EnrollmentRecord.MAIN_FIELDS + EnrollmentRecord.OTHER_FIELDS if f != "institution"
)


def field_label(name: str) -> str:
    return str(EnrollmentRecord._meta.get_field(name).verbose_name)


def field_text(record: EnrollmentRecord, name: str) -> str:
    """The current value as the student reads it (for 现有信息)."""
    value = getattr(record, name)
    field = EnrollmentRecord._meta.get_field(name)
    if name == "origin_region":
        return record.origin_region_display
    if field.choices:
        return getattr(record, f"get_{name}_display")()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if value is None:
        return ""
    return str(value.name if hasattr(value, "name") else value)


# Values of these fields locate the student's ID region (生源 county; the 考生号 starts
# with the province, city and county codes): never shown beside a masked number.
LOCATING_FIELDS = frozenset({"origin_region", "examinee_number"})


def value_for_others(name: str, text: str) -> str | None:
    """A reported (current or claimed) value as anyone but the student and the registrar
    deciding the report sees it — queue lists, feedback sheets, exports, notifications:
    an ID number masked by accounts.idnumbers.mask, a birth date as its year, a locating
    value not at all (None: say only which field was reported)."""
    if name == "id_number":
        return idnumbers.mask(text)
    if name == "birth_date":
        return idnumbers.birth_year(text) or "*"
    if name in LOCATING_FIELDS:
        return None
    return text


def _date(text: str) -> datetime.date:
    """The import's rule (records.imports.cells): the forms offices write, 1900–2100."""
    try:
        return parse_date(text)
    except CellError as exc:
        raise RecordError(
            _("“%(text)s”不是有效的日期，请写作 2005-01-02（1900 年至 2100 年之间）。")
            % {"text": text}
        ) from exc


def _choice(name: str, text: str) -> str:
    field = EnrollmentRecord._meta.get_field(name)
    for code, label in field.choices:
        if text in (code, str(label)):
            return code
    if name == "ethnicity" and (code := ethnicity_code(text)):
        return code
    raise RecordError(
        _("“%(text)s”不是%(field)s的有效取值。") % {"text": text, "field": field_label(name)}
    )


def _region(text: str) -> str:
    if len(text) == 6 and text.isascii() and text.isdigit():
        return text
    for code, name in PROVINCES:
        if text in (name, name.rstrip("省市"), name.replace("自治区", "")):
            return code
    raise RecordError(
        _("“%(text)s”不是有效的生源省市，请填写省份名称或 6 位行政区划代码。") % {"text": text}
    )


def _related(record: EnrollmentRecord, name: str, text: str):
    lookups = {
        "major": lambda: Major.objects.filter(
            institution=record.institution, name=text, level=record.level
        ),
        "college": lambda: College.objects.filter(institution=record.institution, name=text),
        "department": lambda: Department.objects.filter(college=record.college, name=text),
        "school_class": lambda: (
            SchoolClass.objects.filter(institution=record.institution, name=text)
            | SchoolClass.objects.filter(institution=record.institution, code=text)
        ),
    }
    found = lookups[name]().first()
    if found is None:
        raise RecordError(
            _("系统中没有名为“%(text)s”的%(field)s，请先在管理后台建立，或直接修改学籍。")
            % {"text": text, "field": field_label(name)}
        )
    return found


def _id_number(text: str) -> str:
    try:
        return idnumbers.validate(text, allow_legacy=True)
    except ValidationError as exc:
        raise RecordError(str(exc.messages[0])) from exc


def _duration(text: str) -> Decimal:
    try:
        return parse_duration(text)
    except CellError as exc:
        raise RecordError(_("%(reason)s。") % {"reason": exc.reason}) from exc


def _year(text: str) -> int:
    try:
        return parse_year(text)
    except CellError as exc:
        raise RecordError(_("录取年份%(reason)s。") % {"reason": exc.reason}) from exc


PARSERS = {
    "birth_date": _date,
    "entry_date": _date,
    "expected_graduation": _date,
    "leaving_date": _date,
    "id_number": _id_number,
    "origin_region": _region,
    "duration": _duration,
    "admission_year": _year,
}


def parse_value(record: EnrollmentRecord, name: str, text: str):
    """The field's value for `text`, or RecordError."""
    text = (text or "").strip()
    if not text:
        raise RecordError(_("%(field)s不能为空。") % {"field": field_label(name)})
    if name in PARSERS:
        return PARSERS[name](text)
    if name in ("major", "college", "department", "school_class"):
        return _related(record, name, text)
    if EnrollmentRecord._meta.get_field(name).choices:
        return _choice(name, text)
    return text
