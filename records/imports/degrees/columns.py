"""The columns of a school's degree file (学历名单), under their Chinese headers, and a
validated row. Each value is read by its field's rule (records.rules DEGREE_RULES), as
the degree admin reads it."""

from __future__ import annotations

import datetime
from typing import Any, NamedTuple

from django.utils.translation import gettext_lazy

from records.imports.columns import Column, ColumnSet
from records.rules import DEGREE_RULES, RULES, values


def _degree(key: str, title: str, **options) -> Column:
    return Column(key, title, DEGREE_RULES[key].read, **options)


DEGREE_COLUMNS: tuple[Column, ...] = (
    _degree("certificate_number", "证书编号", aliases=("毕业证书编号", "学历证书编号", "证书号")),
    _degree("name", "姓名"),
    _degree("sex", "性别"),
    _degree("birth_date", "出生日期"),
    # Blank: a resident ID (or a residence permit, by its digits: records.rules.between).
    Column("id_type", "证件类型", RULES["id_type"].read, required=False),
    _degree("id_number", "证件号码", aliases=("身份证号", "身份证号码", "身份证件号码", "证件号")),
    Column("institution_code", "院校代码", values.parse_institution_code, aliases=("学校代码",)),
    Column("institution_name", "院校名称", lambda v: values.words(v, 100), aliases=("学校名称",)),
    _degree("major_name", "专业名称", aliases=("专业",)),
    _degree("level", "层次"),
    _degree("category", "学历类别"),
    _degree("study_form", "学习形式"),
    # Degrees of 1991–2000 were registered afterwards, often without it (seed 002).
    _degree("entry_date", "入学日期", required=False),
    _degree("graduation_date", "毕业日期"),
    _degree("graduation_kind", "毕（结）业", aliases=("毕结业", "毕业结业", "毕业类型")),
    _degree("student_number", "学号", required=False),
    # Seed 002: before 2001 most certificates carry the school's own number as well.
    _degree("school_number", "原证书编号", required=False, aliases=("学校证书编号", "学校编号")),
)  # fmt: skip

DEGREES = ColumnSet(
    DEGREE_COLUMNS,
    unique=frozenset(
        {"certificate_number", "name", "id_number", "student_number", "school_number"}
    ),
    what=gettext_lazy("学历名单"),
    hint=gettext_lazy("“证书编号”“姓名”“证件号码”"),
)
DEGREE_TEMPLATE_HEADER = DEGREES.template_header


class DegreeRow(NamedTuple):
    """A validated row, and what phase 1b found for it: the degree it updates (pk), the
    学籍 it belongs to and that record's account."""

    line: int
    certificate_number: str
    name: str
    sex: str
    birth_date: datetime.date
    id_type: str
    id_number: str
    institution_code: str
    institution_name: str
    major_name: str
    level: str
    category: str
    study_form: str
    entry_date: datetime.date | None
    graduation_date: datetime.date
    graduation_kind: str
    student_number: str
    school_number: str
    pk: int | None = None
    record_pk: int | None = None
    record_user_id: int | None = None

    @classmethod
    def of(cls, line: int, found: dict[str, Any]) -> DegreeRow:
        blank = {"student_number": "", "school_number": "", "entry_date": None}
        return cls(line=line, **{**blank, **found})
