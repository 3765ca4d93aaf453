"""The columns a roster may have, under their Chinese headers, and a validated row."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from accounts.models import IdType
from records.imports import cells
from records.models import Category, Level, RecordStatus, StudyForm


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # the header the template writes and the page lists
    parse: Callable[[Any], Any]
    required: bool = True
    aliases: tuple[str, ...] = ()
    in_template: bool = True


# Labels offices write besides the choices' own (学信网 shows 在籍 for 在籍(注册学籍)).
_STATUS_ALIASES = (
    ("在籍", RecordStatus.REGISTERED.value),
    ("注册学籍", RecordStatus.REGISTERED.value),
)
_LEVEL_ALIASES = (
    ("高职", Level.JUNIOR_COLLEGE.value),
    ("专科(高职)", Level.JUNIOR_COLLEGE.value),
    ("高职(专科)", Level.JUNIOR_COLLEGE.value),
    ("硕士", Level.MASTER.value),
    ("博士", Level.DOCTOR.value),
)


def _text(max_length: int) -> Callable[[Any], str]:
    return lambda value: cells.words(value, max_length)


def _code(max_length: int) -> Callable[[Any], str]:
    return lambda value: cells.identifier(value, max_length)


COLUMNS: tuple[Column, ...] = (
    # 考生号 is optional: adult and online education rosters often have none.
    Column("examinee_number", "考生号", _code(20), required=False),
    Column("name", "姓名", _text(50)),
    Column("student_number", "学号", _code(20)),
    Column("sex", "性别", cells.parse_sex),
    Column("birth_date", "出生日期", cells.parse_date),
    Column("id_number", "身份证号", cells.parse_id_number, aliases=("证件号码", "身份证号码", "身份证件号码", "证件号")),
    Column("id_type", "证件类型", cells.choice(IdType, "证件类型"), required=False, in_template=False),
    Column("ethnicity", "民族", cells.parse_ethnicity),
    Column("origin_region", "生源省市", cells.parse_region, aliases=("生源地",)),
    Column("institution_code", "院校代码", cells.parse_institution_code, aliases=("学校代码",)),
    Column("institution_name", "院校名称", _text(100), aliases=("学校名称",)),
    # Used only when the import creates the institution (院校 has a province).
    Column("institution_province", "院校所在省份", cells.parse_province, required=False, in_template=False),
    Column("status", "学籍状态", cells.choice(RecordStatus, "学籍状态", _STATUS_ALIASES)),
    Column("major_name", "专业名称", _text(100), aliases=("专业",)),
    Column("duration", "学制", cells.parse_duration),
    Column("level", "层次", cells.choice(Level, "层次", _LEVEL_ALIASES)),
    Column("admission_year", "录取年份", cells.parse_year),
    Column("study_form", "学习形式", cells.choice(StudyForm, "学习形式")),
    Column("category", "学历类别", cells.choice(Category, "学历类别")),
    Column("college_name", "分院", _text(100), aliases=("分院校", "学院")),
    Column("department_name", "系所函授站", _text(100), required=False, aliases=("系(所、函授站)", "系所")),
    Column("class_code", "班号", cells.parse_class_code, required=False),
    # 班级: the class's name when the roster has one; without it the name is the 班号.
    Column("class_name", "班级", _text(100), required=False, aliases=("班级名称",), in_template=False),
    Column("entry_date", "入学日期", cells.parse_date),
    Column("expected_graduation", "预计毕业日期", cells.parse_date),
)  # fmt: skip
COLUMN = {column.key: column for column in COLUMNS}
TEMPLATE_HEADER = [column.title for column in COLUMNS if column.in_template]

# Values every student has in common with many others: one shared object each.
UNIQUE_KEYS = frozenset({"examinee_number", "name", "student_number", "id_number"})


def header_key(text: Any) -> str:
    """A header as written, folded: full-width brackets, spaces, the * of required
    columns and a trailing (必填) do not matter; 系(所、函授站) reads as 系所函授站."""
    key = cells.SPACES.sub("", unicodedata.normalize("NFKC", str(text or ""))).strip("*:：")
    key = re.sub(r"\((必填|选填|可选|必须)\)$", "", key)
    return re.sub(r"[()、,，/]", "", key)


HEADER_KEYS = {
    header_key(name): column.key for column in COLUMNS for name in (column.title, *column.aliases)
}


class Row(NamedTuple):
    """A validated row, compact: 50,000 of them are held until the write."""

    line: int
    pk: int | None
    examinee_number: str
    name: str
    student_number: str
    sex: str
    birth_date: datetime.date
    id_type: str
    id_number: str
    ethnicity: str
    origin_region: str
    institution_code: str
    institution_name: str
    institution_province: str
    status: str
    major_name: str
    duration: Decimal
    level: str
    admission_year: int
    study_form: str
    category: str
    college_name: str
    department_name: str
    class_code: str
    class_name: str
    entry_date: datetime.date
    expected_graduation: datetime.date
