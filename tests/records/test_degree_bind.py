"""我还有学历没显示出来 (seed 002): a degree binds by certificate number, graduation year
and school only when it is hers by name and ID number in any accepted form — the
15-digit form, or the old value an accepted correction of her record replaced — and
otherwise the page says why not and what to do, naming nobody."""

import datetime

import pytest
from django.core.cache import cache

from portal.lib import idnumbers
from portal.lib.models import AuditEvent
from records.models import DegreeRecord, DiscrepancyItem, DiscrepancyReport, ReportState
from tests import factories
from tests.clients import csrf_client, csrf_post

URL = "/records/mine/bind/"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def _degree(world, *, name: str, id_number: str, **fields) -> DegreeRecord:
    """A 1998 degree with two numbers (seed 002), unbound."""
    values = dict(
        institution=world.institution,
        certificate_number="NO.00298959",
        school_number="982456",
        name=name,
        sex="2",
        birth_date=datetime.date(1976, 5, 4),
        id_number=id_number,
        major_name="会计学",
        level="bachelor",
        category="regular",
        study_form="regular_full_time",
        graduation_date=datetime.date(1998, 7, 1),
    )
    values.update(fields)
    return DegreeRecord.objects.create(**values)


def _bind(account, *, number="298959", year=1998, school="示例职业大学"):
    data = {
        "bind_degree": "1",
        "degree-certificate_number": number,
        "degree-graduation_year": year,
        "degree-school": school,
    }
    return csrf_post(csrf_client(account), URL, data, page=URL, follow=True)


def _graduate(name: str = "冯雪") -> tuple:
    number = factories.id_number(birth=datetime.date(1976, 5, 4))
    return factories.user(real_name=name, id_number=number), number


def test_a_degree_under_her_15_digit_number_binds_by_either_number(world):
    account, number = _graduate()
    degree = _degree(world, name="冯雪", id_number=idnumbers.legacy_form(number))

    response = _bind(account, number="982456")

    degree.refresh_from_db()
    assert degree.user == account and degree.bound_at is not None
    assert "学历绑定成功" in response.content.decode()
    assert AuditEvent.objects.filter(action="records.bound", subject=account).exists()


def test_the_serial_number_binds_with_no_and_leading_zeros(world):
    account, number = _graduate()
    degree = _degree(world, name="冯雪", id_number=number)
    DegreeRecord.objects.filter(pk=degree.pk).update(user=None)

    _bind(account, number="NO.00298959", school=world.institution.code)

    degree.refresh_from_db()
    assert degree.user == account


def test_a_degree_under_the_id_number_her_record_had_before_a_correction_binds(world):
    """The school registered her degree under the number her 学籍 held then; the 学籍 was
    corrected since (an accepted 有误 report recorded the old value): that degree is hers."""
    account, number = _graduate()
    record = factories.record(world.class_b, owner=account, id_number=number, name="冯雪")
    old = factories.id_number(birth=datetime.date(1976, 5, 4))
    report = DiscrepancyReport.objects.create(
        record=record, user=account, state=ReportState.ACCEPTED, reviewer=world.registrar
    )
    DiscrepancyItem.objects.create(
        report=report, field="id_number", current_value=old, claimed_value=number, accepted=True
    )
    degree = _degree(world, name="冯雪", id_number=old)

    client = csrf_client(account)
    client.get("/records/mine/")  # opening 学籍信息 does not bind it: not her number now
    degree.refresh_from_db()
    assert degree.user is None

    response = csrf_post(
        client,
        URL,
        {
            "bind_degree": "1",
            "degree-certificate_number": "298959",
            "degree-graduation_year": 1998,
            "degree-school": world.institution.name,
        },
        page=URL,
        follow=True,
    )

    degree.refresh_from_db()
    assert degree.user == account
    assert "学历绑定成功" in response.content.decode()


def test_a_degree_under_the_name_her_record_had_before_a_correction_binds(world):
    account, number = _graduate("冯雪")
    record = factories.record(world.class_b, owner=account, id_number=number, name="冯雪")
    report = DiscrepancyReport.objects.create(
        record=record, user=account, state=ReportState.ACCEPTED, reviewer=world.registrar
    )
    DiscrepancyItem.objects.create(
        report=report, field="name", current_value="冯雷", claimed_value="冯雪", accepted=True
    )
    degree = _degree(world, name="冯雷", id_number=number)

    _bind(account)

    degree.refresh_from_db()
    assert degree.user == account


