"""专升本 (seeds 002, 003): a 本科 record's prior 专科 degree — from the roster's
专科毕业证书编号, from the degree import, or bound by the student; shown on 学籍信息; and the
staff's list of those whose 专科 degree is not found, not bound or not confirmed."""

from __future__ import annotations

import datetime
import io
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from portal.lib import idnumbers
from portal.lib.models import AuditEvent
from portal.lib.xlsx import HEADER_ROW
from records.imports import roster_import
from records.imports.degrees import degree_import
from records.models import (
    Category,
    CheckResult,
    DegreeRecord,
    DiscrepancyReport,
    EnrollmentRecord,
    Level,
    RecordConfirmation,
    StudyForm,
)
from tests import factories
from tests.clients import csrf_client, csrf_post
from tests.records import roster_files
from tests.records.degree_files import degree_of, write_degrees

PRIOR = "专科毕业证书编号"
HEADER = [*roster_files.HEADER, PRIOR]


def junior_degree(person, number: str, *, institution=None, school_number: str = "", **fields):
    """A 专科 degree of `person` (a record, or a row's name and ID number as a dict)."""
    name, id_number = (
        (person["姓名"], person["身份证号"])
        if isinstance(person, dict)
        else (person.name, person.id_number)
    )
    values = {
        "institution": institution or factories.institution(),
        "certificate_number": number,
        "school_number": school_number,
        "name": name,
        "sex": idnumbers.sex(id_number) if len(id_number) in (15, 18) else "2",
        "birth_date": idnumbers.birth_date(id_number),
        "id_number": id_number,
        "major_name": "会计电算化",
        "level": Level.JUNIOR_COLLEGE,
        "category": Category.ADULT,
        "study_form": StudyForm.SPARE_TIME,
        "graduation_date": datetime.date(2021, 6, 30),
        **fields,
    }
    return DegreeRecord.objects.create(**values)


def bachelor_row(n: int, number: str = "", **changes):
    """A 专升本 student's row: 本科, two years, with the 专科 certificate number."""
    return roster_files.student(
        n, 层次="本科", 学制="2", 预计毕业日期="2025-07-01", **{PRIOR: number}, **changes
    )


@pytest.fixture
def import_rows(world, roster):
    def run(rows):
        return roster_import(
            file=roster(rows, header=HEADER), by=world.registrar, allow_new_colleges=True
        )

    return run


# The roster import ---------------------------------------------------------------------


def test_the_roster_number_links_her_own_junior_college_degree(world, import_rows):
    row = bachelor_row(1, "137681202106000123")
    degree = junior_degree(row, "137681202106000123")

    result = import_rows([row])

    assert result.ok, [str(e) for e in result.errors]
    record = EnrollmentRecord.objects.get(student_number=row["学号"])
    assert record.prior_certificate_number == "137681202106000123"
    assert record.prior_degree == degree
    assert result.prior_linked == 1
    assert ["专升本学籍关联到专科学历", 1] in result.as_dict()["summary"]
    event = AuditEvent.objects.get(action="records.prior_degree_linked")
    assert event.target_id == str(record.pk) and event.actor == world.registrar


def test_an_old_number_links_whatever_its_no_prefix_and_leading_zeros(world, import_rows):
    row = bachelor_row(2, "298959")
    degree = junior_degree(row, "981234567", school_number="NO.00298959")

    assert import_rows([row]).ok

    assert EnrollmentRecord.objects.get(student_number=row["学号"]).prior_degree == degree


def test_a_first_generation_id_number_is_the_same_person(world, import_rows):
    row = bachelor_row(3, "137681202106000003")
    degree = junior_degree(
        {**row, "身份证号": idnumbers.legacy_form(row["身份证号"])}, "137681202106000003"
    )

    assert import_rows([row]).ok

    assert EnrollmentRecord.objects.get(student_number=row["学号"]).prior_degree == degree


def test_a_number_of_someone_elses_degree_is_not_linked(world, import_rows):
    row = bachelor_row(4, "137681202106000004")
    junior_degree(bachelor_row(5), "137681202106000004")  # another person's diploma

    assert import_rows([row]).ok

    record = EnrollmentRecord.objects.get(student_number=row["学号"])
    assert record.prior_certificate_number == "137681202106000004"
    assert record.prior_degree is None


