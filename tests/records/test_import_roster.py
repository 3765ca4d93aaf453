"""Roster import (records.imports.roster_import) and `manage.py import_roster`, on real
.xlsx files written with openpyxl the way offices send them."""

from __future__ import annotations

import datetime
import io
import struct
import zipfile
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from portal.lib.models import AuditEvent
from records import imports
from records.imports import RosterImportError
from records.imports import archive as archive_checks
from records.models import (
    College,
    Department,
    EnrollmentRecord,
    Institution,
    Major,
    RecordStatus,
    SchoolClass,
)
from tests.records.roster_files import HEADER, id_number, student, write_roster

pytestmark = pytest.mark.django_db


def roster_import(**options):
    """The rosters here name colleges and majors that are new on purpose, and say yes to
    them (allow_new_colleges); tests/records/test_reimport.py tests the refusal."""
    return imports.roster_import(**{"allow_new_colleges": True, **options})


def _messages(result) -> list[str]:
    return [str(error) for error in result.errors]


# --- A good file --------------------------------------------------------------------


def test_a_good_file_creates_the_institution_colleges_majors_classes_and_records(roster):
    rows = [student(1), student(2, 分院="机电学院", 专业名称="机电一体化", 班号="2023201")]

    result = roster_import(file=roster(rows))

    assert (result.created, result.updated, result.unchanged, result.errors) == (2, 0, 0, [])
    assert result.institution_created
    institution = Institution.objects.get(code="13999")
    assert institution.name == "示例职业大学"
    assert set(College.objects.values_list("name", flat=True)) == {"信息工程学院", "机电学院"}
    major = Major.objects.get(name="软件技术")
    assert (major.level, major.duration) == ("junior_college", Decimal("3"))
    school_class = SchoolClass.objects.get(code="2023101")
    assert (school_class.name, school_class.cohort) == ("2023101", 2023)
    assert school_class.college.name == "信息工程学院"
    record = EnrollmentRecord.objects.get(student_number="2023000001")
    assert record.school_class == school_class
    assert record.examinee_number == "23360102000001"
    assert record.origin_region == "360000"
    assert record.ethnicity == "01"
    assert record.status == RecordStatus.REGISTERED
    assert record.study_form == "regular_full_time"
    assert record.category == "regular"
    assert record.entry_date == datetime.date(2023, 9, 1)
    assert record.birth_date == datetime.date(2005, 1, 2)


def test_the_header_may_sit_under_a_title_row_and_rows_keep_their_excel_numbers(roster):
    rows = [student(1), student(2, 民族="火星族")]
    path = roster(rows, title_rows=[["示例职业大学 2023 级新生名单"], []])

    result = roster_import(file=path)

    # title (1), blank (2), header (3), students on rows 4 and 5
    assert _messages(result) == ["第 5 行，G 列（民族）：“火星族”不是 GB 3304 中的民族名称"]


def test_a_sheet_that_starts_further_right_reports_the_real_column_letters(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["名单"])
    sheet.append([None, None, *HEADER])  # the header starts in column C
    row = student(1, 民族="火星族")
    sheet.append([None, None, *(row[name] for name in HEADER)])
    workbook.save(tmp_path / "shifted.xlsx")

    result = roster_import(file=tmp_path / "shifted.xlsx")

    assert _messages(result) == ["第 3 行，I 列（民族）：“火星族”不是 GB 3304 中的民族名称"]


def test_columns_in_any_order_and_extra_columns_are_ignored(roster):
    header = ["序号", *reversed(HEADER), "备注"]
    rows = [{**student(1), "序号": 1, "备注": "转专业"}]

    result = roster_import(file=roster(rows, header=header))

    assert result.created == 1
    assert EnrollmentRecord.objects.get().name == "学生1"


def test_header_spellings_are_accepted(roster):
    header = [
        "证件号码" if h == "身份证号" else "系（所、函授站）" if h == "系所函授站" else h
        for h in HEADER
    ] + ["班级"]
    row = student(1, 系所函授站="南昌函授站", 班级="软件 2301 班")
    row["证件号码"], row["系（所、函授站）"] = row["身份证号"], row["系所函授站"]

    result = roster_import(file=roster([row], header=header))

    assert result.created == 1
    record = EnrollmentRecord.objects.get()
    assert record.department.name == "南昌函授站"
    assert record.school_class.name == "软件 2301 班"
    assert Department.objects.get().college.name == "信息工程学院"