@pytest.mark.parametrize(
    ("state", "accepted"),
    [(ReportState.REJECTED, False), (ReportState.SUBMITTED, None)],
)
def test_an_old_value_never_accepted_binds_nothing(world, state, accepted):
    """Only a correction the school accepted vouches for the old value: a report refused
    or still open is the student's word."""
    account, number = _graduate()
    record = factories.record(world.class_b, owner=account, id_number=number, name="冯雪")
    old = factories.id_number(birth=datetime.date(1976, 5, 4))
    report = DiscrepancyReport.objects.create(record=record, user=account, state=state)
    DiscrepancyItem.objects.create(
        report=report, field="id_number", current_value=old, claimed_value=number, accepted=accepted
    )
    degree = _degree(world, name="冯雪", id_number=old)

    response = _bind(account)

    degree.refresh_from_db()
    assert degree.user is None
    assert "姓名或证件号码与您账号的实名信息不一致" in response.content.decode()


def test_the_facts_alone_never_bind_a_classmates_degree(world):
    """She knows the certificate number, the year and the school of her classmate's
    diploma: that finds the certificate but binds nothing, and names nobody."""
    account, _number = _graduate("冯雪")
    classmate = factories.id_number(birth=datetime.date(1976, 8, 9))
    degree = _degree(world, name="韩梅", id_number=classmate)

    response = _bind(account)

    page = response.content.decode()
    degree.refresh_from_db()
    assert degree.user is None
    assert "找到了该证书，但证书上的姓名或证件号码与您账号的实名信息不一致" in page
    assert "毕业学校学籍管理部门申请更正" in page and "申请修改实名信息" in page
    assert "韩梅" not in page and classmate not in page
    assert idnumbers.mask(classmate) not in page
    assert not AuditEvent.objects.filter(action="records.bound").exists()


def test_her_name_with_another_number_binds_nothing(world):
    account, _number = _graduate("冯雪")
    degree = _degree(world, name="冯雪", id_number=factories.id_number())

    response = _bind(account)

    degree.refresh_from_db()
    assert degree.user is None
    assert "不一致，因此不能绑定" in response.content.decode()


def test_no_such_certificate_at_that_school_and_year_says_so(world):
    account, number = _graduate()
    degree = _degree(world, name="冯雪", id_number=number)
    DegreeRecord.objects.filter(pk=degree.pk).update(user=None)

    wrong_year = _bind(account, year=1999).content.decode()
    wrong_school = _bind(account, school=world.other_institution.name).content.decode()
    wrong_number = _bind(account, number="1298959").content.decode()

    for page in (wrong_year, wrong_school, wrong_number):
        assert "在该毕业学校和毕业年份下没有找到这个证书编号" in page
        assert "学历可能尚未上报注册" in page
    degree.refresh_from_db()
    assert degree.user is None


def test_a_number_without_digits_finds_nothing(world):
    account, number = _graduate()
    _degree(world, name="冯雪", id_number=number, school_number="")

    page = _bind(account, number="NO.").content.decode()

    assert "没有找到这个证书编号" in page


def test_a_degree_of_hers_bound_to_another_account_stays_there(world):
    account, number = _graduate()
    other = factories.user(real_name="冯雪", username="old-fengxue")
    degree = _degree(world, name="冯雪", id_number=number, user=other)

    page = _bind(account).content.decode()

    degree.refresh_from_db()
    assert degree.user == other
    assert "该记录已绑定到另一个账号" in page


def test_refused_tries_count_and_a_match_gives_its_try_back(world):
    account, number = _graduate()
    degree = _degree(world, name="冯雪", id_number=factories.id_number())
    for _ in range(9):
        _bind(account, year=1997)

    page = _bind(account).content.decode()  # the 10th: found, not hers, still counted
    assert "不一致" in page

    DegreeRecord.objects.filter(pk=degree.pk).update(id_number=number)
    locked = _bind(account).content.decode()
    assert "后再试" in locked
    degree.refresh_from_db()
    assert degree.user is None


def test_a_right_try_is_not_counted(world):
    account, number = _graduate()
    first = _degree(world, name="冯雪", id_number=number)
    DegreeRecord.objects.filter(pk=first.pk).update(user=None)
    for _ in range(9):
        _bind(account, year=1997)
    _bind(account)  # a match: given back

    second = _degree(
        world,
        name="冯雪",
        id_number=number,
        certificate_number="NO.00300001",
        school_number="990001",
        graduation_date=datetime.date(1999, 7, 1),
    )
    DegreeRecord.objects.filter(pk=second.pk).update(user=None)
    _bind(account, number="990001", year=1999)

    second.refresh_from_db()
    assert second.user == account
