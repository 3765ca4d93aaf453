"""Phase 1: every row parsed and checked, then the rows checked against the database.

Nothing is written here. What is kept is what the write needs (the valid rows, compact)
and what later rows are checked against (keys seen, the organisation named).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from accounts.models import IdType
from records.imports.columns import ROSTER, ColumnSet, Row
from records.imports.results import RowError
from records.imports.sheet import Header, Sheet
from records.models import EnrollmentRecord, Institution, Level, SchoolClass
from records.rules import between, policy
from records.rules.values import RuleError, is_blank

CHUNK = 1000  # rows one query looks up
DUPLICATES_NAMED = 5  # other lines a duplicate's message names
MAX_CACHED = 200_000  # distinct parsed values kept; beyond it, values are parsed each time


_BLANK_ROW = dict.fromkeys(Row._fields, "")  # optional columns absent or blank


class RowReader:
    """Parses and checks rows one by one against a ColumnSet, remembering only what later
    rows and the write need: keys seen (duplicates), the institution named, and the valid
    rows. A kind of file subclasses it with its columns, the keys that must not repeat,
    its rules between fields (`_check_fields`) and its compact row (`_row`)."""

    columns: ColumnSet = ROSTER
    unique_keys: tuple[str, ...] = ()  # a value on two rows is an error (duplicate_errors)

    def __init__(self, sheet: Sheet, header: Header, scope: Institution | None):
        self.sheet, self.header, self.scope = sheet, header, scope
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []  # do not stop the import unless it is strict
        self.rows: list[Any] = []
        self.seen: dict[str, dict[str, list[int]]] = {key: {} for key in self.unique_keys}
        self.institution: tuple[str, str, int] | None = None  # code, name, first line
        by_key = self.columns.by_key
        self._columns = [(key, index, by_key[key]) for key, index in header.positions.items()]
        # Most columns repeat a few values (汉族, the college, the date of entry …): each
        # distinct value is parsed once, and every row shares the one parsed object.
        self._parsed: dict[tuple[str, type, Any], Any] = {}

    def error(self, line: int, key: str, reason: str) -> RowError:
        if key not in self.header.positions:  # a rule about a column the file lacks
            return RowError(line, "", "", reason)
        index = self.header.positions[key]
        return RowError(line, self.sheet.letter(index), self.header.titles[key], reason)

    def add(self, line: int, cells: list[Any]) -> None:
        values, errors = self._parse(line, cells)
        if values is None:
            return  # empty rows (and the padding after the last student) are not students
        errors += self._check_fields(line, values)
        self.warnings += self.row_warnings(line, values)
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
            if isinstance(parsed, RuleError):
                errors.append(self.error(line, key, parsed.reason))
            else:
                values[key] = parsed
        if not values and not errors:
            return None, []
        return values, [self.error(line, key, _("必填，不能为空")) for key in missing] + errors

    def _value(self, key: str, column, value: Any) -> Any:
        """The parsed value, or the RuleError (returned, not raised: it may be cached)."""
        cache_key = (key, value.__class__, value)
        shared = key not in self.columns.unique
        if shared and cache_key in self._parsed:
            return self._parsed[cache_key]
        try:
            parsed = column.parse(value)
        except RuleError as exc:
            parsed = exc
        if shared and len(self._parsed) < MAX_CACHED:
            self._parsed[cache_key] = parsed
        return parsed

    def _check_fields(self, line: int, values: dict[str, Any]) -> list[RowError]:
        return self._check_institution(line, values)

    def row_warnings(self, line: int, values: dict[str, Any]) -> list[RowError]:
        return []

    def _row(self, line: int, values: dict[str, Any]) -> Any:
        raise NotImplementedError

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

    def _remember_keys(self, line: int, values: dict[str, Any]) -> None:
        for key, seen in self.seen.items():
            if values.get(key):
                seen.setdefault(values[key], []).append(line)

    def duplicate_errors(self) -> list[RowError]:
        """Same 学号 or 考生号 on two rows: both rows are reported, each naming the other."""
        errors = []
        for key, seen in self.seen.items():
            title = self.columns.by_key[key].title
            for value, lines in seen.items():
                if len(lines) < 2:
                    continue
                for line in lines:
                    # At most a few lines named: 20,000 rows with one 学号 must not make
                    # 20,000 messages of 20,000 line numbers each.
                    named = [str(n) for n in lines if n != line][:DUPLICATES_NAMED]
                    others = "、".join(named)
                    if len(lines) - 1 > DUPLICATES_NAMED:
                        others += _(" 等 %(n)d") % {"n": len(lines) - 1}
                    reason = _("%(title)s %(value)s 与第 %(others)s 行重复") % {
                        "title": title,
                        "value": value,
                        "others": others,
                    }
                    errors.append(self.error(line, key, reason))
        return errors


class Validator(RowReader):
    """The roster's rows (records.imports.roster_import): a 学号 or 考生号 on two rows is an
    error, and a class belongs to one 分院."""

    unique_keys = ("student_number", "examinee_number")

    def __init__(self, sheet: Sheet, header: Header, scope: Institution | None):
        super().__init__(sheet, header, scope)
        self.class_college: dict[str, tuple[str, int]] = {}

    def _check_fields(self, line: int, values: dict[str, Any]) -> list[RowError]:
        """The rules between fields (records.rules.between): the ID number with its 证件类型,
        and against the birth date and sex on the row (seed 002: what the ID card says is
        the truth); the dates against each other and the 学制. The number is stored in
        its normal form."""
        found = between.by_field(between.problems(values), self.header.positions)
        errors = [self.error(line, key, reason) for key, reason in found.items()]
        errors += self._check_prior_degree(line, values)
        return errors + self._check_institution(line, values) + self._check_class(line, values)

    def _check_prior_degree(self, line: int, values: dict[str, Any]) -> list[RowError]:
        """专科毕业证书编号 is a 专升本 student's: only a 本科 record has a prior 专科 degree."""
        level = values.get("level")
        if not values.get("prior_certificate_number") or not level or level == Level.BACHELOR:
            return []
        reason = _("只有本科（专升本）学籍可以填写专科毕业证书编号，本行层次为“%(level)s”") % {
            "level": Level(level).label
        }
        return [self.error(line, "prior_certificate_number", reason)]

    def row_warnings(self, line: int, values: dict[str, Any]) -> list[RowError]:
        """What may be wrong but is not refused (records.rules.between.warnings): a
        14-digit 考生号 whose year or province digits disagree with 录取年份 or 生源省市."""
        # Each warning listed (a 考生号 may disagree with both the year and the province).
        return [
            self.error(line, problem.at(self.header.positions), problem.reason)
            for problem in between.warnings(values)
        ]

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

    def _row(self, line: int, values: dict[str, Any]) -> Row:
        values.setdefault("id_type", IdType.RESIDENT_ID.value)
        return Row(**{**_BLANK_ROW, **values, "line": line, "pk": None})


