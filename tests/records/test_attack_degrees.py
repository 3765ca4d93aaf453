"""Attack: the 学历 side (issue 16) as a hostile student, a curious classmate, staff of
another college or school, and an anonymous visitor — the degree pages, manual degree
binding, 专升本 binding, the 学历证书电子注册备案表, scope, exports and list costs."""

from __future__ import annotations

import datetime
import io
import json
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from portal.lib import idnumbers
from portal.lib.models import AuditEvent
from records import progress
from records.imports.degrees import degree_import
from records.models import (
    DegreeRecord,
    DiscrepancyItem,
    DiscrepancyReport,
    EnrollmentRecord,
    Level,
    OnlineReport,
    RecordConfirmation,
    ReportState,
)
from records.online_reports import services as online_reports
from tests import factories
from tests.clients import csrf_client, csrf_post
from tests.records import hostile_files as hostile
from tests.records.degree_files import degree_of, write_degrees
from tests.records.test_hostile_workbooks import CHILD, EXPECTED
from tests.records.test_hostile_workbooks import _run as run_capped

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def diploma(world) -> DegreeRecord:
    """Alice's 学历 of her 学籍, bound to her."""
    return factories.degree(world.institution, record=world.alice_record)


def _beian(degree: DegreeRecord) -> OnlineReport:
    return OnlineReport.objects.create(
        degree=degree,
        user=degree.user,
        code=online_reports.code_generate(),
        valid_until=timezone.now() + datetime.timedelta(days=30),
    )


def _degree_report(
    degree: DegreeRecord, *, field: str = "major_name", value: str = "会计"
) -> DiscrepancyReport:
    report = DiscrepancyReport.objects.create(degree=degree, user=degree.user)
    DiscrepancyItem.objects.create(
        report=report, field=field, current_value=getattr(degree, field), claimed_value=value
    )
    progress.refresh_degrees([degree.pk])  # its check result, as the service keeps it
    return report


# IDOR: a classmate on every new URL of Alice's degree -----------------------------------


def _alice_urls(world, diploma) -> list[str]:
    beian = _beian(diploma)
    report = _degree_report(diploma)
    return [
        f"/records/degrees/{diploma.pk}/",
        f"/records/degrees/{diploma.pk}/confirm/",
        f"/records/degrees/{diploma.pk}/report/",
        f"/records/degrees/{diploma.pk}/reports/new/",
        f"/records/reports/{beian.pk}/",
        f"/records/reports/{beian.pk}/extend/",
        f"/records/reports/{beian.pk}/close/",
        f"/records/{world.alice_record.pk}/prior-degree/",
        f"/records/reports/{report.pk}/withdraw/",
    ]


def test_attack_a_classmate_reaches_none_of_alices_degree_pages(world, diploma, jpeg_upload):
    urls = _alice_urls(world, diploma)
    bob = csrf_client(world.bob, first_page="/records/mine/")
    before = (
        RecordConfirmation.objects.count(),
        DiscrepancyReport.objects.count(),
        OnlineReport.objects.count(),
        list(OnlineReport.objects.values_list("valid_until", "closed_at")),
        list(DiscrepancyReport.objects.values_list("state", flat=True)),
    )

    for url in urls:
        if not url.endswith("/withdraw/"):
            assert bob.get(url).status_code == 404, url
        posted = csrf_post(
            bob,
            url,
            {
                "months": 6,
                "wrong_major_name": "on",
                "value_major_name": "法学",
                "certificate_number": diploma.certificate_number,
                "graduation_year": 2020,
                "school": world.institution.name,
            },
        )
        assert posted.status_code == 404, url

    after = (
        RecordConfirmation.objects.count(),
        DiscrepancyReport.objects.count(),
        OnlineReport.objects.count(),
        list(OnlineReport.objects.values_list("valid_until", "closed_at")),
        list(DiscrepancyReport.objects.values_list("state", flat=True)),
    )
    assert after == before
    world.alice_record.refresh_from_db()
    assert world.alice_record.prior_degree_id is None