def test_a_number_of_her_bachelor_degree_is_not_linked(world, import_rows):
    row = bachelor_row(6, "137681202105000006")
    junior_degree(row, "137681202105000006", level=Level.BACHELOR)

    assert import_rows([row]).ok

    assert EnrollmentRecord.objects.get(student_number=row["学号"]).prior_degree is None


def test_a_number_that_names_no_degree_is_kept_unlinked(world, import_rows):
    row = bachelor_row(7, "137681202106000007")

    result = import_rows([row])

    assert result.ok and result.prior_linked == 0
    record = EnrollmentRecord.objects.get(student_number=row["学号"])
    assert (record.prior_certificate_number, record.prior_degree) == ("137681202106000007", None)


def test_the_number_on_a_junior_college_row_is_refused_with_its_cell(world, import_rows):
    row = roster_files.student(8, **{PRIOR: "137681202106000008"})  # 层次 专科

    result = import_rows([row])

    assert not result.ok
    assert [(e.row, e.column, e.header) for e in result.errors] == [(2, "W", PRIOR)]
    assert "只有本科（专升本）学籍可以填写专科毕业证书编号" in result.errors[0].reason
    assert not EnrollmentRecord.objects.filter(student_number=row["学号"]).exists()


def test_a_reimport_with_a_new_number_keeps_her_confirmation(world, import_rows):
    row = bachelor_row(9, "137681202106000009")
    assert import_rows([row]).ok
    record = EnrollmentRecord.objects.get(student_number=row["学号"])
    student = factories.user(real_name=record.name, id_number=record.id_number)
    EnrollmentRecord.objects.filter(pk=record.pk).update(user=student)
    RecordConfirmation.objects.create(record=record, user=student)
    EnrollmentRecord.objects.filter(pk=record.pk).update(check_result=CheckResult.CONFIRMED)
    degree = junior_degree(row, "137681202106000099")

    result = import_rows([{**row, PRIOR: "137681202106000099"}])

    assert result.ok and result.updated == 1 and result.revoked == 0
    record.refresh_from_db()
    assert record.prior_certificate_number == "137681202106000099"
    assert record.prior_degree == degree
    assert RecordConfirmation.objects.get(record=record).revoked_at is None
    assert [c.field for c in result.changes] == [PRIOR]


def test_a_roster_without_the_column_keeps_the_number(world, import_rows, roster):
    row = bachelor_row(10, "137681202106000010")
    assert import_rows([row]).ok

    again = roster_import(
        file=roster([row]), by=world.registrar, allow_new_colleges=True
    )  # the usual columns only

    assert again.ok and again.unchanged == 1
    record = EnrollmentRecord.objects.get(student_number=row["学号"])
    assert record.prior_certificate_number == "137681202106000010"


# The degree import links back ----------------------------------------------------------


def test_a_degree_imported_later_links_to_the_record_that_names_it(world, import_rows, tmp_path):
    row = bachelor_row(11, "139991202106000011")
    assert import_rows([row]).ok
    record = EnrollmentRecord.objects.get(student_number=row["学号"])
    assert record.prior_degree is None
    degree_row = degree_of(
        record,
        11,
        证书编号="139991202106000011",
        层次="专科",
        毕业日期="2021-06-30",
        入学日期="2018-09-01",
        学号="",
    )

    result = degree_import(
        file=write_degrees(tmp_path / "degrees.xlsx", [degree_row]), by=world.registrar
    )

    assert result.ok, [str(e) for e in result.errors]
    assert result.prior_linked == 1
    record.refresh_from_db()
    degree = DegreeRecord.objects.get(certificate_number="139991202106000011")
    assert record.prior_degree == degree
    # Her 专科 degree is not her 本科 学籍's own degree.
    assert degree.enrollment_record is None


# The student binds it herself ------------------------------------------------------------


def _bind_url(record) -> str:
    return f"/records/{record.pk}/prior-degree/"


def _facts(degree, **changes) -> dict:
    return {
        "certificate_number": degree.certificate_number,
        "graduation_year": degree.graduation_date.year,
        "school": degree.institution.name,
        **changes,
    }