def test_numbers_typed_as_numbers_are_read_as_their_digits(roster):
    sex = 1 if student(1)["性别"] == "男" else 2
    row = student(
        1,
        考生号=23360102000001,
        学号=2023000001,
        性别=sex,
        生源省市=360102,
        院校代码=13999,
        学制=2.5,
        录取年份=2023,
        民族=1,
    )

    result = roster_import(file=roster([row]))

    assert result.errors == []
    record = EnrollmentRecord.objects.get()
    assert record.student_number == "2023000001"
    assert record.examinee_number == "23360102000001"
    assert record.origin_region == "360102"
    assert record.duration == Decimal("2.5")
    assert record.admission_year == 2023
    assert record.ethnicity == "01"


@pytest.mark.parametrize(
    "written",
    [
        "2005-01-02",
        "2005/1/2",
        "2005.1.2",
        "20050102",
        20050102,
        "2005年1月2日",
        "２００５年１月２日",
        "2005-01-02 00:00:00",
        datetime.date(2005, 1, 2),
        datetime.datetime(2005, 1, 2),
    ],
)
def test_dates_in_every_usual_spelling(roster, written):
    row = student(1, 出生日期=written)

    result = roster_import(file=roster([row]))

    assert result.errors == []
    assert EnrollmentRecord.objects.get().birth_date == datetime.date(2005, 1, 2)