# --- Phase 1b: check the rows against the database ------------------------------------


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# What a row is matched and checked against (records.rules.policy needs the ID's type and
# the birth date; the 考生号 warnings the stored 考生号).
_MATCHED = (
    "pk", "institution_id", "student_number", "examinee_number", "name", "id_type",
    "id_number", "birth_date", "user_id",
)  # fmt: skip


def match_existing(validator: Validator, institution: Institution | None) -> list[RowError]:
    """Find the record each row updates (by 学号, else by 考生号) and refuse conflicts: a
    考生号 held by another record, a bound student's name or ID number changed, or a
    first-generation number replaced by its second-generation form (seed 002,
    records.rules.policy.new_card). A row that leaves
    the 考生号 blank keeps the stored one, which its warnings then read."""
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
                ).only(*_MATCHED)
            }
        wanted = [row.examinee_number for row in chunk if row.examinee_number]
        by_examinee = {
            r.examinee_number: r
            for r in EnrollmentRecord.objects.filter(examinee_number__in=wanted).only(*_MATCHED)
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
    if record is not None:
        if problem := policy.new_card(record, row.id_number):
            return None, validator.error(row.line, "id_number", problem.reason)
        if not row.examinee_number and record.examinee_number:
            values = {**row._asdict(), "examinee_number": record.examinee_number}
            validator.warnings += validator.row_warnings(row.line, values)
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


def institution_name_errors(validator: RowReader, institution: Institution | None) -> list:
    """The institution's name in the file must be the one its code is registered under."""
    code, name, line = validator.institution
    if institution is None or institution.name == name:
        return []
    reason = _("院校代码 %(code)s 在系统中登记为“%(name)s”，与此不一致") % {
        "code": code,
        "name": institution.name,
    }
    return [validator.error(line, "institution_name", reason)]


def check_organisation(validator: Validator, institution: Institution | None) -> list[RowError]:
    """The institution's name, and the 分院 of classes that exist already, must agree."""
    errors = institution_name_errors(validator, institution)
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
