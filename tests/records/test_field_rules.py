"""One set of field rules (records.rules) at every door: the roster import, the student's
有误 claim, the registrar's accept and direct edit, and the admin refuse the same bad
values with the same message; what the seeds never change is refused everywhere."""

import datetime
import html

import pytest
from django.utils import translation

from portal.lib import idnumbers
from portal.lib.models import AuditEvent
from records import rules
from records.imports import roster_import
from records.models import (
    DegreeRecord,
    DiscrepancyItem,
    DiscrepancyReport,
    EnrollmentRecord,
    Level,
    ReportState,
)
from tests import factories
from tests.records.conftest import edit_record
from tests.records.roster_files import student, write_roster

pytestmark = pytest.mark.django_db

BAD_DATE = "2005年13月40日"
BAD_DATE_REASON = "日期“2005年13月40日”不存在"
BAD_ETHNICITY = "火星族"
BAD_ETHNICITY_REASON = "“火星族”不是 GB 3304 中的民族名称"


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _claim(client, record, upload, **fields):
    data = {"explanation": "", "kind_0": "hukou", "file_0": upload}
    for name, value in fields.items():
        data[f"wrong_{name}"] = "on"
        data[f"value_{name}"] = value
    return client.post(f"/records/{record.pk}/report/", data)


# The same bad values, the same message, at every door --------------------------------------


def test_the_import_refuses_them(tmp_path):
    row = student(1, 出生日期=BAD_DATE, 民族=BAD_ETHNICITY)

    result = roster_import(file=write_roster(tmp_path / "r.xlsx", [row]), allow_new_colleges=True)

    reasons = {error.header: error.reason for error in result.errors}
    assert reasons == {"出生日期": BAD_DATE_REASON, "民族": BAD_ETHNICITY_REASON}
    assert not EnrollmentRecord.objects.exists()


def test_the_claim_refuses_them_at_the_field_all_at_once(client_for, world, pdf_upload):
    response = _claim(
        client_for(world.alice),
        world.alice_record,
        pdf_upload(),
        birth_date=BAD_DATE,
        ethnicity=BAD_ETHNICITY,
    )

    form = response.context["form"]
    assert form.errors["value_birth_date"] == [BAD_DATE_REASON]
    assert form.errors["value_ethnicity"] == [BAD_ETHNICITY_REASON]
    assert 'role="alert"' in _page(response)
    assert not DiscrepancyReport.objects.exists()


def test_the_accept_refuses_them(client_for, world):
    # A claim filed before the rules checked claims: the registrar's accept reads it again.
    report = DiscrepancyReport.objects.create(record=world.alice_record, user=world.alice)
    DiscrepancyItem.objects.create(
        report=report, field="birth_date", current_value="", claimed_value=BAD_DATE
    )
    DiscrepancyItem.objects.create(
        report=report, field="ethnicity", current_value="汉族", claimed_value=BAD_ETHNICITY
    )

    response = client_for(world.registrar).post(
        f"/records/queue/{report.pk}/",
        {"decision": "accept", "fields_to_apply": ["birth_date", "ethnicity"]},
    )

    page = _page(response)
    assert f"出生日期：{BAD_DATE_REASON}" in page
    assert f"民族：{BAD_ETHNICITY_REASON}" in page
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_the_direct_edit_refuses_them_at_the_field(client_for, world):
    record = world.alice_record

    response = edit_record(
        client_for(world.registrar), record, birth_date=BAD_DATE, ethnicity=BAD_ETHNICITY
    )

    form = response.context["form"]
    assert form.errors["birth_date"] == [BAD_DATE_REASON]
    assert form.errors["ethnicity"] == [BAD_ETHNICITY_REASON]
    assert EnrollmentRecord.objects.get(pk=record.pk).ethnicity == record.ethnicity


def test_the_admin_refuses_them_for_a_degree_and_cannot_change_a_record(client_for, world):
    admin = client_for(world.admin)
    number = world.alice_record.id_number
    data = {
        "institution": world.alice_record.institution_id,
        "certificate_number": "139991202305000001",
        "name": "李晓梅",
        "sex": "2",
        "birth_date": BAD_DATE,
        "id_type": "resident_id",
        "id_number": number,
        "major_name": "软件技术",
        "level": Level.BACHELOR,
        "category": "regular",
        "study_form": "regular_full_time",
        "graduation_date": "2027-06-30",
        "reason": "补录",
    }

    response = admin.post("/admin/records/degreerecord/add/", data)

    assert BAD_DATE_REASON in _page(response)
    assert not DegreeRecord.objects.exists()
    record = world.alice_record
    assert admin.post(f"/admin/records/enrollmentrecord/{record.pk}/change/", {}).status_code == 403
    assert admin.get("/admin/records/enrollmentrecord/add/").status_code == 403


