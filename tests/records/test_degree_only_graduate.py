"""A graduate with degrees but no 学籍 online reads what fits her (binding_diagnosis
'degree_only'), never "学校可能尚未上报您的学籍"."""

import datetime

from records.models import DegreeRecord
from tests import factories


def _degree(world, account, **fields) -> DegreeRecord:
    values = dict(
        institution=world.institution,
        certificate_number="139991201206000123",
        name=account.real_name,
        sex="2",
        birth_date=datetime.date(1990, 3, 1),
        id_number=account.id_number,
        major_name="会计电算化",
        level="junior_college",
        category="regular",
        study_form="regular_full_time",
        graduation_date=datetime.date(2012, 7, 1),
    )
    values.update(fields)
    return DegreeRecord.objects.create(**values)


def test_a_graduate_with_only_degrees_reads_that_her_degree_is_what_she_checks(client_for, world):
    world.institution.registrar_office = "教务处学籍科"
    world.institution.registrar_phone = "0791-1234 5678"
    world.institution.save()
    account = factories.user(real_name="蒋雯", id_number=factories.id_number())
    degree = _degree(world, account)

    page = client_for(account).get("/records/mine/").content.decode()

    degree.refresh_from_db()
    assert degree.user == account
    assert "学校可能尚未上报您的学籍" not in page
    assert "暂未查询到与您的姓名和证件号码匹配的学籍" not in page
    assert "您已毕业" in page and "较早年级的学籍可能没有上网" in page
    assert "您需要核对的是下方的学历信息" in page
    assert "示例职业大学：教务处学籍科" in page and "0791-1234 5678" in page
    assert degree.certificate_number in page


def test_a_graduate_whose_number_has_a_record_under_another_name_is_told_that(client_for, world):
    """A 学籍 under her number but another name matters more: that case is still said."""
    account = factories.user(real_name="蒋雯", id_number=factories.id_number())
    _degree(world, account)
    factories.record(world.class_b, name="蒋文", id_number=account.id_number)

    page = client_for(account).get("/records/mine/").content.decode()

    assert "姓名与您注册时填写的姓名不一致" in page
    assert "您已毕业" not in page


def test_without_any_record_or_degree_she_still_reads_not_yet_reported(client_for, world):
    account = factories.user(real_name="蒋雯", id_number=factories.id_number())

    page = client_for(account).get("/records/mine/").content.decode()

    assert "学校可能尚未上报您的学籍" in page
    assert "您已毕业" not in page


def test_a_student_with_a_record_and_a_degree_reads_no_diagnosis(client_for, world):
    _degree(world, world.alice, certificate_number="139991202306000001")

    page = client_for(world.alice).get("/records/mine/").content.decode()

    assert "您已毕业" not in page and "暂未查询到" not in page
