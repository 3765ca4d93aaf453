"""Opening 学籍信息 binds the records that match the account; the cases of seed 003."""

import datetime

import pytest
from django.core.cache import cache
from django.db import DatabaseError, connection

from portal.lib import idnumbers
from portal.lib.models import AuditEvent
from records.models import DegreeRecord, EnrollmentRecord, RecordStatus
from tests import factories


def test_opening_the_page_binds_every_matching_record(client_for, world):
    account = factories.user(real_name="周雨", id_number=factories.id_number())
    record = factories.record(world.class_b, name="周雨", id_number=account.id_number)

    page = client_for(account).get("/records/mine/").content.decode()

    record.refresh_from_db()
    assert record.user == account
    assert record.first_viewed_at is not None
    assert record.student_number in page
    assert AuditEvent.objects.filter(action="records.bound", subject=account).exists()


def test_a_record_under_a_15_digit_number_binds_to_its_18_digit_holder(client_for, world):
    number = factories.id_number()
    legacy = number[:6] + number[8:17]
    account = factories.user(real_name="钱进", id_number=number)
    record = factories.record(
        world.class_b, name="钱进", id_number=legacy, birth_date=idnumbers.birth_date(number)
    )

    client_for(account).get("/records/mine/")

    record.refresh_from_db()
    assert record.user == account


def test_a_record_binds_only_to_an_account_of_the_same_document_type(client_for, world):
    """The same name and number under another document type is another identity: it
    must never bind the student's record (it skipped 证件号码已被注册 and every claim)."""
    number = factories.id_number()
    record = factories.record(world.class_b, name="孙悦", id_number=number)
    other = factories.user(real_name="孙悦", id_type="passport", id_number=number)

    client_for(other).get("/records/mine/")

    record.refresh_from_db()
    assert record.user is None


def test_no_record_with_this_number_says_so(client_for, world):
    account = factories.user(real_name="孙悟", id_number=factories.id_number())

    page = client_for(account).get("/records/mine/").content.decode()

    assert "系统中没有使用您的证件号码的学籍" in page


def test_a_record_under_another_name_says_so(client_for, world):
    account = factories.user(real_name="孙悟", id_number=factories.id_number())
    factories.record(world.class_b, name="孙武", id_number=account.id_number)

    page = client_for(account).get("/records/mine/").content.decode()

    assert "姓名与您注册时填写的姓名不一致" in page
    assert not EnrollmentRecord.objects.filter(user=account).exists()


def test_an_unregistered_record_is_shown_read_only_and_says_why(client_for, world):
    """Seed 003's third case: her record is there but not registered. The page shows it,
    unbound, with the reason and no 正确 / 有误."""
    account = factories.user(real_name="孙悟", id_number=factories.id_number())
    record = factories.record(
        world.class_b, name="孙悟", id_number=account.id_number, status=RecordStatus.UNREGISTERED
    )

    page = client_for(account).get("/records/mine/").content.decode()

    assert "尚未完成电子注册" in page and "注册后才能校对" in page
    assert record.student_number in page
    assert f"/records/{record.pk}/confirm/" not in page
    assert f"/records/{record.pk}/report/" not in page
    record.refresh_from_db()
    assert record.user is None and record.first_viewed_at is None


def test_an_unregistered_record_shows_beside_her_bound_record(client_for, world):
    unregistered = factories.record(
        world.class_b,
        name=world.alice.real_name,
        id_number=world.alice.id_number,
        status=RecordStatus.UNREGISTERED,
    )

    page = client_for(world.alice).get("/records/mine/").content.decode()

    assert unregistered.student_number in page and "注册后才能校对" in page
    assert f"/records/{world.alice_record.pk}/confirm/" in page
    assert f"/records/{unregistered.pk}/confirm/" not in page
    unregistered.refresh_from_db()
    assert unregistered.user is None


def test_binding_by_school_and_student_number(client_for, world):
    account = factories.user(real_name="吴桐", id_number=factories.id_number())
    record = factories.record(
        world.class_b, name="吴桐", id_number=account.id_number, status=RecordStatus.UNREGISTERED
    )
    EnrollmentRecord.objects.filter(pk=record.pk).update(status=RecordStatus.REGISTERED)
    EnrollmentRecord.objects.filter(pk=record.pk).update(user=None)

    client_for(account).post(
        "/records/mine/bind/",
        {
            "bind_record": "1",
            "school": world.institution.code,
            "number": record.student_number,
        },
    )

    record.refresh_from_db()
    assert record.user == account


def test_binding_someone_elses_record_by_facts_fails(client_for, world):
    response = client_for(world.alice).post(
        "/records/mine/bind/",
        {
            "bind_record": "1",
            "school": world.institution.name,
            "number": world.bob_record.student_number,
        },
    )

    assert "未找到与您的姓名、证件号码一致的该学籍" in response.content.decode()
    world.bob_record.refresh_from_db()
    assert world.bob_record.user == world.bob


def test_binding_by_school_name_and_examinee_number(client_for, world):
    account = factories.user(real_name="吴桐", id_number=factories.id_number())
    record = factories.record(world.class_b, name="吴桐", id_number=account.id_number)

    response = client_for(account).post(
        "/records/mine/bind/",
        {"bind_record": "1", "school": world.institution.name, "number": record.examinee_number},
    )

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.user == account
    assert AuditEvent.objects.filter(action="records.bound", subject=account).exists()


def test_an_unbound_record_of_someone_else_never_binds_by_its_examinee_number(client_for, world):
    """Knowing a classmate's 考生号 and school is not being her (docs/security.md)."""
    theirs = factories.record(world.class_b, name="郑好")

    response = client_for(world.alice).post(
        "/records/mine/bind/",
        {"bind_record": "1", "school": world.institution.code, "number": theirs.examinee_number},
    )

    assert "未找到与您的姓名、证件号码一致的该学籍" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.user is None


