"""Phase 1: every row parsed and checked, then the rows checked against the database.

Nothing is written here. What is kept is what the write needs (the valid rows, compact)
and what later rows are checked against (keys seen, the organisation named).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts import idnumbers
from accounts.models import IdType
from records.codes import Sex
from records.imports.cells import CellError, is_blank
from records.imports.columns import COLUMN, UNIQUE_KEYS, Row
from records.imports.results import RowError
from records.imports.sheet import Header, Sheet
from records.models import EnrollmentRecord, Institution, SchoolClass
from records.rules.examinee import examinee_number_warnings

CHUNK = 1000  # rows one query looks up
MAX_CACHED = 200_000  # distinct parsed values kept; beyond it, values are parsed each time


_BLANK_ROW = dict.fromkeys(Row._fields, "")  # optional columns absent or blank


def _born_and_sex(number: str) -> tuple[datetime.date, str]:
    """Birth date and GB/T 2261.1 sex of a number `idnumbers.validate` accepted (18 or
    15 digits): the same as idnumbers.birth_date / sex, without validating twice more."""
    digits, sequence = (
        (number[6:14], number[16]) if len(number) == 18 else ("19" + number[6:12], number[14])
    )
    born = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    return born, "1" if int(sequence) % 2 else "2"


class Validator:
    """Parses and checks rows one by one, remembering only what later rows and the
    write need: keys seen (duplicates), the organisation named, and the valid rows."""

    def __init__(self, sheet: Sheet, header: Header, scope: Institution | None):
        self.sheet, self.header, self.scope = sheet, header, scope
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []  # do not stop the import unless it is strict
        self.rows: list[Row] = []
        self.seen: dict[str, dict[str, list[int]]] = {"student_number": {}, "examinee_number": {}}
        self.institution: tuple[str, str, int] | None = None  # code, name, first line
        self.class_college: dict[str, tuple[str, int]] = {}
        self._columns = [(key, index, COLUMN[key]) for key, index in header.positions.items()]
        # Most columns repeat a few values (汉族, the college, the date of entry …): each
        # distinct value is parsed once, and every row shares the one parsed object.
        self._parsed: dict[tuple[str, type, Any], Any] = {}

    def error(self, line: int, key: str, reason: str) -> RowError:
        index = self.header.positions[key]
        return RowError(line, self.sheet.letter(index), self.header.titles[key], reason)

    def add(self, line: int, cells: list[Any]) -> None:
        values, errors = self._parse(line, cells)
        if values is None:
            return  # empty rows (and the padding after the last student) are not students
        errors += self._check_identity(line, values)
        errors += self._check_consistency(line, values)
        self.warnings += self._warnings(line, values)
        self._remember_keys(line, values)
        if errors:
            self.errors += errors
            self.rows.clear()  # the file is bad: nothing will be written, free the rows
        elif not self.errors:
            self.rows.append(self._row(line, values))

    def _parse(self, line: int, cells: list[Any]) -> tuple[dict[str, Any] | None, list[RowError]]:
        values: dict[str, Any] = {}
        errors, missing = [], []
        for key, index, column in self._columns:
            value = cells[index] if index < len(cells) else None
            if is_blank(value):
                if column.required:
                    missing.append(key)
                continue
            parsed = self._value(key, column, value)
            if isinstance(parsed, CellError):
                errors.append(self.error(line, key, parsed.reason))
            else:
                values[key] = parsed
        if not values and not errors:
            return None, []
        return values, [self.error(line, key, _("必填，不能为空")) for key in missing] + errors

    def _value(self, key: str, column, value: Any) -> Any:
        """The parsed value, or the CellError (returned, not raised: it may be cached)."""
        cache_key = (key, value.__class__, value)
        if key not in UNIQUE_KEYS and cache_key in self._parsed:
            return self._parsed[cache_key]
        try:
            parsed = column.parse(value)
        except CellError as exc:
            parsed = exc
        if key not in UNIQUE_KEYS and len(self._parsed) < MAX_CACHED:
            self._parsed[cache_key] = parsed
        return parsed

    def _check_identity(self, line: int, values: dict[str, Any]) -> list[RowError]:
        """Resident ID numbers: check digit, real birth date; birth date and sex on the
        row must agree with the number (seed 002: what the ID card says is the truth)."""
        number = values.get("id_number")
        if not number:
            return []
        if values.get("id_type", IdType.RESIDENT_ID) != IdType.RESIDENT_ID:
            values["id_number"] = number.upper()  # passports and permits: letters upper-case
            return []
        try:
            values["id_number"] = number = idnumbers.validate(number, allow_legacy=True)
        except ValidationError as exc:
            del values["id_number"]
            return [self.error(line, "id_number", exc.messages[0])]
        errors = []
        born, sex = _born_and_sex(number)
        if "birth_date" in values and values["birth_date"] != born:
            reason = _("与身份证号中的出生日期（%(date)s）不一致") % {"date": f"{born:%Y-%m-%d}"}
            errors.append(self.error(line, "birth_date", reason))
        if "sex" in values and values["sex"] != sex:
            reason = _("与身份证号显示的性别（%(sex)s）不一致") % {"sex": Sex(sex).label}
            errors.append(self.error(line, "sex", reason))
        return errors

    def _check_consistency(self, line: int, values: dict[str, Any]) -> list[RowError]:
        errors = []
        entry, leaving = values.get("entry_date"), values.get("expected_graduation")
        if entry and leaving and leaving <= entry:
            errors.append(self.error(line, "expected_graduation", _("应晚于入学日期")))
        born = values.get("birth_date")
        if born and entry and born >= entry:
            errors.append(self.error(line, "birth_date", _("应早于入学日期")))
        errors += self._check_institution(line, values)
        errors += self._check_class(line, values)
        return errors

    def _warnings(self, line: int, values: dict[str, Any]) -> list[RowError]:
        """What may be wrong but is not refused: a 14-digit 考生号 whose year or province
        digits disagree with 录取年份 or 生源省市 (records.rules.examinee)."""
        found = examinee_number_warnings(
            values.get("examinee_number", ""),
            values.get("admission_year"),
            values.get("origin_region"),
        )
        return [self.error(line, key, reason) for key, reason in found]

    def _check_institution(self, line: int, values: dict[str, Any]) -> list[RowError]:
        """One file, one institution: the first row sets it; a registrar's is their own."""
        code, name = values.get("institution_code"), values.get("institution_name")
        if not code or not name:
            return []
        if self.scope is not None and code != self.scope.code:
            reason = _("只能导入本校（%(code)s %(name)s）的名单") % {
                "code": self.scope.code,
                "name": self.scope.name,
            }
            return [self.error(line, "institution_code", reason)]
        if self.institution is None:
            self.institution = (code, name, line)
            return []
        first_code, first_name, first_line = self.institution
        if code != first_code:
            reason = _("一个文件只能导入一所院校：第 %(line)d 行为 %(code)s") % {
                "line": first_line,
                "code": first_code,
            }
            return [self.error(line, "institution_code", reason)]
        if name != first_name:
            reason = _("与第 %(line)d 行的“%(name)s”不一致") % {
                "line": first_line,
                "name": first_name,
            }
            return [self.error(line, "institution_name", reason)]
        return []

    def _check_class(self, line: int, values: dict[str, Any]) -> list[RowError]:
        code, college = values.get("class_code"), values.get("college_name")
        if not code or not college:
            return []
        owner, first_line = self.class_college.setdefault(code, (college, line))
        if owner == college:
            return []
        reason = _("班号 %(code)s 在第 %(line)d 行属于“%(college)s”：一个班只能属于一个分院") % {
            "code": code,
            "line": first_line,
            "college": owner,
        }
        return [self.error(line, "class_code", reason)]

    def _remember_keys(self, line: int, values: dict[str, Any]) -> None:
        for key, seen in self.seen.items():
            if values.get(key):
                seen.setdefault(values[key], []).append(line)

    def _row(self, line: int, values: dict[str, Any]) -> Row:
        values.setdefault("id_type", IdType.RESIDENT_ID.value)
        return Row(**{**_BLANK_ROW, **values, "line": line, "pk": None})

    def duplicate_errors(self) -> list[RowError]:
        """Same 学号 or 考生号 on two rows: both rows are reported, each naming the other."""
        errors = []
        for key, seen in self.seen.items():
            title = COLUMN[key].title
            for value, lines in seen.items():
                if len(lines) < 2:
                    continue
                for line in lines:
                    others = "、".join(str(n) for n in lines if n != line)
                    reason = _("%(title)s %(value)s 与第 %(others)s 行重复") % {
                        "title": title,
                        "value": value,
                        "others": others,
                    }
                    errors.append(self.error(line, key, reason))
        return errors