@pytest.mark.parametrize("persona", ["registrar", "college_staff", "counselor", "admin"])
def test_attack_staff_act_on_no_students_degree_pages(world, diploma, persona):
    """Staff have no business on the graduate's own pages: 403 by role or 404, never 200."""
    client = csrf_client(getattr(world, persona), first_page="/")
    client.raise_request_exception = False
    for url in _alice_urls(world, diploma):
        assert client.get(url).status_code in (403, 404, 405), url  # 405: withdraw is a POST
        assert csrf_post(client, url, {"months": 6}).status_code in (403, 404), url
    assert not OnlineReport.objects.filter(closed_at__isnull=False).exists()


# Binding a classmate's degree from public facts --------------------------------------------


def test_attack_a_classmate_with_every_printed_fact_cannot_bind_alices_degree(world):
    """Bob knows Alice's name, school, graduation year and certificate number (printed on
    the diploma): the degree stays unbound, the try counts."""
    degree = factories.degree(world.institution, record=world.alice_record, user=None)

    response = csrf_post(
        csrf_client(world.bob),
        "/records/mine/bind/",
        {
            "bind_degree": "1",
            "degree-certificate_number": degree.certificate_number,
            "degree-graduation_year": degree.graduation_date.year,
            "degree-school": world.institution.code,
        },
        page="/records/mine/bind/",
    )

    degree.refresh_from_db()
    assert degree.user_id is None
    page = response.content.decode()
    assert world.alice.real_name not in page and world.alice_record.id_number not in page
    assert not AuditEvent.objects.filter(action="records.bound", subject=world.bob).exists()


def test_attack_a_classmate_cannot_link_alices_junior_degree_as_her_own_prior_degree(world):
    """专升本: Bob, on his own 本科 record, names Alice's 专科 diploma."""
    junior = factories.degree(
        world.institution, owner=world.alice, level=Level.JUNIOR_COLLEGE, user=None
    )
    EnrollmentRecord.objects.filter(pk=world.bob_record.pk).update(level=Level.BACHELOR)
    url = f"/records/{world.bob_record.pk}/prior-degree/"

    csrf_post(
        csrf_client(world.bob),
        url,
        {
            "certificate_number": junior.certificate_number,
            "graduation_year": junior.graduation_date.year,
            "school": world.institution.name,
        },
        page=url,
    )

    junior.refresh_from_db()
    world.bob_record.refresh_from_db()
    assert junior.user_id is None and world.bob_record.prior_degree_id is None


# A degree report cannot touch the certificate number --------------------------------------


@pytest.mark.parametrize("field", ["certificate_number", "school_number"])
def test_attack_a_forged_report_of_the_certificate_number_is_refused(
    world, diploma, jpeg_upload, field
):
    """The form has no box for it; a hand-made POST names it anyway."""
    url = f"/records/degrees/{diploma.pk}/report/"
    client = csrf_client(world.alice, first_page=url)

    csrf_post(
        client,
        url,
        {
            f"wrong_{field}": "on",
            f"value_{field}": "139991202005999999",
            "explanation": "证书编号打错了",
            "kind_0": "other",
            "file_0": jpeg_upload(),
        },
    )

    assert not DiscrepancyItem.objects.filter(field=field).exists()
    diploma.refresh_from_db()
    assert diploma.certificate_number.startswith("13999")


# The public 备案表 --------------------------------------------------------------------------


def test_attack_the_public_beian_shows_no_whole_id_number_or_birth_date(world, diploma):
    beian = _beian(diploma)

    page = Client().get(f"/verify/{beian.code}/").content.decode()

    assert diploma.id_number not in page
    assert diploma.id_number[6:14] not in page  # the birth date inside the number
    assert diploma.birth_date.isoformat() not in page
    assert f"{diploma.birth_date:%Y年%-m月%-d日}" not in page


def test_attack_a_closed_or_expired_beian_shows_nothing_of_the_degree(world, diploma):
    beian = _beian(diploma)
    OnlineReport.objects.filter(pk=beian.pk).update(closed_at=timezone.now())

    page = Client().get(f"/verify/{beian.code}/").content.decode()

    assert diploma.name not in page and diploma.certificate_number not in page


# CSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["confirm/", "report/", "reports/new/"])
def test_attack_a_cross_site_post_on_her_degree_is_refused(world, diploma, suffix):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)

    response = client.post(f"/records/degrees/{diploma.pk}/{suffix}", {"months": 6})

    assert response.status_code == 403
    assert not RecordConfirmation.objects.filter(degree=diploma).exists()
    assert not OnlineReport.objects.exists()


