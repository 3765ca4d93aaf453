"""The columns a file of the import framework may have, under their Chinese headers
(`ColumnSet`: the roster's here, ROSTER; the degree file's in records.imports.degrees),
and the roster's validated row."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.utils.translation import gettext_lazy

from records.rules import RULES, values


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # the header the template writes and the page lists
    parse: Callable[[Any], Any]
    required: bool = True
    aliases: tuple[str, ...] = ()
    in_template: bool = True


def _text(max_length: int) -> Callable[[Any], str]:
    return lambda value: values.words(value, max_length)


def _field(key: str, title: str, **options) -> Column:
    """A column that is a record field: read by the field's rule (records.rules)."""
    return Column(key, title, RULES[key].read, **options)


COLUMNS: tuple[Column, ...] = (
    # 考生号 is optional: adult and online education rosters often have none.
    _field("examinee_number", "考生号", required=False),
    _field("name", "姓名"),
    _field("student_number", "学号"),
    _field("sex", "性别"),
    _field("birth_date", "出生日期"),
    _field("id_number", "身份证号", aliases=("证件号码", "身份证号码", "身份证件号码", "证件号")),
    _field("id_type", "证件类型", required=False, in_template=False),
    _field("ethnicity", "民族"),
    _field("origin_region", "生源省市", aliases=("生源地",)),
    Column("institution_code", "院校代码", values.parse_institution_code, aliases=("学校代码",)),
    Column("institution_name", "院校名称", _text(100), aliases=("学校名称",)),
    # Used only when the import creates the institution (院校 has a province).
    Column("institution_province", "院校所在省份", values.parse_province, required=False, in_template=False),
    _field("status", "学籍状态"),
    Column("major_name", "专业名称", _text(100), aliases=("专业",)),
    _field("duration", "学制"),
    _field("level", "层次"),
    _field("admission_year", "录取年份"),
    _field("study_form", "学习形式"),
    _field("category", "学历类别"),
    Column("college_name", "分院", _text(100), aliases=("分院校", "学院")),
    Column("department_name", "系所函授站", _text(100), required=False, aliases=("系(所、函授站)", "系所")),
    Column("class_code", "班号", values.parse_class_code, required=False),
    # 班级: the class's name when the roster has one; without it the name is the 班号.
    Column("class_name", "班级", _text(100), required=False, aliases=("班级名称",), in_template=False),
    _field("entry_date", "入学日期"),
    _field("expected_graduation", "预计毕业日期"),
    # 离校日期: once a student has left (已毕业, 退学 …); blank keeps what the record holds.
    _field("leaving_date", "离校日期", required=False),
    # 专升本 (seeds 002, 003): a 本科 student's 专科 diploma; linked to that degree when found
    # (records.services.prior_degrees). Blank keeps what the record holds.
    Column("prior_certificate_number", "专科毕业证书编号", values.parse_certificate_number, required=False, aliases=("专科毕业证号", "专科证书编号"), in_template=False),
)  # fmt: skip


def header_key(text: Any) -> str:
    """A header as written, folded: full-width brackets, spaces, the * of required
    columns and a trailing (必填) do not matter; 系(所、函授站) reads as 系所函授站."""
    key = values.SPACES.sub("", unicodedata.normalize("NFKC", str(text or ""))).strip("*:：")
    key = re.sub(r"\((必填|选填|可选|必须)\)$", "", key)
    return re.sub(r"[()、,，/]", "", key)


class ColumnSet:
    """The columns of one kind of file, and what the framework's messages call it.

    `unique` names the columns whose values are each one person's (not parsed once and
    shared, as the values every student has in common with many others are); `what` is
    the file's name in messages ("学生名单"), `hint` the headers a message suggests."""

    def __init__(
        self, columns: tuple[Column, ...], *, unique: frozenset[str], what: Any, hint: Any
    ):
        self.columns, self.unique, self.what, self.hint = columns, unique, what, hint
        self.by_key = {column.key: column for column in columns}
        self.template_header = [column.title for column in columns if column.in_template]
        self.header_keys = {
            header_key(name): column.key
            for column in columns
            for name in (column.title, *column.aliases)
        }


ROSTER = ColumnSet(
    COLUMNS,
    unique=frozenset(
        {"examinee_number", "name", "student_number", "id_number", "prior_certificate_number"}
    ),
    what=gettext_lazy("学生名单"),
    hint=gettext_lazy("“学号”“姓名”“身份证号”"),
)
TEMPLATE_HEADER = ROSTER.template_header


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
    leaving_date: datetime.date | str  # "" when the roster leaves it blank
    prior_certificate_number: str  # 专科毕业证书编号, "" when blank