def test_she_binds_her_own_degree_by_its_facts(world):
    record = world.alice_record
    degree = junior_degree(record, "137681202106000100")
    client = csrf_client(world.alice)

    response = csrf_post(client, _bind_url(record), _facts(degree), page=_bind_url(record))

    assert response.status_code == 302 and response["Location"] == "/records/mine/"
    record.refresh_from_db()
    degree.refresh_from_db()
    assert record.prior_degree == degree
    assert degree.user == world.alice
    actions = set(AuditEvent.objects.filter(actor=world.alice).values_list("action", flat=True))
    assert {"records.bound", "records.prior_degree_bound"} <= actions


def test_a_junior_degree_bound_by_hand_elsewhere_links_to_the_record_naming_it(world):
    """我还有学历没显示出来 binds her 专科 diploma; the 本科 record whose roster names it shows
    it from then on (the 375 px walk: the card kept saying it was not found)."""
    record = world.alice_record
    record.prior_certificate_number = "137681202106000150"
    record.save()
    degree = junior_degree(record, "137681202106000150")
    client = csrf_client(world.alice)
    facts = {f"degree-{name}": value for name, value in _facts(degree).items()}

    response = csrf_post(
        client, "/records/mine/bind/", {"bind_degree": "1", **facts}, page="/records/mine/bind/"
    )

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.prior_degree == degree
    page = client.get("/records/mine/").content.decode()
    assert "没有找到与您的姓名、证件号码一致的这张专科学历" not in page
    assert f'href="/records/degrees/{degree.pk}/"' in page
    assert AuditEvent.objects.filter(
        action="records.prior_degree_bound", subject=world.alice
    ).exists()


def test_she_binds_an_old_certificate_by_its_digits(world):
    record = world.alice_record
    degree = junior_degree(
        record,
        "NO.00298959",
        graduation_date=datetime.date(1999, 7, 1),
    )
    client = csrf_client(world.alice)

    csrf_post(client, _bind_url(record), _facts(degree, certificate_number="298959"))

    record.refresh_from_db()
    assert record.prior_degree == degree


def test_the_facts_of_a_classmates_degree_bind_nothing(world):
    bobs = junior_degree(world.bob_record, "137681202106000101")
    client = csrf_client(world.alice)

    response = csrf_post(client, _bind_url(world.alice_record), _facts(bobs))

    assert response.status_code == 200
    assert "证书上的姓名或证件号码与您账号的实名信息不一致" in response.content.decode()
    world.alice_record.refresh_from_db()
    bobs.refresh_from_db()
    assert world.alice_record.prior_degree is None and bobs.user is None


def test_her_bachelor_degree_is_not_a_prior_degree(world):
    degree = junior_degree(world.alice_record, "137681202105000102", level=Level.BACHELOR)
    client = csrf_client(world.alice)

    response = csrf_post(client, _bind_url(world.alice_record), _facts(degree))

    assert "不是专科学历" in response.content.decode()
    world.alice_record.refresh_from_db()
    assert world.alice_record.prior_degree is None


def test_another_students_record_is_not_found(world):
    degree = junior_degree(world.bob_record, "137681202106000103")
    client = csrf_client(world.bob)

    response = csrf_post(client, _bind_url(world.alice_record), _facts(degree), page="/")

    assert response.status_code == 404
    world.alice_record.refresh_from_db()
    assert world.alice_record.prior_degree is None


def test_a_junior_college_record_has_no_prior_degree_to_bind(world, client_for):
    world.alice_record.level = Level.JUNIOR_COLLEGE
    world.alice_record.save()

    response = client_for(world.alice).get(_bind_url(world.alice_record))

    assert response.status_code == 302 and response["Location"] == "/records/mine/"


# 学籍信息 shows it -----------------------------------------------------------------------


def test_the_page_shows_her_prior_degree_with_a_link_to_check_it(world, client_for):
    school = factories.institution(name="滁州职业技术学院")
    degree = junior_degree(world.alice_record, "137681202106000200", institution=school)
    world.alice_record.prior_degree = degree
    world.alice_record.save()

    page = client_for(world.alice).get("/records/mine/").content.decode()

    assert "专科学历（专升本）" in page
    for text in ("137681202106000200", "滁州职业技术学院", "会计电算化", "未确认"):
        assert text in page
    assert f'href="/records/degrees/{degree.pk}/"' in page  # records:degree_detail