def test_a_degree_entered_in_the_admin_is_read_by_the_rules_and_audited(client_for, world):
    number = world.alice_record.id_number
    data = {
        "institution": world.alice_record.institution_id,
        "certificate_number": "139991202705000001",  # 2027, 本科 (05)
        "name": "李晓梅",
        "sex": idnumbers.sex(number),
        "birth_date": idnumbers.birth_date(number).strftime("%Y年%m月%d日"),
        "id_type": "resident_id",
        "id_number": number.lower(),
        "major_name": "软件技术",
        "level": Level.BACHELOR,
        "category": "regular",
        "study_form": "regular_full_time",
        "graduation_date": "2027.6.30",
        "graduation_kind": "graduated",
        "reason": "补录",
    }

    response = client_for(world.admin).post("/admin/records/degreerecord/add/", data)

    assert response.status_code == 302, _page(response)
    degree = DegreeRecord.objects.get()
    assert degree.graduation_date == datetime.date(2027, 6, 30)
    assert degree.id_number == number.upper()
    assert AuditEvent.objects.filter(action="records.degree_created", reason="补录").exists()


# The rules between fields ---------------------------------------------------------------


def test_a_claimed_birth_date_must_agree_with_the_id_number(client_for, world, pdf_upload):
    record = world.alice_record
    born = idnumbers.birth_date(record.id_number)

    response = _claim(
        client_for(world.alice), record, pdf_upload(), birth_date="2001-02-03", ethnicity="回族"
    )

    assert response.context["form"].errors["value_birth_date"] == [
        f"出生日期（2001-02-03）与身份证号中的出生日期（{born.isoformat()}）不一致"
    ]
    assert "value_ethnicity" not in response.context["form"].errors


def test_a_direct_edit_that_breaks_the_duration_is_refused(client_for, world):
    record = world.alice_record

    response = edit_record(client_for(world.registrar), record, expected_graduation="2099-07-01")

    assert "与学制（4 年）不符" in response.context["form"].errors["expected_graduation"][0]


def test_a_first_generation_number_is_never_replaced_by_its_second_generation_form(
    client_for, world, jpeg_upload
):
    record = world.alice_record
    # A 15-digit number reads its year as 19yy: only someone born before 2000 had one (the
    # world's numbers walk through 1990-2009 over a run, so the test picks its own).
    number = factories.id_number(birth=datetime.date(1995, 3, 8), sex=record.sex)
    legacy = number[:6] + number[8:17]
    EnrollmentRecord.objects.filter(pk=record.pk).update(
        id_number=legacy, birth_date=idnumbers.birth_date(number)
    )
    client = client_for(world.alice)
    data = {
        "wrong_id_number": "on",
        "value_id_number": number,
        "kind_0": "id_card",
        "file_0": jpeg_upload(),
        "kind_1": "hukou",
        "file_1": jpeg_upload(),
    }

    response = client.post(f"/records/{record.pk}/report/", data)

    assert "一代身份证换成二代身份证的" in response.context["form"].errors["value_id_number"][0]
    assert not DiscrepancyReport.objects.exists()


def test_a_new_number_with_another_birth_date_is_refused(client_for, world, jpeg_upload):
    record = world.alice_record
    other = factories.id_number(birth=datetime.date(2001, 5, 6), sex=record.sex)

    response = client_for(world.alice).post(
        f"/records/{record.pk}/report/",
        {
            "wrong_id_number": "on",
            "value_id_number": other,
            "kind_0": "id_card",
            "file_0": jpeg_upload(),
            "kind_1": "hukou",
            "file_1": jpeg_upload(),
        },
    )

    assert "出生日期有变动的，不予更改" in response.context["form"].errors["value_id_number"][0]


# The claim page: the policy before she starts, the deadline before the form ------------


def test_the_claim_page_says_what_each_field_needs_before_she_starts(client_for, world):
    page = _page(client_for(world.alice).get(f"/records/{world.alice_record.pk}/report/"))

    assert "需上传：户口本、公安部门证明。" in page  # 姓名
    assert "由学校学籍管理部门按录取和学籍档案核实，无需上传材料。" in page  # 学号, 考生号 …
    assert "只能更正为与身份证号一致的出生日期" in page
    assert '<select name="value_ethnicity"' in page
    assert 'type="date"' in page


def test_a_claim_the_office_checks_needs_no_evidence(client_for, world):
    record = world.alice_record

    response = client_for(world.alice).post(
        f"/records/{record.pk}/report/",
        {"wrong_student_number": "on", "value_student_number": "2023999999"},
    )

    assert response.status_code == 302
    item = DiscrepancyItem.objects.get()
    assert (item.field, item.claimed_value) == ("student_number", "2023999999")


