"""Degree files as schools send them, written with openpyxl for the degree import tests."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from records.models import EnrollmentRecord
from tests.records.roster_files import write_roster

HEADER = [
    "证书编号", "姓名", "性别", "出生日期", "证件类型", "证件号码", "院校代码", "院校名称",
    "专业名称", "层次", "学历类别", "学习形式", "入学日期", "毕业日期", "毕（结）业", "学号",
    "原证书编号",
]  # fmt: skip


def certificate(serial: int, *, code: str = "13999", year: int = 2027, level: str = "05") -> str:
    """An 18-digit registration number: 院校代码, 办学类型 1, year, 层次 code, serial."""
    return f"{code}1{year}{level}{serial:06d}"


def degree_of(record: EnrollmentRecord, serial: int, **changes: Any) -> dict[str, Any]:
    """The row of `record`'s 本科 degree (graduating 2027-06-30), then `changes`."""
    row = {
        "证书编号": certificate(serial),
        "姓名": record.name,
        "性别": record.get_sex_display(),
        "出生日期": record.birth_date.isoformat(),
        "证件类型": "居民身份证",
        "证件号码": record.id_number,
        "院校代码": record.institution.code,
        "院校名称": record.institution.name,
        "专业名称": record.major.name,
        "层次": record.get_level_display(),
        "学历类别": "普通",
        "学习形式": "普通全日制",
        "入学日期": record.entry_date.isoformat(),
        "毕业日期": "2027-06-30",
        "毕（结）业": "毕业",
        "学号": record.student_number,
        "原证书编号": "",
    }
    row.update(changes)
    return row


def write_degrees(path: Path, rows: list[dict[str, Any]]) -> Path:
    return write_roster(path, rows, header=HEADER)


def graduation(year: int) -> str:
    return datetime.date(year, 6, 30).isoformat()