def test_a_roster_number_not_found_says_what_to_do(world, client_for):
    world.alice_record.prior_certificate_number = "137681202106000300"
    world.alice_record.save()

    page = client_for(world.alice).get("/records/mine/").content.decode()

    assert "137681202106000300" in page
    assert "没有找到与您的姓名、证件号码一致的这张专科学历" in page
    assert "学籍管理部门" in page
    assert f'href="{_bind_url(world.alice_record)}"' in page


def test_the_page_costs_the_same_with_a_prior_degree(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.alice)
    client.get("/records/mine/")  # binds and marks seen: later visits only read
    with django_assert_max_num_queries(100) as plain:
        client.get("/records/mine/")
    degree = junior_degree(world.alice_record, "137681202106000400", user=world.alice)
    EnrollmentRecord.objects.filter(pk=world.alice_record.pk).update(prior_degree=degree)

    with django_assert_max_num_queries(len(plain)):
        client.get("/records/mine/")


# The staff's 专升本 list -----------------------------------------------------------------


@pytest.fixture
def zsb(world):
    """alice: linked, bound, not confirmed; bob: the roster's number not found; carol:
    linked, her degree not bound (no account matches it); dave: confirmed; and a 本科
    student without a prior degree, who is not 专升本."""
    alice_degree = junior_degree(world.alice_record, "137681202106000501")
    alice_degree.user = world.alice
    alice_degree.save()
    EnrollmentRecord.objects.filter(pk=world.alice_record.pk).update(prior_degree=alice_degree)
    EnrollmentRecord.objects.filter(pk=world.bob_record.pk).update(
        prior_certificate_number="137681202106000502"
    )
    carol_degree = junior_degree(world.carol_record, "137681202106000503")
    EnrollmentRecord.objects.filter(pk=world.carol_record.pk).update(
        prior_certificate_number="137681202106000503", prior_degree=carol_degree
    )
    dave_degree = junior_degree(world.dave_record, "137681202106000504", user=world.dave)
    RecordConfirmation.objects.create(degree=dave_degree, user=world.dave)
    DegreeRecord.objects.filter(pk=dave_degree.pk).update(check_result=CheckResult.CONFIRMED)
    EnrollmentRecord.objects.filter(pk=world.dave_record.pk).update(prior_degree=dave_degree)
    factories.record(world.class_a)
    return {
        "alice": "未确认",
        "bob": "未找到",
        "carol": "未绑定",
        "dave": "已确认",
    }


def _rows(page: str) -> str:
    return page[page.index("<table") : page.index("</table>")]


def test_the_list_gives_each_students_state(world, client_for, zsb):
    page = client_for(world.registrar).get("/records/zsb/").content.decode()

    table = _rows(page)
    for name, state in zsb.items():
        record = getattr(world, f"{name}_record")
        row = table[table.index(record.name) :]
        row = row[: row.index("</tr>")]
        assert state in row, (name, state)
        assert record.id_number not in page
        assert idnumbers.mask(record.id_number) in row
    assert "共 4 名专升本学生" in page


def test_a_degree_reported_wrong_is_waiting(world, client_for, zsb):
    degree = (
        world.alice_record.prior_degree if False else DegreeRecord.objects.get(user=world.alice)
    )
    DiscrepancyReport.objects.create(degree=degree, user=world.alice)
    DegreeRecord.objects.filter(pk=degree.pk).update(check_result=CheckResult.REPORTED)

    page = client_for(world.registrar).get("/records/zsb/?state=reported").content.decode()

    assert world.alice.real_name in _rows(page) and "有误待处理" in _rows(page)
    assert world.bob.real_name not in _rows(page)


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("state=not_found", {"bob"}),
        ("state=unbound", {"carol"}),
        ("state=unconfirmed", {"alice"}),
        ("state=confirmed", {"dave"}),
        ("school_class=", {"alice", "bob", "carol", "dave"}),
    ],
)
def test_the_list_filters_by_state(world, client_for, zsb, query, shown):
    page = _rows(client_for(world.registrar).get(f"/records/zsb/?{query}").content.decode())

    found = {name for name in zsb if getattr(world, name).real_name in page}
    assert found == shown