def test_a_claim_is_stored_as_the_rules_show_it(client_for, world, pdf_upload):
    record = world.alice_record

    _claim(client_for(world.alice), record, pdf_upload(), ethnicity="03")

    assert DiscrepancyItem.objects.get().claimed_value == "回族"


def test_the_claim_page_says_the_deadline_has_passed_before_the_form(
    client_for, world, deadline_passed
):

    page = _page(client_for(world.alice).get(f"/records/{world.alice_record.pk}/report/"))

    assert "逾期不再办理信息更改手续" in page
    assert 'name="value_name"' not in page


# What is shown reads back as itself -----------------------------------------------------


def test_every_field_shown_reads_back_as_itself(world):
    record = EnrollmentRecord.objects.with_related().get(pk=world.alice_record.pk)

    for name in rules.CORRECTABLE_FIELDS:
        shown = rules.text(record, name)
        if not shown:
            continue
        assert rules.check_changes(record, {name: shown}).values == {}, name


# Rare characters survive every path ------------------------------------------------------

RARE = "𠈌㛃䶮𠮷"  # two outside the BMP, two in CJK extension A


def test_rare_characters_survive_the_import_the_claim_the_accept_and_the_edit(
    tmp_path, client_for, world, pdf_upload
):
    result = roster_import(
        file=write_roster(tmp_path / "r.xlsx", [student(1, 姓名=f"王{RARE}")]),
        allow_new_colleges=True,
    )
    assert result.errors == []
    assert EnrollmentRecord.objects.get(student_number="2023000001").name == f"王{RARE}"

    record = world.alice_record
    client_for(world.alice).post(
        f"/records/{record.pk}/report/",
        {
            "wrong_name": "on",
            "value_name": f"李{RARE}",
            "kind_0": "hukou",
            "file_0": pdf_upload(),
            "kind_1": "police",
            "file_1": pdf_upload("police.pdf"),
        },
    )
    report = DiscrepancyReport.objects.get()
    assert report.items.get().claimed_value == f"李{RARE}"
    registrar = client_for(world.registrar)
    registrar.post(
        f"/records/queue/{report.pk}/", {"decision": "accept", "fields_to_apply": ["name"]}
    )
    assert EnrollmentRecord.objects.get(pk=record.pk).name == f"李{RARE}"

    edit_record(registrar, record, name=f"赵{RARE}")
    assert EnrollmentRecord.objects.get(pk=record.pk).name == f"赵{RARE}"


# What the outside review found ----------------------------------------------------------


def test_a_duration_past_the_decimal_precision_is_refused_not_a_crash(client_for, world, tmp_path):
    reason = "学制应为 1 到 9 年，例如 4 或 2.5"
    response = edit_record(client_for(world.registrar), world.alice_record, duration="1e100")
    assert response.context["form"].errors["duration"] == [reason]
    claim = client_for(world.alice).post(
        f"/records/{world.alice_record.pk}/report/",
        {"wrong_duration": "on", "value_duration": "9e30"},
    )
    assert claim.context["form"].errors["value_duration"] == [reason]
    result = roster_import(
        file=write_roster(tmp_path / "r.xlsx", [student(1, 学制="1e100")]), allow_new_colleges=True
    )
    assert [e.reason for e in result.errors] == [reason]


def test_control_and_bidi_characters_are_refused_in_names(client_for, world, tmp_path):
    reason = "不能包含控制字符或不可见的格式字符"
    result = roster_import(
        file=write_roster(tmp_path / "r.xlsx", [student(1, 姓名="张_x0000_三")]),
        allow_new_colleges=True,
    )
    assert [e.reason for e in result.errors] == [reason]
    response = edit_record(client_for(world.registrar), world.alice_record, name="王\u202e五")
    assert response.context["form"].errors["name"] == [reason]


def test_names_in_other_scripts_keep_their_spaces(tmp_path):
    result = roster_import(
        file=write_roster(tmp_path / "r.xlsx", [student(1, 姓名="Zoë Ängel")]),
        allow_new_colleges=True,
    )
    assert result.errors == []
    assert EnrollmentRecord.objects.get().name == "Zoë Ängel"


def test_one_student_number_on_many_rows_names_a_few_lines_each(tmp_path):
    rows = [student(n, 学号="2023000001") for n in range(1, 31)]

    result = roster_import(file=write_roster(tmp_path / "r.xlsx", rows), allow_new_colleges=True)

    first = next(e for e in result.errors if e.header == "学号")
    assert first.reason == "学号 2023000001 与第 3、4、5、6、7 等 29 行重复"


def test_a_class_of_another_college_is_refused(client_for, world):
    other = world.class_other_college

    response = edit_record(client_for(world.registrar), world.alice_record, school_class=other.name)

    assert "属于其他分院" in response.context["form"].errors["school_class"][0]
    assert EnrollmentRecord.objects.get(pk=world.alice_record.pk).school_class == world.class_a


