"""The degree import (学历名单) as a service and as `manage.py import_degrees`: all or
nothing, certificate numbers checked against their rows, linked to the 学籍."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from portal.lib import idnumbers
from portal.lib.models import AuditEvent
from records.imports.degrees import degree_import
from records.models import DegreeRecord, GraduationKind
from tests import factories
from tests.records.degree_files import certificate, degree_of, graduation, write_degrees


@pytest.fixture
def graduates(world):
    """The 20 records of a cohort: the world's four (with accounts) and 16 without."""
    extra = [factories.record(world.class_a) for _ in range(16)]
    return [world.alice_record, world.bob_record, world.carol_record, world.dave_record, *extra]


@pytest.fixture
def degree_file(tmp_path):
    count = iter(range(100))

    def write(rows):
        return write_degrees(tmp_path / f"degrees{next(count)}.xlsx", rows)

    return write


def _rows(graduates):
    # Half the rows give the 学号, half only name and ID number: both find the 学籍.
    return [
        degree_of(record, n, 学号=record.student_number if n % 2 else "")
        for n, record in enumerate(graduates, start=1)
    ]


def _reasons(result):
    return [str(error) for error in result.errors]


def test_a_file_of_20_graduates_imports_and_links_each_to_her_record(
    world, graduates, degree_file, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30):  # per chunk, not per row
        result = degree_import(file=degree_file(_rows(graduates)), by=world.registrar)

    assert result.ok, _reasons(result)
    assert (result.created, result.linked, result.not_linked, result.bound) == (20, 20, 0, 4)
    for n, record in enumerate(graduates, start=1):
        degree = DegreeRecord.objects.get(certificate_number=certificate(n))
        assert degree.enrollment_record_id == record.pk
        assert degree.user_id == record.user_id
        assert (degree.bound_at is not None) == (record.user_id is not None)
        assert degree.institution == world.institution
        assert degree.graduation_kind == GraduationKind.GRADUATED
    events = AuditEvent.objects.filter(action="records.degrees_imported")
    assert events.count() == 1
    assert events.get().changes["linked"] == [0, 20]


def test_one_certificate_of_another_school_refuses_the_whole_file(world, graduates, degree_file):
    rows = _rows(graduates)
    rows[6]["证书编号"] = certificate(7, code="10001")

    result = degree_import(file=degree_file(rows), by=world.registrar)

    assert _reasons(result) == [
        "第 8 行，A 列（证书编号）：证书编号第 1–5 位（院校代码 10001）与本行院校代码 13999 不一致"
    ]
    assert not DegreeRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="records.degrees_imported").exists()


def test_a_certificate_number_that_disagrees_with_year_or_level_names_the_digits(
    world, graduates, degree_file
):
    rows = _rows(graduates)[:3]
    rows[0]["毕业日期"] = "2028-01-15"
    rows[1]["证书编号"] = certificate(2, level="06")
    rows[2]["证书编号"] = certificate(3, level="50")

    reasons = _reasons(degree_import(file=degree_file(rows), by=world.registrar))

    assert reasons == [
        "第 2 行，A 列（证书编号）：证书编号第 7–10 位（毕业年份 2027）与毕业日期 2028年1月 不一致",
        "第 3 行，A 列（证书编号）：证书编号第 11–12 位（层次代码 06，专科）与层次“本科”（代码 05）不一致",
        "第 4 行，A 列（证书编号）：证书编号第 11–12 位（50）不是培养层次代码，本科应为 05",
    ]
    assert not DegreeRecord.objects.exists()


def test_a_certificate_from_before_2001_is_taken_as_it_is_with_its_school_number(
    world, degree_file
):
    number = factories.id_number()
    row = degree_of(
        world.alice_record,
        0,
        证书编号="NO.00298959",
        原证书编号="982456",
        姓名="周老校友",
        证件号码=number,
        出生日期=idnumbers.birth_date(number).isoformat(),
        性别="女",
        入学日期="",
        毕业日期=graduation(1998),
        学号="",
    )

    result = degree_import(file=degree_file([row]), by=world.registrar)

    assert result.ok, _reasons(result)
    assert (result.created, result.linked, result.not_linked) == (1, 0, 1)
    degree = DegreeRecord.objects.get()
    assert (degree.certificate_number, degree.school_number) == ("NO.00298959", "982456")
    assert degree.entry_date is None and degree.enrollment_record is None


def test_a_reimport_updates_in_place_and_audits_each_change(world, graduates, degree_file):
    rows = _rows(graduates)
    assert degree_import(file=degree_file(rows), by=world.registrar).ok
    rows[4]["专业名称"] = "软件工程"
    rows[4]["毕（结）业"] = "结业"

    result = degree_import(file=degree_file(rows), by=world.registrar)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 19)
    assert DegreeRecord.objects.count() == 20
    degree = DegreeRecord.objects.get(certificate_number=certificate(5))
    assert (degree.major_name, degree.graduation_kind) == ("软件工程", GraduationKind.COMPLETED)
    event = AuditEvent.objects.get(action="records.degree_imported")
    assert event.changes["major_name"] == [graduates[4].major.name, "软件工程"]
    assert event.changes["graduation_kind"] == ["毕业", "结业"]
    assert event.actor == world.registrar
    assert AuditEvent.objects.filter(action="records.degrees_imported").count() == 2
    assert [(c.field, c.new) for c in result.changes] == [
        ("专业", "软件工程"),
        ("毕（结）业", "结业"),
    ]