# Formula injection in the exports that carry degrees --------------------------------------


def _cells(response) -> list:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def test_attack_a_formula_in_a_degree_reaches_no_export_as_a_formula(client_for, world):
    formula = '=HYPERLINK("http://evil.example/","点我")'
    degree = factories.degree(world.institution, record=world.alice_record, name=formula)
    _degree_report(degree, field="major_name", value="+SUM(1,1)")
    junior = factories.degree(
        world.institution,
        owner=world.bob,
        level=Level.JUNIOR_COLLEGE,
        certificate_number="-1+1",
    )
    EnrollmentRecord.objects.filter(pk=world.bob_record.pk).update(
        level=Level.BACHELOR, prior_degree=junior, prior_certificate_number="@SUM(1)"
    )
    client = client_for(world.registrar)

    for url in ("/records/queue/export/", "/records/zsb/export/"):
        response = client.get(url)
        assert response.status_code == 200, url
        for cell in _cells(response):
            assert cell.data_type != "f", (url, cell.value)


# Query counts on the pages that list degrees ---------------------------------------------


def _graduate_with_degrees(world, n: int):
    """A 往届毕业生 with `n` degrees of the school, each with a 备案表 and a report."""
    account = factories.user(real_name="孙雅", id_number=factories.id_number())
    for year in range(2000, 2000 + n):
        degree = factories.degree(
            world.institution,
            owner=account,
            graduation_date=datetime.date(year, 7, 1),
            college=world.class_a.college,
        )
        _beian(degree)
        _degree_report(degree)
    return account


@pytest.mark.parametrize("url", ["/records/mine/", "/records/degrees/reports/", "/"])
def test_attack_a_graduate_with_many_degrees_costs_no_query_a_degree(
    client_for, world, django_assert_max_num_queries, url
):
    one = _graduate_with_degrees(world, 1)
    client = client_for(one)
    client.get(url)
    with django_assert_max_num_queries(60) as few:
        assert client.get(url).status_code == 200
    cost = len(few.captured_queries)  # read now: the next request resets the log

    many = _graduate_with_degrees(world, 8)
    client = client_for(many)
    client.get(url)
    with django_assert_max_num_queries(cost):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("persona", ["college_staff", "counselor", "registrar"])
def test_attack_staff_home_with_many_open_degree_reports_costs_the_same(
    client_for, world, django_assert_max_num_queries, persona
):
    def add(n):
        for _ in range(n):
            account, record = factories.student(world.class_a)
            _degree_report(factories.degree(world.institution, record=record))

    add(1)
    client = client_for(getattr(world, persona))
    client.get("/")
    with django_assert_max_num_queries(80) as few:
        assert client.get("/").status_code == 200
    cost = len(few.captured_queries)
    add(9)
    with django_assert_max_num_queries(cost):
        assert client.get("/").status_code == 200