# --- Phase 1b: check the rows against the database ------------------------------------


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def match_existing(validator: Validator, institution: Institution | None) -> list[RowError]:
    """Find the record each row updates (by 学号, else by 考生号) and refuse conflicts: a
    考生号 held by another record, or a bound student's name or ID number changed."""
    errors: list[RowError] = []
    claimed: dict[int, int] = {}  # record pk -> the line that updates it
    for chunk_start in range(0, len(validator.rows), CHUNK):
        chunk = validator.rows[chunk_start : chunk_start + CHUNK]
        by_number = {}
        if institution is not None:
            by_number = {
                r.student_number: r
                for r in EnrollmentRecord.objects.filter(
                    institution=institution,
                    student_number__in=[row.student_number for row in chunk],
                ).only("pk", "student_number", "examinee_number", "name", "id_number", "user_id")
            }
        wanted = [row.examinee_number for row in chunk if row.examinee_number]
        by_examinee = {
            r.examinee_number: r
            for r in EnrollmentRecord.objects.filter(examinee_number__in=wanted).only(
                "pk",
                "institution_id",
                "student_number",
                "examinee_number",
                "name",
                "id_number",
                "user_id",
            )
        }
        for offset, row in enumerate(chunk):
            record, error = _resolve(validator, row, by_number, by_examinee, institution)
            if error is None and record is not None:
                error = _claim(validator, row, record, claimed)
            if error is not None:
                errors.append(error)
            elif record is not None:
                validator.rows[chunk_start + offset] = row._replace(pk=record.pk)
    return errors