def test_a_certificate_number_twice_in_the_file_names_both_rows(world, graduates, degree_file):
    rows = _rows(graduates)[:3]
    rows[2]["证书编号"] = rows[0]["证书编号"]

    reasons = _reasons(degree_import(file=degree_file(rows), by=world.registrar))

    number = certificate(1)
    assert reasons == [
        f"第 2 行，A 列（证书编号）：证书编号 {number} 与第 4 行重复",
        f"第 4 行，A 列（证书编号）：证书编号 {number} 与第 2 行重复",
    ]


def test_a_certificate_number_held_by_another_person_names_her_degree(world, degree_file):
    held = degree_of(world.alice_record, 1)
    assert degree_import(file=degree_file([held]), by=world.registrar).ok
    row = degree_of(world.bob_record, 1)  # Alice's number on Bob's row

    reasons = _reasons(degree_import(file=degree_file([row]), by=world.registrar))

    assert reasons == [
        f"第 2 行，A 列（证书编号）：证书编号 {certificate(1)} 已属于“李晓梅”的学历（证书编号 "
        f"{certificate(1)}），与本行的姓名或证件号码不一致：一个证书编号只属于一人"
    ]
    assert DegreeRecord.objects.get().user == world.alice


def test_a_degree_links_by_a_legacy_15_digit_number_on_record(world, degree_file):
    record = world.carol_record
    record.id_number = idnumbers.legacy_form(record.id_number)
    record.save()
    row = degree_of(record, 3, 学号="", 证件号码=world.carol.id_number)

    result = degree_import(file=degree_file([row]), by=world.registrar)

    assert result.ok, _reasons(result)
    assert DegreeRecord.objects.get().enrollment_record == record


def test_a_student_number_of_another_person_is_refused(world, degree_file):
    row = degree_of(world.alice_record, 1, 学号=world.bob_record.student_number)

    reasons = _reasons(degree_import(file=degree_file([row]), by=world.registrar))

    assert reasons == [
        f"第 2 行，P 列（学号）：学号 {world.bob_record.student_number} 的学籍属于“王强”，"
        "与本行的姓名、证件号码都不一致"
    ]


def test_another_institutions_registrar_imports_nothing_here(world, graduates, degree_file):
    result = degree_import(file=degree_file(_rows(graduates)[:2]), by=world.other_registrar)

    assert (
        _reasons(result)[0] == "第 2 行，G 列（院校代码）：只能导入本校（13998 另一所大学）的名单"
    )
    assert not DegreeRecord.objects.exists()


def test_a_number_held_at_another_school_names_no_one(world, degree_file):
    other = factories.school_class(factories.college(world.other_institution))
    stranger = factories.record(other)
    row = degree_of(stranger, 1, 证书编号="NO.123")
    assert degree_import(file=degree_file([row]), by=world.other_registrar).ok
    mine = degree_of(world.alice_record, 1, 证书编号="NO.123")

    reasons = _reasons(degree_import(file=degree_file([mine]), by=world.registrar))

    assert reasons == ["第 2 行，A 列（证书编号）：该证书编号已登记在其他院校的学历中"]
    assert stranger.name not in reasons[0]


def test_the_command_dry_run_writes_nothing(world, graduates, degree_file, capsys):
    call_command("import_degrees", str(degree_file(_rows(graduates))), "--dry-run")

    out = capsys.readouterr().out
    assert "新建：20" in out
    assert "对应到学籍：20" in out
    assert "数据未写入" in out
    assert not DegreeRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="records.degrees_imported").exists()


def test_the_command_lists_errors_and_fails(world, graduates, degree_file, capsys):
    rows = _rows(graduates)[:1]
    rows[0]["毕（结）业"] = "肄业"

    with pytest.raises(CommandError, match="发现 1 处错误"):
        call_command("import_degrees", str(degree_file(rows)))

    assert (
        "O 列（毕（结）业）：“肄业”不是有效的毕（结）业，可填：毕业、结业"
        in capsys.readouterr().err
    )


def test_a_certificate_number_stored_as_an_excel_number_is_refused(world, graduates, degree_file):
    rows = _rows(graduates)[:1]
    rows[0]["证书编号"] = float(certificate(1))

    reasons = _reasons(degree_import(file=degree_file(rows), by=world.registrar))

    assert reasons == [
        "第 2 行，A 列（证书编号）：证书编号被 Excel 存为数字，已丢失末位，请将该列设为文本后重新导出"
    ]