def test_excel_date_cells_with_chinese_formats_are_dates(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([student(1)[name] for name in HEADER])
    for column, value in (("E", datetime.date(2005, 1, 2)), ("U", datetime.date(2023, 9, 1))):
        sheet[f"{column}2"] = value
        sheet[f"{column}2"].number_format = 'yyyy"年"m"月"d"日"'
    workbook.save(tmp_path / "dates.xlsx")

    result = roster_import(file=tmp_path / "dates.xlsx")

    assert result.errors == []
    assert EnrollmentRecord.objects.get().entry_date == datetime.date(2023, 9, 1)


def test_full_width_digits_stray_spaces_and_lower_case_x(roster):
    number = next(id_number(n) for n in range(1, 200) if id_number(n).endswith("X"))
    full_width = number[:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "x"
    row = student(
        1, 身份证号=f" {full_width}\u3000", 学号=" ２０２３０００００１ ", 姓名=" 王　五 "
    )
    row["出生日期"] = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    row["性别"] = "男" if int(number[16]) % 2 else "女"

    result = roster_import(file=roster([row]))

    assert result.errors == []
    record = EnrollmentRecord.objects.get()
    assert record.id_number == number
    assert record.student_number == "2023000001"
    assert record.name == "王五"  # the padding space of a two-character name goes


@pytest.mark.parametrize("written", ["汉族", "汉", " 汉 ", "01", 1])
def test_ethnicity_with_or_without_the_zu(roster, written):
    result = roster_import(file=roster([student(1, 民族=written)]))

    assert result.errors == []
    assert EnrollmentRecord.objects.get().ethnicity == "01"


@pytest.mark.parametrize(
    ("written", "code"),
    [("江西省", "360000"), ("江西", "360000"), ("北京", "110000"), ("广西壮族自治区", "450000"),
     ("广西", "450000"), ("内蒙古", "150000"), ("新疆", "650000"), ("360102", "360102")],
)  # fmt: skip
def test_origin_as_province_name_or_code(roster, written, code):
    result = roster_import(file=roster([student(1, 生源省市=written)]))

    assert result.errors == []
    assert EnrollmentRecord.objects.get().origin_region == code


@pytest.mark.parametrize(
    "written", ["在籍", "在籍(注册学籍)", "在籍（注册学籍）", " 在籍（注册学籍） "]
)
def test_status_with_either_bracket(roster, written):
    result = roster_import(file=roster([student(1, 学籍状态=written)]))

    assert result.errors == []
    assert EnrollmentRecord.objects.get().status == RecordStatus.REGISTERED


@pytest.mark.parametrize(
    ("written", "years"), [("4", "4"), (4, "4"), ("四年", "4"), ("2.5年", "2.5")]
)
def test_duration_as_digits_or_words(roster, written, years):
    # Dates that agree with a 4-year course (the rule between 学制 and the dates).
    leaving = "2025-06-30" if years == "2.5" else "2027-06-30"
    result = roster_import(file=roster([student(1, 学制=written, 预计毕业日期=leaving)]))

    assert result.errors == []
    assert EnrollmentRecord.objects.get().duration == Decimal(years)


def test_other_documents_than_the_resident_id_card_are_not_checked_as_one(roster):
    header = [*HEADER, "证件类型"]
    row = student(1, 证件类型="护照", 身份证号="e12345678")

    result = roster_import(file=roster([row], header=header))

    assert result.errors == []
    record = EnrollmentRecord.objects.get()
    assert (record.id_type, record.id_number) == ("passport", "E12345678")


def test_a_new_institution_takes_its_province_from_the_optional_column(roster):
    header = [*HEADER, "院校所在省份"]

    roster_import(file=roster([student(1, 院校所在省份="江西")], header=header))

    assert Institution.objects.get().province == "360000"


def test_rare_characters_in_names_survive(roster):
    result = roster_import(file=roster([student(1, 姓名="𠮷䶮"), student(2, 姓名="买买提·艾力")]))

    assert result.errors == []
    names = set(EnrollmentRecord.objects.values_list("name", flat=True))
    assert names == {"𠮷䶮", "买买提·艾力"}


def test_a_college_written_once_over_merged_cells_counts_for_every_row(tmp_path):
    path = write_roster(tmp_path / "merged.xlsx", [student(1), student(2), student(3)])
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    sheet = workbook.active
    sheet["R3"], sheet["R4"] = None, None
    sheet.merge_cells("R2:R4")  # 分院
    workbook.save(path)

    result = roster_import(file=path)

    assert result.errors == []
    assert set(EnrollmentRecord.objects.values_list("college__name", flat=True)) == {"信息工程学院"}


# --- Every bad row is reported, and nothing is written -----------------------------


def test_a_wrong_check_digit_is_reported_by_row_and_column(roster):
    number = id_number(2)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")

    result = roster_import(file=roster([student(1), student(2, 身份证号=wrong)]))

    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column, error.header) == (3, "F", "身份证号")
    assert "校验位不正确" in error.reason
    assert str(error).startswith("第 3 行，F 列（身份证号）：")


def test_birth_date_and_sex_must_agree_with_the_id_number(roster):
    right = student(1)["性别"]
    wrong = "女" if right == "男" else "男"

    result = roster_import(file=roster([student(1, 出生日期="2005-01-03", 性别=wrong)]))

    assert _messages(result) == [
        f"第 2 行，D 列（性别）：性别（{wrong}）与身份证号显示的性别（{right}）不一致",
        "第 2 行，E 列（出生日期）：出生日期（2005-01-03）与身份证号中的出生日期（2005-01-02）不一致",
    ]


def test_unknown_codes_and_impossible_dates_are_reported(roster):
    row = student(
        1,
        民族="火星族",
        生源省市="火星",
        学籍状态="在读",
        层次="大专班",
        学习形式="周末",
        学历类别="其他",
        入学日期="2023-02-30",
        院校代码="1399",
    )

    result = roster_import(file=roster([row]))

    columns = [error.header for error in result.errors]
    assert columns == [
        "民族", "生源省市", "院校代码", "学籍状态", "层次", "学习形式", "学历类别", "入学日期",
    ]  # fmt: skip
    assert "日期“2023-02-30”不存在" in _messages(result)[-1]
    assert "可填：未注册、在籍(注册学籍)" in result.errors[3].reason


def test_missing_values_in_required_columns_are_reported(roster):
    result = roster_import(file=roster([student(1, 姓名="", 民族=" ", 考生号="", 班号="")]))

    assert _messages(result) == [
        "第 2 行，B 列（姓名）：必填，不能为空",
        "第 2 行，G 列（民族）：必填，不能为空",
    ]


def test_a_missing_required_column_refuses_the_file(roster):
    header = [h for h in HEADER if h not in ("学号", "民族")]

    with pytest.raises(RosterImportError, match="缺少必填列：学号、民族"):
        roster_import(file=roster([student(1)], header=header))


def test_a_column_given_twice_refuses_the_file(roster):
    header = [*HEADER, "证件号码"]

    with pytest.raises(RosterImportError, match="“身份证号”出现了不止一次"):
        roster_import(file=roster([student(1)], header=header))


def test_duplicates_inside_the_file_report_both_rows(roster):
    rows = [
        student(1),
        student(2, 学号="2023000001"),
        student(3, 考生号="23360102000001"),
    ]

    result = roster_import(file=roster(rows))

    assert _messages(result) == [
        "第 2 行，A 列（考生号）：考生号 23360102000001 与第 4 行重复",
        "第 2 行，C 列（学号）：学号 2023000001 与第 3 行重复",
        "第 3 行，C 列（学号）：学号 2023000001 与第 2 行重复",
        "第 4 行，A 列（考生号）：考生号 23360102000001 与第 2 行重复",
    ]


def test_an_id_number_stored_as_a_number_is_reported(roster):
    n = next(n for n in range(1, 100) if not id_number(n).endswith("X"))

    result = roster_import(file=roster([student(n, 身份证号=int(id_number(n)))]))

    assert _messages(result) == [
        "第 2 行，F 列（身份证号）：身份证号被 Excel 存为数字，已丢失末位，请将该列设为文本后重新导出"
    ]


def test_graduation_must_come_after_entry(roster):
    result = roster_import(file=roster([student(1, 预计毕业日期="2023-07-01")]))

    assert _messages(result) == ["第 2 行，V 列（预计毕业日期）：预计毕业日期应晚于入学日期"]


def test_dates_must_agree_with_the_duration(roster):
    row = student(1, 学制="4", 入学日期="2023-09-01", 预计毕业日期="2025-07-01")

    result = roster_import(file=roster([row]))

    assert _messages(result) == [
        "第 2 行，V 列（预计毕业日期）：入学日期至预计毕业日期约 1.8 年，与学制（4 年）不符"
    ]


def test_one_class_belongs_to_one_college(roster):
    rows = [student(1), student(2, 分院="机电学院")]

    result = roster_import(file=roster(rows))

    assert [e.row for e in result.errors] == [3]
    assert "一个班只能属于一个分院" in result.errors[0].reason


def test_one_bad_row_writes_nothing(roster):
    rows = [student(n) for n in range(1, 50)] + [student(50, 性别="未知")]

    result = roster_import(file=roster(rows))

    assert result.created == 0
    assert len(result.errors) == 1
    assert not Institution.objects.exists()
    assert not College.objects.exists()
    assert not EnrollmentRecord.objects.exists()


def test_a_registrar_imports_only_their_own_institution(roster, world):
    result = roster_import(
        file=roster([student(1, 院校代码="13998", 院校名称="另一所大学")]), by=world.registrar
    )

    assert _messages(result) == [
        "第 2 行，I 列（院校代码）：只能导入本校（13999 示例职业大学）的名单"
    ]


def test_a_file_holds_one_institution(roster):
    result = roster_import(file=roster([student(1), student(2, 院校代码="13998")]))

    assert [(e.row, e.header) for e in result.errors] == [(3, "院校代码")]


# --- Re-import ------------------------------------------------------------------------


def test_a_reimport_updates_in_place_and_counts_unchanged(roster):
    roster_import(file=roster([student(1), student(2), student(3)]))
    first_pk = EnrollmentRecord.objects.get(student_number="2023000001").pk
    # created rows are audited once per import, not one by one
    assert AuditEvent.objects.filter(action="records.imported").count() == 0

    result = roster_import(
        file=roster([student(1, 学籍状态="休学"), student(2), student(3), student(4)])
    )

    assert (result.created, result.updated, result.unchanged) == (1, 1, 2)
    assert EnrollmentRecord.objects.count() == 4
    record = EnrollmentRecord.objects.get(student_number="2023000001")
    assert record.pk == first_pk
    assert record.status == RecordStatus.SUSPENDED
    event = AuditEvent.objects.get(action="records.imported")
    assert event.target_id == str(first_pk)
    assert event.changes == {"status": ["registered", "suspended"]}
    assert AuditEvent.objects.filter(action="records.roster_imported").count() == 2


def test_a_reimport_finds_the_record_by_examinee_number_when_the_student_number_changed(roster):
    roster_import(file=roster([student(1)]))

    result = roster_import(file=roster([student(1, 学号="2023999999")]))

    assert (result.created, result.updated) == (0, 1)
    assert EnrollmentRecord.objects.get().student_number == "2023999999"


def test_a_blank_optional_cell_keeps_the_stored_value(roster):
    roster_import(file=roster([student(1)]))

    result = roster_import(file=roster([student(1, 考生号="", 班号="")]))

    assert result.unchanged == 1
    record = EnrollmentRecord.objects.get()
    assert record.examinee_number == "23360102000001"
    assert record.school_class.code == "2023101"


def test_an_examinee_number_held_by_another_record_is_an_error(roster):
    roster_import(file=roster([student(1), student(2)]))

    result = roster_import(file=roster([student(1, 考生号="23360102000002")]))

    assert _messages(result) == ["第 2 行，A 列（考生号）：该考生号已属于学号为 2023000002 的学籍"]


def test_a_bound_students_id_number_cannot_change_by_import(roster, world):
    record = world.alice_record
    row = student(
        1,
        学号=record.student_number,
        考生号=record.examinee_number,
        分院=record.college.name,
        班号=record.school_class.code,
    )

    result = roster_import(file=roster([row]), by=world.registrar)

    assert [e.header for e in result.errors] == ["姓名"]
    assert "已绑定学生账号" in result.errors[0].reason
    record.refresh_from_db()
    assert record.name == "李晓梅"


def test_an_existing_class_keeps_its_college(roster, world):
    row = student(1, 分院="经管学院", 班号=world.class_a.code)

    result = roster_import(file=roster([row]), by=world.registrar)

    assert "在系统中属于“理工学院”" in result.errors[0].reason


def test_a_dry_run_counts_but_writes_nothing(roster):
    result = roster_import(file=roster([student(1), student(2)]), dry_run=True)

    assert (result.created, result.dry_run, result.institution_created) == (2, True, True)
    assert not Institution.objects.exists()
    assert not EnrollmentRecord.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_job_result_caps_the_error_list(roster):
    result = roster_import(file=roster([student(n, 民族="?") for n in range(1, 8)]))

    shown = result.as_dict(max_errors=5)

    assert shown["failed"] is True
    assert len(shown["errors"]) == 5
    assert shown["errors_more"] == 2
    assert shown["errors"][0] == {
        "row": 2,
        "column": "G",
        "header": "民族",
        "reason": result.errors[0].reason,
    }


def test_progress_is_reported(roster):
    class Progress:
        def __init__(self):
            self.total, self.done, self.messages = 0, 0, []

        def set_total(self, total, message=""):
            self.total = total
            self.messages.append(message)

        def advance(self, n=1, message=""):
            self.done += n

        def finish(self, message):
            self.closing = message

    progress = Progress()

    roster_import(file=roster([student(n) for n in range(1, 6)]), progress=progress)

    assert progress.total == progress.done == 10  # validation, then the write
    assert progress.messages == ["正在校验…", "校验通过，正在写入…", "导入完成"]
    assert progress.closing == "导入完成"  # what the job page keeps once it has ended


# --- Files that are not rosters --------------------------------------------------------


def test_a_file_that_is_not_xlsx_is_refused_in_chinese(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_text("学号,姓名\n2023000001,张三\n", encoding="utf-8")

    with pytest.raises(RosterImportError, match="不是 Excel .xlsx 工作簿"):
        roster_import(file=path)


def test_an_old_xls_file_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "roster.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)

    with pytest.raises(RosterImportError, match="另存为” .xlsx"):
        roster_import(file=path)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "hello")

    with pytest.raises(RosterImportError, match="不是 Excel .xlsx 工作簿"):
        roster_import(file=path)


def test_a_zip_bomb_is_refused_before_reading(roster, monkeypatch):
    path = roster([student(1)])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * 3_000_000)
    monkeypatch.setattr(archive_checks, "MAX_UNPACKED_BYTES", 2_000_000)

    with pytest.raises(RosterImportError, match="压缩炸弹"):
        roster_import(file=path)


