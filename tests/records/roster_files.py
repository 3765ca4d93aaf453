"""Rosters as offices send them, written with openpyxl for the import tests."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from portal.lib import idnumbers
from records.models import EnrollmentRecord

HEADER = [
    "考生号", "姓名", "学号", "性别", "出生日期", "身份证号", "民族", "生源省市", "院校代码",
    "院校名称", "学籍状态", "专业名称", "学制", "层次", "录取年份", "学习形式", "学历类别",
    "分院", "系所函授站", "班号", "入学日期", "预计毕业日期",
]  # fmt: skip


def id_number(n: int, *, sex: str | None = None) -> str:
    sex = sex or ("1" if n % 2 else "2")
    birth = datetime.date(2005, 1, 1) + datetime.timedelta(days=n)
    return idnumbers.generate(rng=random.Random(n), region="360102", birth=birth, sex=sex)


def student(n: int = 1, **changes: Any) -> dict[str, Any]:
    """One valid row (by header), student n of 示例职业大学 (13999), then `changes`."""
    number = id_number(n)
    birth = idnumbers.birth_date(number)
    row = {
        "考生号": f"23360102{n:06d}",
        "姓名": f"学生{n}",
        "学号": f"2023{n:06d}",
        "性别": "男" if idnumbers.sex(number) == "1" else "女",
        "出生日期": birth.isoformat(),
        "身份证号": number,
        "民族": "汉族",
        "生源省市": "江西省",
        "院校代码": "13999",
        "院校名称": "示例职业大学",
        "学籍状态": "在籍(注册学籍)",
        "专业名称": "软件技术",
        "学制": "3",
        "层次": "专科",
        "录取年份": "2023",
        "学习形式": "普通全日制",
        "学历类别": "普通",
        "分院": "信息工程学院",
        "系所函授站": "",
        "班号": "2023101",
        "入学日期": "2023-09-01",
        "预计毕业日期": "2026-07-01",
    }
    row.update(changes)
    return row


def newcomer(n: int, **changes) -> dict:
    """A row of a student the database does not hold (the factories number theirs
    23360102… and 2023…)."""
    return student(n, **{"考生号": f"23360199{n:06d}", "学号": f"2099{n:06d}", **changes})


def row_of(record: EnrollmentRecord, **changes) -> dict:
    """The roster row that re-imports `record` as it stands, then `changes`."""
    values = dict(
        考生号=record.examinee_number,
        姓名=record.name,
        学号=record.student_number,
        性别=record.get_sex_display(),
        出生日期=record.birth_date.isoformat(),
        身份证号=record.id_number,
        民族=record.get_ethnicity_display(),
        生源省市=record.origin_region,
        学籍状态=record.get_status_display(),
        专业名称=record.major.name,
        学制=f"{Decimal(record.duration).normalize():f}",
        层次=record.get_level_display(),
        录取年份=str(record.admission_year),
        学习形式=record.get_study_form_display(),
        学历类别=record.get_category_display(),
        分院=record.college.name,
        班号=record.school_class.code,
        入学日期=record.entry_date.isoformat(),
        预计毕业日期=record.expected_graduation.isoformat(),
    )
    return student(1, **{**values, **changes})


def write_roster(
    path: Path,
    rows: list[dict[str, Any]],
    *,
    header: list[str] | None = None,
    title_rows: list[list[Any]] | None = None,
) -> Path:
    """Title rows (if any), the header, then each row's values in header order."""
    header = header or HEADER
    workbook = Workbook()
    sheet = workbook.active
    for title in title_rows or []:
        sheet.append(title)
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(name, "") for name in header])
    workbook.save(path)
    return path
