"""The demo's 学历: 2019届 graduates with degrees beside their 学籍, 往届 graduates with
degrees only (the `alumna` log-in, a 1999 certificate with two numbers), and two 专升本
students, one with her 专科 degree bound and one who must bind it by hand."""

from __future__ import annotations

import datetime

from django.conf import settings

from accounts.models import User
from portal import demo
from portal.demo.constants import (
    ALUMNA_CERTIFICATE,
    ALUMNA_SCHOOL_NUMBER,
    UPGRADE_ADMISSION,
    UPGRADE_CERTIFICATES,
    UPGRADE_PENDING,
)
from portal.lib import idnumbers
from records.models import DegreeRecord, EnrollmentRecord, RecordStatus
from tests.clients import csrf_client, csrf_post
from tests.portal.test_seed_demo import output, seeded  # noqa: F401 (fixtures)


def test_registered_2019_graduates_have_a_degree_beside_their_record(output):  # noqa: F811
    graduates = EnrollmentRecord.objects.filter(
        expected_graduation__year=2019, status=RecordStatus.REGISTERED
    )
    degrees = DegreeRecord.objects.filter(enrollment_record__in=graduates).select_related(
        "enrollment_record"
    )

    assert degrees.count() == graduates.count() > 0
    for degree in degrees:
        record = degree.enrollment_record
        assert (degree.name, degree.id_number) == (record.name, record.id_number)
        assert degree.user_id == record.user_id
        assert degree.college_id == record.college_id
        assert degree.certificate_number[5:10] == "12019"
    assert DegreeRecord.objects.filter(user__username="graduate").exists()


def test_degree_only_graduates_have_no_record_and_a_college(output):  # noqa: F811
    alumni = DegreeRecord.objects.filter(enrollment_record__isnull=True, student_number="")
    alumni = alumni.exclude(certificate_number__in=UPGRADE_CERTIFICATES.values())

    assert alumni.count() >= 5
    assert not alumni.filter(college__isnull=True).exists()
    numbers = set(alumni.values_list("id_number", flat=True))
    assert not EnrollmentRecord.objects.filter(id_number__in=numbers).exists()
    pre_2001 = alumni.filter(graduation_date__year__lt=2001)
    assert pre_2001.count() >= 2 and not pre_2001.filter(school_number="").exists()


def test_the_alumna_reads_her_degree_and_no_not_yet_reported(output):  # noqa: F811
    alumna = User.objects.get(username="alumna")
    degree = DegreeRecord.objects.get(certificate_number=ALUMNA_CERTIFICATE)
    assert degree.school_number == ALUMNA_SCHOOL_NUMBER
    assert degree.graduation_date.year < 2001
    assert degree.id_number == idnumbers.legacy_form(alumna.id_number)
    assert degree.user is None

    page = csrf_client(alumna).get("/records/mine/").content.decode()

    degree.refresh_from_db()
    assert degree.user == alumna  # her 15-digit number binds on her first visit
    assert "您已毕业" in page and ALUMNA_CERTIFICATE in page and ALUMNA_SCHOOL_NUMBER in page
    assert "学校可能尚未上报您的学籍" not in page


def test_the_upgrade_student_has_her_junior_college_degree_bound(output):  # noqa: F811
    record = EnrollmentRecord.objects.select_related("prior_degree").get(user__username="upgrade")

    assert record.level == "bachelor" and record.admission_year == UPGRADE_ADMISSION
    assert record.prior_certificate_number == UPGRADE_CERTIFICATES["upgrade"]
    prior = record.prior_degree
    assert prior.certificate_number == record.prior_certificate_number
    assert prior.level == "junior_college" and prior.user == record.user
    assert prior.graduation_date == datetime.date(UPGRADE_ADMISSION, 6, 30)


def test_the_pending_upgrade_student_binds_her_degree_by_hand(output):  # noqa: F811
    account = User.objects.get(username=UPGRADE_PENDING)
    record = account.enrollment_records.get()
    degree = DegreeRecord.objects.get(certificate_number=record.prior_certificate_number)
    assert record.prior_degree is None and degree.user is None
    assert degree.id_number != account.id_number
    client = csrf_client(account)
    client.get("/records/mine/")
    degree.refresh_from_db()
    assert degree.user is None  # not under her number: opening 学籍信息 cannot bind it

    response = csrf_post(
        client,
        "/records/mine/bind/",
        {
            "bind_degree": "1",
            "degree-certificate_number": degree.certificate_number,
            "degree-graduation_year": UPGRADE_ADMISSION,
            "degree-school": demo.INSTITUTION_NAME,
        },
        page="/records/mine/bind/",
        follow=True,
    )

    degree.refresh_from_db()
    assert degree.user == account
    assert "学历绑定成功" in response.content.decode()


def test_the_new_logins_are_listed_with_the_demo_password(output):  # noqa: F811
    for username in ("alumna", "upgrade", UPGRADE_PENDING):
        assert username in output
        assert User.objects.get(username=username).check_password(settings.DEMO_PASSWORD)