def test_a_zip_bomb_that_lies_about_its_size_is_refused(roster, monkeypatch):
    path = roster([student(1)])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * 3_000_000)
    _declare_size(path, "xl/media/padding.bin", 10)
    with zipfile.ZipFile(path) as archive:  # the headers now say 10 bytes
        assert archive.getinfo("xl/media/padding.bin").file_size == 10
    monkeypatch.setattr(archive_checks, "MAX_UNPACKED_BYTES", 2_000_000)

    with pytest.raises(RosterImportError, match="压缩炸弹"):
        roster_import(file=path)


def test_too_many_zip_entries_are_refused(roster, monkeypatch):
    monkeypatch.setattr(archive_checks, "MAX_ZIP_ENTRIES", 5)

    with pytest.raises(RosterImportError, match="条目过多"):
        roster_import(file=roster([student(1)]))


def test_a_sheet_without_a_header_is_refused(tmp_path):
    workbook = Workbook()
    workbook.active.append(["随便", "什么"])
    workbook.save(tmp_path / "other.xlsx")

    with pytest.raises(RosterImportError, match="找不到表头"):
        roster_import(file=tmp_path / "other.xlsx")


def test_a_header_without_students_is_refused(roster):
    with pytest.raises(RosterImportError, match="名单中没有学生"):
        roster_import(file=roster([]))