def _resolve(validator, row: Row, by_number: dict, by_examinee: dict, institution):
    mine = by_number.get(row.student_number)
    holder = by_examinee.get(row.examinee_number) if row.examinee_number else None
    if holder is not None and (institution is None or holder.institution_id != institution.pk):
        return None, validator.error(
            row.line, "examinee_number", _("该考生号已登记在其他院校的学籍中")
        )
    if holder is not None and mine is not None and holder.pk != mine.pk:
        reason = _("该考生号已属于学号为 %(number)s 的学籍") % {"number": holder.student_number}
        return None, validator.error(row.line, "examinee_number", reason)
    record = mine or holder
    if (
        record is not None
        and record.user_id
        and (record.name, record.id_number) != (row.name, row.id_number)
    ):
        key = "name" if record.name != row.name else "id_number"
        reason = _("该学籍已绑定学生账号，姓名和证件号码不能通过导入修改，请走更正流程")
        return None, validator.error(row.line, key, reason)
    return record, None


def _claim(validator, row: Row, record, claimed: dict[int, int]) -> RowError | None:
    first = claimed.setdefault(record.pk, row.line)
    if first == row.line:
        return None
    reason = _("与第 %(line)d 行对应同一条已有学籍（学号 %(number)s）") % {
        "line": first,
        "number": record.student_number,
    }
    return validator.error(row.line, "student_number", reason)


def check_organisation(validator: Validator, institution: Institution | None) -> list[RowError]:
    """The institution's name, and the 分院 of classes that exist already, must agree."""
    code, name, line = validator.institution
    errors = []
    if institution is not None and institution.name != name:
        reason = _("院校代码 %(code)s 在系统中登记为“%(name)s”，与此不一致") % {
            "code": code,
            "name": institution.name,
        }
        errors.append(validator.error(line, "institution_name", reason))
    if institution is None or not validator.class_college:
        return errors
    existing = SchoolClass.objects.filter(
        institution=institution, code__in=list(validator.class_college)
    ).select_related("college")
    for school_class in existing:
        college, first_line = validator.class_college[school_class.code]
        if school_class.college.name != college:
            reason = _("班号 %(code)s 在系统中属于“%(college)s”") % {
                "code": school_class.code,
                "college": school_class.college.name,
            }
            errors.append(validator.error(first_line, "class_code", reason))
    return errors