def test_binding_an_unregistered_record_by_facts_is_refused_with_the_reason(client_for, world):
    account = factories.user(real_name="吴桐", id_number=factories.id_number())
    record = factories.record(
        world.class_b, name="吴桐", id_number=account.id_number, status=RecordStatus.UNREGISTERED
    )
    client = client_for(account)

    for number in (record.student_number, record.examinee_number):
        response = client.post(
            "/records/mine/bind/",
            {"bind_record": "1", "school": world.institution.code, "number": number},
        )
        assert "学籍尚未注册" in response.content.decode()

    record.refresh_from_db()
    assert record.user is None
    assert not AuditEvent.objects.filter(action="records.bound").exists()


def test_guessing_is_throttled(client_for, world):
    cache.clear()
    client = client_for(world.alice)
    for n in range(10):
        client.post("/records/mine/bind/", {"bind_record": "1", "school": "x", "number": str(n)})

    response = client.post(
        "/records/mine/bind/", {"bind_record": "1", "school": "x", "number": "y"}
    )

    assert "请" in response.content.decode() and "后再试" in response.content.decode()
    cache.clear()


def _degree(world, account, **fields):
    values = dict(
        institution=world.institution,
        certificate_number="NO.00298959",
        school_number="982456",
        name=account.real_name,
        sex="2",
        birth_date=idnumbers.birth_date(account.id_number),
        id_number=account.id_number,
        major_name="会计学",
        level="bachelor",
        category="regular",
        study_form="regular_full_time",
        graduation_date=datetime.date(1998, 7, 1),
    )
    values.update(fields)
    return DegreeRecord.objects.create(**values)


def test_a_pre_2001_degree_binds_by_either_number_without_no_and_zeros(client_for, world):
    account = factories.user(real_name="冯雪", id_number=factories.id_number())
    degree = _degree(world, account)
    DegreeRecord.objects.filter(pk=degree.pk).update(id_number="")  # no automatic match
    DegreeRecord.objects.filter(pk=degree.pk).update(
        id_number=account.id_number, name=account.real_name
    )
    client = client_for(account)
    DegreeRecord.objects.filter(pk=degree.pk).update(user=None)

    client.post(
        "/records/mine/bind/",
        {
            "bind_degree": "1",
            "degree-certificate_number": "298959",
            "degree-graduation_year": 1998,
            "degree-school": world.institution.name,
        },
    )

    degree.refresh_from_db()
    assert degree.user == account


# 学籍信息 lists the student's records and degrees and those it would bind in the same
# queries: binding happens when such a row turns up, on any visit.


def test_a_record_imported_after_her_first_visit_binds_on_the_next(client_for, world):
    client = client_for(world.alice)
    client.get("/records/mine/")
    later = factories.record(
        world.class_b, name=world.alice.real_name, id_number=world.alice.id_number
    )

    page = client.get("/records/mine/").content.decode()

    later.refresh_from_db()
    assert later.user == world.alice and later.first_viewed_at is not None
    assert later.student_number in page and world.alice_record.student_number in page
    assert "您一共有 2 个学籍" in page


def test_a_degree_alone_binds_and_shows(client_for, world):
    account = factories.user(real_name="冯雪", id_number=factories.id_number())
    degree = _degree(world, account)
    DegreeRecord.objects.filter(pk=degree.pk).update(user=None)

    page = client_for(account).get("/records/mine/").content.decode()

    degree.refresh_from_db()
    assert degree.user == account
    assert degree.certificate_number in page


def test_someone_elses_record_never_shows(client_for, world):
    """A record under her name and number that is bound to another account stays theirs."""
    theirs = factories.record(
        world.class_b,
        name=world.alice.real_name,
        id_number=world.alice.id_number,
        owner=world.bob,
    )

    page = client_for(world.alice).get("/records/mine/").content.decode()

    assert theirs.student_number not in page
    assert world.alice_record.student_number in page
    theirs.refresh_from_db()
    assert theirs.user == world.bob


def _refuse_audit():
    """From now on the audit trail refuses every new event (a full disk, a lost
    connection): a trigger in the database, not a stand-in for our code."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION audit_refused() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'audit refused'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER audit_refused BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION audit_refused()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER audit_refused BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
            )


def test_a_binding_by_facts_whose_audit_fails_binds_nothing(client_for, world):
    """The record's new account and its audit event are one transaction: no binding
    without its trace in the trail."""
    account = factories.user(real_name="郑好", id_number=factories.id_number())
    record = factories.record(world.class_b, name="郑好", id_number=account.id_number)
    client = client_for(account)
    EnrollmentRecord.objects.filter(pk=record.pk).update(user=None, bound_at=None)
    _refuse_audit()

    with pytest.raises(DatabaseError):
        client.post(
            "/records/mine/bind/",
            {"bind_record": "1", "school": world.institution.code, "number": record.student_number},
        )

    record.refresh_from_db()
    assert record.user is None
    assert record.bound_at is None


def test_a_degree_binding_whose_audit_fails_binds_nothing(client_for, world):
    account = factories.user(real_name="郑好", id_number=factories.id_number())
    degree = _degree(world, account)
    client = client_for(account)
    DegreeRecord.objects.filter(pk=degree.pk).update(user=None, bound_at=None)
    _refuse_audit()

    with pytest.raises(DatabaseError):
        client.post(
            "/records/mine/bind/",
            {
                "bind_degree": "1",
                "degree-certificate_number": "298959",
                "degree-graduation_year": 1998,
                "degree-school": world.institution.name,
            },
        )

    degree.refresh_from_db()
    assert degree.user is None
    assert degree.bound_at is None