def test_a_file_object_is_accepted(roster):
    with open(roster([student(1)]), "rb") as handle:
        result = roster_import(file=io.BytesIO(handle.read()))

    assert result.created == 1


def _declare_size(path, name: str, size: int) -> None:
    """Rewrite the local and the central header of `name` to declare `size` bytes."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        struct.pack_into("<I", data, archive.getinfo(name).header_offset + 22, size)
    offset = 0
    while (offset := data.find(b"PK\x01\x02", offset)) != -1:
        name_length = struct.unpack_from("<H", data, offset + 28)[0]
        if data[offset + 46 : offset + 46 + name_length] == name.encode():
            struct.pack_into("<I", data, offset + 24, size)
        offset += 4
    path.write_bytes(bytes(data))


# --- The command ------------------------------------------------------------------------


def test_the_command_prints_the_counts(roster):
    out = io.StringIO()

    call_command(
        "import_roster", str(roster([student(1), student(2)])), "--allow-new-colleges", stdout=out
    )

    assert "新建 2 条，更新 0 条，未变 0 条" in out.getvalue()
    assert EnrollmentRecord.objects.count() == 2


def test_the_command_prints_every_error_and_fails(roster):
    err = io.StringIO()
    path = roster([student(1, 民族="火星"), student(2, 性别="?")])

    with pytest.raises(CommandError, match="发现 2 处错误"):
        call_command("import_roster", str(path), stderr=err)

    assert "第 2 行，G 列（民族）：" in err.getvalue()
    assert "第 3 行，D 列（性别）：" in err.getvalue()
    assert not EnrollmentRecord.objects.exists()


def test_the_command_dry_run_writes_nothing(roster):
    out = io.StringIO()

    call_command(
        "import_roster", str(roster([student(1)])), "--dry-run", "--allow-new-colleges", stdout=out
    )

    assert "新建 1 条" in out.getvalue()
    assert "数据未写入" in out.getvalue()
    assert not EnrollmentRecord.objects.exists()


def test_the_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_roster", str(tmp_path / "nope.xlsx"))


def test_existing_colleges_majors_and_classes_are_reused(roster, world):
    klass = world.class_a
    row = student(
        1,
        分院=klass.college.name,
        专业名称=klass.major.name,
        层次="本科",
        学制="4",
        预计毕业日期="2027-06-30",
        班号=klass.code,
    )
    colleges, majors, classes = (
        College.objects.count(),
        Major.objects.count(),
        SchoolClass.objects.count(),
    )

    result = roster_import(file=roster([row]), by=world.registrar)

    assert result.created == 1
    assert (College.objects.count(), Major.objects.count(), SchoolClass.objects.count()) == (
        colleges,
        majors,
        classes,
    )
    assert EnrollmentRecord.objects.get(student_number="2023000001").school_class == klass
