"""The college a degree counts under (DegreeRecord.college), as the degree import sets
it: its 学籍's college, else the one college whose classes teach its major, else none;
a re-import keeps it right."""

from __future__ import annotations

import pytest

from records.imports.degrees import degree_import
from records.models import DegreeRecord, EnrollmentRecord, Level
from tests import factories
from tests.records.degree_files import certificate, degree_of, write_degrees


@pytest.fixture
def degree_file(tmp_path):
    count = iter(range(100))

    def write(rows):
        return write_degrees(tmp_path / f"degrees{next(count)}.xlsx", rows)

    return write


def _without_record(record: EnrollmentRecord, serial: int, major: str, level: str = "本科"):
    """A 往届 graduate's row: no 学号, a name and number no 学籍 has."""
    number = factories.id_number()
    return degree_of(
        record,
        serial,
        姓名="往届生",
        证件号码=number,
        出生日期=f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
        学号="",
        专业名称=major,
        层次=level,
    )


def _import(world, path):
    result = degree_import(file=path, by=world.registrar)
    assert result.ok, [str(e) for e in result.errors]
    return result


def test_a_linked_degree_counts_under_its_records_college(world, degree_file):
    _import(world, degree_file([degree_of(world.dave_record, 1)]))

    degree = DegreeRecord.objects.get(certificate_number=certificate(1))
    assert degree.college == world.dave_record.college == world.class_other_college.college


def test_a_degree_without_a_record_counts_under_the_college_teaching_its_major(world, degree_file):
    taught = world.class_other_college.major  # only 经管学院 has classes of it
    _import(world, degree_file([_without_record(world.alice_record, 2, taught.name)]))

    degree = DegreeRecord.objects.get(certificate_number=certificate(2))
    assert degree.enrollment_record is None
    assert degree.college == world.class_other_college.college


def test_the_major_of_the_degrees_level_decides_when_levels_differ(world, degree_file):
    """The 专科 and the 本科 major of one name taught in two colleges: the degree's 层次
    picks."""
    junior = factories.major(world.institution, name="会计", level=Level.JUNIOR_COLLEGE)
    bachelor = factories.major(world.institution, name="会计", level=Level.BACHELOR)
    factories.school_class(world.class_a.college, maj=junior)
    factories.school_class(world.class_other_college.college, maj=bachelor)
    row = _without_record(world.alice_record, 3, "会计", level="专科")
    row["证书编号"] = certificate(3, level="06")

    _import(world, degree_file([row]))

    degree = DegreeRecord.objects.get(certificate_number=certificate(3, level="06"))
    assert degree.college == world.class_a.college


def test_a_major_taught_in_two_colleges_or_nowhere_names_no_college(world, degree_file):
    shared = factories.major(world.institution, name="市场营销")
    factories.school_class(world.class_a.college, maj=shared)
    factories.school_class(world.class_other_college.college, maj=shared)
    rows = [
        _without_record(world.alice_record, 4, "市场营销"),
        _without_record(world.alice_record, 5, "考古学"),
    ]

    _import(world, degree_file(rows))

    for serial in (4, 5):
        assert DegreeRecord.objects.get(certificate_number=certificate(serial)).college is None


def test_a_reimport_follows_the_record_to_its_new_college(world, degree_file):
    _import(world, degree_file([degree_of(world.alice_record, 6)]))
    EnrollmentRecord.objects.filter(pk=world.alice_record.pk).update(
        college=world.class_other_college.college
    )

    result = _import(world, degree_file([degree_of(world.alice_record, 6)]))

    degree = DegreeRecord.objects.get(certificate_number=certificate(6))
    assert degree.college == world.class_other_college.college
    assert result.updated == 1
    assert any(change.new == world.class_other_college.college.name for change in result.changes)


def test_a_reimport_that_changes_nothing_keeps_the_college(world, degree_file):
    path = degree_file([degree_of(world.bob_record, 7)])
    _import(world, path)

    result = _import(world, path)

    assert (result.updated, result.unchanged) == (0, 1)
    degree = DegreeRecord.objects.get(certificate_number=certificate(7))
    assert degree.college == world.bob_record.college
