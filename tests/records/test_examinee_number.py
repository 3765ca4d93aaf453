"""records.rules.examinee.examinee_number_warnings: a 14-digit 考生号 against 录取年份
(digits 1–2) and 生源省市 (digits 3–4); other forms are not checked."""

from __future__ import annotations

import pytest

from records.imports import roster_import
from records.rules.examinee import examinee_number_warnings
from tests.records.roster_files import student, write_roster


def test_a_number_that_agrees_gives_no_warning():
    assert examinee_number_warnings("23360102000001", 2023, "360102") == []


def test_the_year_digits_must_be_the_admission_years_last_two():
    assert examinee_number_warnings("24360102000001", 2023, "360000") == [
        ("examinee_number", "考生号第 1–2 位“24”是高考年份，与录取年份 2023 不符")
    ]


def test_the_province_digits_must_be_the_origin_regions_first_two():
    assert examinee_number_warnings("23110102000001", 2023, "360102") == [
        ("examinee_number", "考生号第 3–4 位“11”（北京市）与生源省市（江西省）不符")
    ]


def test_province_digits_that_are_no_province_are_shown_bare():
    (warning,) = examinee_number_warnings("23990102000001", 2023, "360102")

    assert warning[1] == "考生号第 3–4 位“99”与生源省市（江西省）不符"


def test_both_parts_wrong_give_two_warnings():
    assert len(examinee_number_warnings("99110102000001", 2023, "360102")) == 2


def test_a_year_2000_admission_reads_00():
    assert examinee_number_warnings("00360102000001", 2000, "360102") == []


@pytest.mark.parametrize(
    "number",
    ["", "2336010200001", "233601020000011", "A3360102000001", "２４３６０１０２０００００１"],
)
def test_other_forms_are_not_checked(number):
    assert examinee_number_warnings(number, 2023, "110000") == []


def test_a_missing_year_or_region_is_not_compared():
    assert examinee_number_warnings("24110102000001", None, None) == []


@pytest.mark.django_db
def test_a_roster_row_lists_both_disagreements_of_its_examinee_number(tmp_path):
    row = student(1, 考生号="22530102000001", 录取年份="2023", 生源省市="江西省")

    result = roster_import(file=write_roster(tmp_path / "r.xlsx", [row]), allow_new_colleges=True)

    assert len([w for w in result.warnings if w.header == "考生号"]) == 2