def test_the_list_filters_by_college_and_class(world, client_for, zsb):
    client = client_for(world.registrar)
    college = world.class_a.college

    by_college = _rows(client.get(f"/records/zsb/?college={college.pk}").content.decode())
    by_class = _rows(
        client.get(f"/records/zsb/?school_class={world.class_a.code}").content.decode()
    )

    assert {n for n in zsb if getattr(world, n).real_name in by_college} == {
        "alice",
        "bob",
        "carol",
    }
    assert {n for n in zsb if getattr(world, n).real_name in by_class} == {"alice", "bob"}


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("registrar", {"alice", "bob", "carol", "dave"}),
        ("college_staff", {"alice", "bob", "carol"}),
        ("other_college_staff", {"dave"}),
        ("counselor", {"alice", "bob"}),
        ("other_registrar", set()),
    ],
)
def test_staff_see_their_part(world, client_for, zsb, persona, shown):
    page = _rows(client_for(getattr(world, persona)).get("/records/zsb/").content.decode())

    assert {n for n in zsb if getattr(world, n).real_name in page} == shown


@pytest.mark.parametrize("persona", ["alice", "reviewer"])
def test_students_and_reviewers_may_not_open_the_list(world, client_for, persona):
    client = client_for(getattr(world, persona))

    assert client.get("/records/zsb/").status_code == 403
    assert client.get("/records/zsb/export/").status_code == 403


def test_the_list_costs_the_same_for_many_students(
    world, client_for, zsb, django_assert_max_num_queries
):
    client = client_for(world.registrar)
    with django_assert_max_num_queries(100) as few:
        client.get("/records/zsb/")
    for n in range(30):
        record = factories.record(world.class_b, prior_certificate_number=f"1376812021060{n:05d}")
        record.prior_degree = junior_degree(record, f"1376812021069{n:05d}")
        record.save()

    with django_assert_max_num_queries(len(few)):
        client.get("/records/zsb/")


def test_the_export_lists_the_filtered_students_masked_and_audited(world, client_for, zsb):
    response = client_for(world.registrar).get("/records/zsb/export/?state=not_found")

    assert response.status_code == 200
    filename = unquote(response["Content-Disposition"].split("filename*=UTF-8''")[-1])
    assert "专升本学生专科学历名单" in filename and "示例职业大学" in filename
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "专升本学生专科学历名单" in sheet["A1"].value
    assert "专科学历：未找到" in sheet["A2"].value
    rows = list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert [row[1] for row in rows] == [world.bob_record.name]
    bob = rows[0]
    assert bob[2] == idnumbers.mask(world.bob_record.id_number)
    assert bob[5] == "137681202106000502" and bob[8] == "未找到"
    event = AuditEvent.objects.get(action="records.zsb_exported")
    assert event.actor == world.registrar


def test_the_registrar_home_links_the_list_with_its_count(world, client_for, zsb):
    page = client_for(world.registrar).get("/").content.decode()

    assert 'href="/records/zsb/"' in page
    assert "3 人未完成核查" in page


def test_a_junior_degree_that_is_not_hers_yet_offers_no_dead_link(client_for, world):
    from records.models import EnrollmentRecord, Level

    bobs = junior_degree(world.bob_record, "137681202106000188", user=world.bob)
    EnrollmentRecord.objects.filter(pk=world.alice_record.pk).update(
        level=Level.BACHELOR, prior_degree=bobs
    )

    page = client_for(world.alice).get("/records/mine/").content.decode()

    assert "该专科学历尚未绑定到您的账号" in page
    assert f"/records/degrees/{bobs.pk}/" not in page


def _linkable(world, n: int, first: int = 0):
    from records.models import EnrollmentRecord, Level

    for i in range(first, first + n):
        _user, record = factories.student(world.class_a)
        number = f"1376812021060{i:05d}"
        junior_degree(record, number)
        EnrollmentRecord.objects.filter(pk=record.pk).update(
            level=Level.BACHELOR, prior_certificate_number=number
        )


def test_linking_costs_one_audit_row_a_link_and_nothing_more(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from records.models import EnrollmentRecord
    from records.services.prior_degrees import prior_degrees_link

    counts = []
    for n, first in ((1, 0), (6, 10)):
        EnrollmentRecord.objects.update(prior_degree=None, prior_certificate_number="")
        _linkable(world, n, first)
        with CaptureQueriesContext(connection) as queries:
            assert prior_degrees_link(records=EnrollmentRecord.objects.all()) == n
        counts.append(len(queries.captured_queries) - n)  # one audit row a link

    assert counts[0] == counts[1], counts