def test_the_claim_gives_every_error_in_one_round(client_for, world):
    record = world.alice_record

    response = client_for(world.alice).post(
        f"/records/{record.pk}/report/",
        {
            "wrong_ethnicity": "on",
            "value_ethnicity": "",
            "wrong_birth_date": "on",
            "value_birth_date": "2001-02-03",
            "wrong_name": "on",
            "value_name": "李晓",
        },
    )

    errors = response.context["form"].errors
    assert errors["value_ethnicity"] == ["请填写正确的信息"]
    assert "与身份证号中的出生日期" in errors["value_birth_date"][0]
    assert errors["file_0"] == ["更正姓名需上传：户口本、公安部门证明"]


def test_the_direct_edit_gives_value_errors_even_without_a_reason(client_for, world):
    client = client_for(world.registrar)

    response = edit_record(client, world.alice_record, birth_date=BAD_DATE, reason="")

    errors = response.context["form"].errors
    assert errors["birth_date"] == [BAD_DATE_REASON]
    assert "reason" in errors


def test_what_is_shown_reads_back_in_english_too(world):
    record = EnrollmentRecord.objects.with_related().get(pk=world.alice_record.pk)

    with translation.override("en"):
        for name in rules.CORRECTABLE_FIELDS:
            shown = rules.text(record, name)
            assert rules.check_changes(record, {name: shown}).values == {}, name


def test_an_english_page_offers_options_that_read(client_for, world, pdf_upload):
    # The page's language stays with the thread after the request: put it back after.
    with translation.override(translation.get_language()):
        client = client_for(world.alice)
        client.cookies["django_language"] = "en"
        form = client.get(f"/records/{world.alice_record.pk}/report/").context["form"]
        options = dict(form.fields["value_level"].widget.choices)
        assert options["专科"] != "专科"  # she reads it in English, it reads back in any
        value = "专科"

        response = client.post(
            f"/records/{world.alice_record.pk}/report/",
            {"wrong_level": "on", "value_level": value},
        )

        assert response.status_code == 302, response.context["form"].errors
        assert DiscrepancyItem.objects.get().claimed_value == "专科"


def test_a_class_name_shared_by_two_cohorts_is_told_apart_by_its_number(client_for, world):
    record = world.alice_record
    twin = factories.school_class(world.class_a.college, cohort=2024)
    type(twin).objects.filter(pk=twin.pk).update(name=world.class_a.name)
    twin.refresh_from_db()
    shown = rules.text(record, "school_class")

    assert rules.check_changes(record, {"school_class": shown}).values == {}
    moved = rules.check_changes(record, {"school_class": rules.as_read("school_class", twin)})
    assert moved.values == {"school_class": twin}
    ambiguous = rules.check_changes(record, {"school_class": world.class_a.name})
    assert "请写明班号" in ambiguous.errors["school_class"]


def test_a_student_in_the_wrong_college_can_name_her_real_class(client_for, world):
    record = world.alice_record
    real = world.class_other_college
    form = client_for(world.alice).get(f"/records/{record.pk}/report/").context["form"]

    offered = dict(form.fields["value_school_class"].widget.choices)
    assert any(
        value == rules.as_read("school_class", real)
        for _v, group in offered.items()
        if isinstance(group, list | tuple)
        for value, _l in group
    )
    changes = rules.check_changes(
        record,
        {"college": real.college.name, "school_class": rules.as_read("school_class", real)},
    )
    assert changes.errors == {}


def test_an_18_digit_certificate_number_must_agree_with_school_year_and_level(client_for, world):
    number = world.alice_record.id_number
    data = {
        "institution": world.alice_record.institution_id,
        "certificate_number": "139991202306000001",  # 2023, 专科 (06)
        "name": "李晓梅",
        "sex": idnumbers.sex(number),
        "birth_date": idnumbers.birth_date(number).isoformat(),
        "id_type": "resident_id",
        "id_number": number,
        "major_name": "软件技术",
        "level": Level.BACHELOR,
        "category": "regular",
        "study_form": "regular_full_time",
        "graduation_date": "2024-06-30",
        "reason": "补录",
    }

    response = client_for(world.admin).post("/admin/records/degreerecord/add/", data)

    errors = response.context_data["adminform"].form.errors["certificate_number"]
    assert "第 7–10 位（毕业年份 2023）与毕业日期 2024年6月 不一致" in errors[0]
    assert not DegreeRecord.objects.exists()
    assert (
        rules.between.certificate(
            {"certificate_number": "139991202305000001", "level": "bachelor"}, "13999"
        )
        == []
    )
    assert rules.between.certificate({"certificate_number": "NO.00298959"}, "13999") == []