def test_attack_the_corrections_export_of_many_degrees_costs_the_same(
    client_for, world, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            _account, record = factories.student(world.class_a)
            report = _degree_report(factories.degree(world.institution, record=record))
            DiscrepancyReport.objects.filter(pk=report.pk).update(
                state=ReportState.ACCEPTED, reviewer=world.registrar, decided_at=timezone.now()
            )
            report.items.update(accepted=True)
            progress.refresh_degrees([report.degree_id])

    add(1)
    client = client_for(world.registrar)
    with django_assert_max_num_queries(40) as few:
        assert client.get("/records/corrections/export/").status_code == 200
    cost = len(few.captured_queries)
    add(9)
    with django_assert_max_num_queries(cost):
        assert client.get("/records/corrections/export/").status_code == 200


# Scope over degrees and their reports ------------------------------------------------------


def test_attack_another_colleges_staff_see_no_degree_report_of_this_college(client_for, world):
    degree = factories.degree(world.institution, record=world.alice_record)
    _degree_report(degree)

    page = client_for(world.other_college_staff).get("/").content.decode()

    assert degree.name not in page
    assert "没有待处理的有误申请" in page


def test_attack_the_colleges_staff_see_the_degree_reports_they_see_the_degree_of(client_for, world):
    """One scope for a degree and for its reports and confirmations (finding: the reports
    read the degree's own college only, the degree its 学籍's too): staff who see a degree
    — its college, or its 学籍's (DegreeRecordQuerySet) — see its 有误 report on their home
    page; another college's staff do not."""
    degree = factories.degree(world.institution, record=world.alice_record, college=None)
    _degree_report(degree)

    page = client_for(world.college_staff).get("/").content.decode()
    other = client_for(world.other_college_staff).get("/").content.decode()

    assert DegreeRecord.objects.visible_to(world.college_staff).filter(pk=degree.pk).exists()
    assert degree.name in page and "没有待处理的有误申请" not in page
    assert degree.name not in other and "没有待处理的有误申请" in other


# Hostile workbooks in the degree import ---------------------------------------------------

DEGREE_CHILD = CHILD.replace('"import_roster"', '"import_degrees"')


@pytest.fixture(scope="module")
def degree_outcomes(tmp_path_factory) -> dict[str, dict]:
    """Every hostile file of the roster's tests through `manage.py import_degrees`, in one
    child process with its memory capped (as tests/records/test_hostile_workbooks.py)."""
    folder = tmp_path_factory.mktemp("hostile-degrees")
    paths = [getattr(hostile, name)(folder / f"{name}.xlsx") for name in EXPECTED]
    child = run_capped([sys.executable, "-c", DEGREE_CHILD, *map(str, paths)])
    lines = [json.loads(line) for line in child.stdout.splitlines() if line.startswith("{")]
    results = {Path(line["file"]).stem: line for line in lines}
    if len(results) < len(paths):
        stuck = next(name for name in EXPECTED if name not in results)
        pytest.fail(f"the reader died on {stuck} (exit {child.returncode}): {child.stderr[-2000:]}")
    return results


@pytest.mark.parametrize("name", list(EXPECTED))
def test_attack_a_hostile_degree_file_exits_1_with_a_chinese_message(degree_outcomes, name):
    outcome = degree_outcomes[name]

    assert outcome["status"] == 1
    assert EXPECTED[name] in outcome["stderr"]
    assert "Traceback" not in outcome["stderr"]


# The degree import binds only a degree of the account's own name and ID number -------------


def test_attack_the_import_binds_no_degree_of_another_id_number_to_the_accounts_学籍(
    world, tmp_path
):
    """Finding: a row whose 学号 names Alice's 学籍 and whose name is hers (a namesake's
    degree given the wrong 学号) was linked and bound to Alice's account on the name
    alone: she then read the namesake's whole ID number and could publish a 备案表 of her
    diploma. Linked for the registrar, yes; bound only under the 学籍's ID number."""
    namesake = factories.id_number()
    row = degree_of(world.alice_record, 1, 证件号码=namesake, 出生日期=None)
    row["出生日期"] = idnumbers.birth_date(namesake).isoformat()
    row["性别"] = "女" if idnumbers.sex(namesake) == "2" else "男"

    result = degree_import(file=write_degrees(tmp_path / "degrees.xlsx", [row]), by=world.registrar)

    assert result.ok, [str(error) for error in result.errors]
    degree = DegreeRecord.objects.get()
    assert degree.enrollment_record == world.alice_record
    assert degree.user_id is None
    assert csrf_client(world.alice).get(f"/records/degrees/{degree.pk}/").status_code == 404


@pytest.mark.parametrize("name", ["李晓梅", "李小梅"])  # her name, or her name before a change
def test_attack_the_import_still_binds_a_degree_under_her_id_number(world, tmp_path, name):
    row = degree_of(world.alice_record, 1, 姓名=name)

    degree_import(file=write_degrees(tmp_path / "degrees.xlsx", [row]), by=world.registrar)

    assert DegreeRecord.objects.get().user == world.alice


# Binding a degree on opening 学籍信息 is audited as a 学籍's is -----------------------------


def test_attack_a_degree_bound_on_opening_her_records_is_audited(client_for, world):
    """Finding: opening 学籍信息 bound her degrees with one UPDATE and no audit event,
    while each 学籍 bound there, and each degree bound by hand, has one."""
    degree = factories.degree(world.institution, record=world.alice_record, user=None)

    client_for(world.alice).get("/records/mine/")

    degree.refresh_from_db()
    assert degree.user == world.alice
    assert AuditEvent.objects.filter(
        action="records.bound",
        subject=world.alice,
        target_type="records.DegreeRecord",
        target_id=str(degree.pk),
    ).exists()
