"""`manage.py seed_demo`: the demo university, its people and states, and the log-ins."""

from __future__ import annotations

import datetime
import hashlib
import io
from collections import Counter
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from accounts.models import AccountState, Role, User
from imaging.models import CollectionUnit, Photo, PhotoKind, PhotoState, PhotoVerification
from imaging.selectors import graduates_without_confirmed_diploma
from notices.models import (
    ConfirmationNotice,
    DiscrepancyNotice,
    FeedbackRemark,
    FeedbackSheet,
    Notice,
    NoticeState,
    NoticeTask,
)
from notices.selectors import notices_for_records
from portal import demo
from portal.lib import idnumbers
from portal.lib.models import AuditEvent
from records.models import (
    College,
    DiscrepancyItem,
    DiscrepancyReport,
    EnrollmentRecord,
    RecordConfirmation,
    RecordStatus,
    ReportState,
    SchoolClass,
)

STUDENTS, SEED = 120, 7
PHOTO_NOTICE = "赣示院教发（2026）4号"
DEMO_USERNAMES = [login.username for login in demo.DEMO_LOGINS]


def seed(**options) -> str:
    """The test settings run with DEBUG off, as production does: hence the flag."""
    out = io.StringIO()
    options = {"students": STUDENTS, "seed": SEED, "allow_without_debug": True, **options}
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[str]:
    """One demo for the whole module, rolled back at its end: seeding takes most of a
    second and nearly every test here only reads it. Its photos go to a directory of their
    own, not to the shared test media."""
    media = tmp_path_factory.mktemp("demo-media")
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "portal.lib.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    with override_settings(STORAGES=storages), django_db_blocker.unblock(), transaction.atomic():
        try:
            yield seed()
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def output(seeded, db) -> str:
    """The command's output; each test's own writes are rolled back by `db`."""
    return seeded


def row_counts() -> dict[str, int]:
    models = [User, SchoolClass, EnrollmentRecord, RecordConfirmation, DiscrepancyReport]
    models += [DiscrepancyItem, Photo, PhotoVerification, Notice, CollectionUnit]
    return {model.__name__: model.objects.count() for model in models}


def test_it_builds_three_colleges_and_classes_of_both_cohorts(output):
    plan = demo.demo_plan(students=STUDENTS, seed=SEED)
    records = EnrollmentRecord.objects.all()

    assert College.objects.count() == 3
    assert SchoolClass.objects.count() == len(plan.classes) >= 6
    assert records.count() == STUDENTS
    assert records.filter(admission_year=2023, entry_date=datetime.date(2023, 9, 1)).exists()
    graduates = records.filter(expected_graduation=datetime.date(2019, 7, 1))
    assert set(graduates.values_list("admission_year", "level")) == {
        (2015, "bachelor"),
        (2016, "junior_college"),
    }
    assert not SchoolClass.objects.filter(counselors__isnull=True).exists()
    assert "已生成演示数据" in output


def test_the_default_size_has_about_thirty_classes_of_forty():
    plan = demo.demo_plan(students=demo.DEFAULT_STUDENTS, seed=demo.DEFAULT_SEED)

    assert len(plan.classes) == 30
    assert Counter(c.graduating for c in plan.classes) == {False: 18, True: 12}
    assert set(Counter(p.klass for p in plan.students).values()) == {40}
    counselor = next(s for s in plan.staff if s.username == "counselor")
    assert len(counselor.classes) == 4


def test_statuses_are_registered_but_for_two_unregistered_and_one_withdrawn(output):
    statuses = Counter(EnrollmentRecord.objects.values_list("status", flat=True))

    assert statuses == {
        RecordStatus.REGISTERED: STUDENTS - 3,
        RecordStatus.UNREGISTERED: 2,
        RecordStatus.WITHDRAWN: 1,
    }


def test_every_id_number_validates_and_matches_birth_date_and_sex(output):
    for record in EnrollmentRecord.objects.all():
        assert idnumbers.validate(record.id_number) == record.id_number
        assert idnumbers.birth_date(record.id_number) == record.birth_date
        assert idnumbers.sex(record.id_number) == record.sex
        age = record.admission_year - record.birth_date.year
        # A 专升本 student enters 本科 after 3 years of 专科.
        youngest, oldest = (19, 23) if record.prior_certificate_number else (16, 20)
        assert youngest <= age <= oldest, record


def test_origin_is_in_the_province_of_the_id_number_unless_corrected(output):
    corrected = DiscrepancyItem.objects.filter(field="origin_region", accepted=True)
    moved = set(corrected.values_list("report__record", flat=True))

    for record in EnrollmentRecord.objects.exclude(pk__in=moved):
        assert record.origin_region[:2] == record.id_number[:2], record
    for record in EnrollmentRecord.objects.filter(pk__in=moved):
        assert record.origin_region[:2] != record.id_number[:2], record


def test_numbers_are_unique_and_shaped_like_the_real_ones(output):
    records = list(EnrollmentRecord.objects.all())

    assert len({r.id_number for r in records}) == len(records)
    for record in records:
        assert len(record.examinee_number) == 14 and record.examinee_number.isdigit()
        assert record.examinee_number[:2] == f"{record.admission_year % 100:02d}"
        assert record.student_number.startswith(str(record.admission_year))


def test_rare_character_names_are_stored_and_read_back_intact(output):
    expected = [surname + given for surname, given, _ in demo.RARE_NAMES] + ["张子堃"]

    stored = set(EnrollmentRecord.objects.filter(name__in=expected).values_list("name", flat=True))

    assert stored == set(expected)
    assert any(ord(ch) > 0xFFFF for name in stored for ch in name), "no name outside the BMP"
    assert EnrollmentRecord.objects.get(name="𠮷思远").name.encode("utf-8")[:4] == "𠮷".encode()


def test_every_demo_login_authenticates_with_the_demo_password(output):
    for username in DEMO_USERNAMES:
        user = authenticate(username=username, password=settings.DEMO_PASSWORD)
        assert user is not None, username
        assert user.username in output


def test_only_the_demo_logins_have_a_usable_password(output):
    usable = [u.username for u in User.objects.all() if u.has_usable_password()]

    assert sorted(usable) == sorted(DEMO_USERNAMES)


def test_staff_logins_have_their_role_and_scope(output):
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}

    assert users["counselor"].role == Role.COUNSELOR
    assert 1 <= users["counselor"].counseled_classes.count() <= 4
    assert users["college"].role == Role.COLLEGE
    assert users["college"].college.name == "信息工程学院"
    assert users["college"].title == "学院领导"
    assert users["registrar"].role == Role.REGISTRAR
    assert users["registrar"].institution.code == demo.INSTITUTION_CODE
    assert users["reviewer"].role == Role.IDENTITY_REVIEWER
    assert users["admin"].is_superuser and users["admin"].role == Role.ADMIN


def test_counselor_sees_the_student_and_monitor_of_their_class(output):
    counselor = User.objects.get(username="counselor")

    visible = EnrollmentRecord.objects.visible_to(counselor)

    assert visible.filter(user__username__in=["student", "monitor"]).count() == 2


def test_student_login_has_a_new_unconfirmed_record_and_an_unverified_photo(output):
    record = EnrollmentRecord.objects.get(user__username="student")

    assert record.admission_year == 2023
    assert record.bound_at is not None
    assert not record.confirmations.exists()
    assert record.photos.get().state == PhotoState.UNVERIFIED


def test_monitor_login_is_a_student_who_leads_her_class(output):
    monitor = User.objects.get(username="monitor")
    record = monitor.enrollment_records.get()

    assert monitor.role == Role.STUDENT
    assert record.sex == "2"
    assert record.school_class.monitor == monitor


def test_graduate_login_has_a_diploma_photo_to_verify(output):
    record = EnrollmentRecord.objects.get(user__username="graduate")

    assert record.expected_graduation == datetime.date(2019, 7, 1)
    photo = record.photos.get()
    assert (photo.kind, photo.state) == (PhotoKind.DIPLOMA, PhotoState.UNVERIFIED)


def test_accounts_are_bound_to_their_own_record(output):
    records = EnrollmentRecord.objects.filter(user__isnull=False).select_related("user")

    assert 0.5 <= records.count() / STUDENTS <= 0.8
    for record in records:
        assert record.user.real_name == record.name
        assert record.user.id_number == record.id_number
        assert record.bound_at is not None


def test_every_record_check_state_appears(output):
    bound = EnrollmentRecord.objects.filter(user__isnull=False)
    confirmed = RecordConfirmation.objects.filter(revoked_at__isnull=True).values("record")
    reports = DiscrepancyReport.objects.all()

    assert bound.filter(first_viewed_at__isnull=True).exists()
    looked = bound.filter(first_viewed_at__isnull=False).exclude(pk__in=confirmed)
    assert looked.filter(discrepancy_reports__isnull=True).exists()
    assert bound.filter(pk__in=confirmed).exists()
    assert reports.filter(state=ReportState.SUBMITTED).exists()
    assert reports.filter(state=ReportState.ACCEPTED).exists()
    rejected = reports.filter(state=ReportState.REJECTED)
    assert rejected.exists()
    assert all("出生日期变动不予更改" in r.decision_reason for r in rejected)


def test_reports_have_one_or_two_items_with_realistic_values(output):
    reports = DiscrepancyReport.objects.prefetch_related("items")

    for report in reports:
        items = list(report.items.all())
        assert 1 <= len(items) <= 2
        assert all(
            item.claimed_value and item.claimed_value != item.current_value for item in items
        )
    fields = set(DiscrepancyItem.objects.values_list("field", flat=True))
    assert {"ethnicity", "birth_date"} <= fields


def test_a_correction_is_decided_and_then_confirmed_again_or_not_yet(output):
    accepted = DiscrepancyReport.objects.filter(state=ReportState.ACCEPTED)
    reconfirmed = 0

    for report in accepted:
        assert report.reviewer.username == "registrar"
        assert report.record.bound_at < report.created_at < report.decided_at
        assert all(item.accepted for item in report.items.all())
        confirmation = report.record.confirmations.first()
        if confirmation is not None:
            assert confirmation.confirmed_at > report.decided_at
            reconfirmed += 1
    assert 0 < reconfirmed < accepted.count()


def test_every_photo_state_appears_and_some_records_have_none(output):
    photos = Photo.objects.all()

    assert {PhotoState.UNVERIFIED, PhotoState.CONFIRMED, PhotoState.DISPUTED} <= set(
        photos.values_list("state", flat=True)
    )
    assert {PhotoKind.ENROLLMENT, PhotoKind.DIPLOMA} == set(photos.values_list("kind", flat=True))
    verifications = PhotoVerification.objects.all()
    assert verifications.filter(result=PhotoState.CONFIRMED, rating__isnull=False).exists()
    assert not verifications.filter(result=PhotoState.DISPUTED, reason="").exists()
    assert verifications.count() == photos.exclude(state=PhotoState.UNVERIFIED).count()
    registered = EnrollmentRecord.objects.filter(status=RecordStatus.REGISTERED)
    assert registered.filter(photos__isnull=True).exists()


def test_photos_are_jpeg_files_in_private_storage(output):
    for photo in Photo.objects.all()[:25]:
        with default_storage.open(photo.image.name) as f:
            data = f.read()
        assert hashlib.sha256(data).hexdigest() == photo.sha256
        image = Image.open(io.BytesIO(data))
        image.load()
        assert (image.format, image.size) == ("JPEG", (photo.width, photo.height))
        with default_storage.open(photo.thumbnail.name) as f:
            thumbnail = Image.open(f)
            thumbnail.load()
        assert (thumbnail.format, thumbnail.width) == ("JPEG", 120)


def test_an_old_account_holds_the_id_number_of_a_student_without_one(output):
    old = User.objects.get(username=demo.OLD_ACCOUNT_USERNAME)
    record = EnrollmentRecord.objects.get(id_number=old.id_number)

    assert old.state == AccountState.ACTIVE
    assert not old.has_usable_password()
    assert record.user is None
    assert record.status == RecordStatus.REGISTERED
    assert User.objects.filter(id_number=old.id_number).count() == 1
    assert f"以{record.name}（学号 {record.student_number}" in output


def test_two_notices_are_published_by_the_registrar(output):
    record_check = Notice.objects.get(number="23-106")
    photo_check = Notice.objects.published().get(task=NoticeTask.PHOTO_CHECK)

    for notice in (record_check, photo_check):
        assert notice.state == NoticeState.PUBLISHED and notice.published_at
        assert notice.created_by.username == "registrar"
        assert notice.is_open
    assert record_check.task == NoticeTask.RECORD_CHECK
    assert record_check.correction_deadline > record_check.window_end
    assert list(record_check.audience.values_list("cohort", flat=True)) == [2023]
    assert list(photo_check.audience.values_list("graduation_year", flat=True)) == [2019]
    assert "学籍信息自查" in record_check.body


def test_students_see_the_notice_of_their_cohort(output):
    student, graduate = User.objects.get(username="student"), User.objects.get(username="graduate")

    assert [n.number for n in notices_for_records(student.enrollment_records.all())] == ["23-106"]
    assert [n.task for n in notices_for_records(graduate.enrollment_records.all())] == [
        NoticeTask.PHOTO_CHECK
    ]


def test_checks_are_made_under_the_record_check_notice(output):
    """The 正确 and 有误 of the classes that are not graduating name notice 23-106 (the
    link notices keeps: notices.links)."""
    confirmations = ConfirmationNotice.objects.values_list("notice__number", flat=True)
    reports = DiscrepancyNotice.objects.values_list("notice__number", flat=True)

    assert set(confirmations) == {"23-106"} and set(reports) == {"23-106"}
    assert 0 < len(confirmations) <= RecordConfirmation.objects.count()
    assert 0 < len(reports) <= DiscrepancyReport.objects.count()


def test_published_notices_have_both_contacts_and_the_photo_notice_a_sheet_deadline(output):
    for notice in Notice.objects.published().filter(number__in=["23-106", PHOTO_NOTICE]):
        contacts = {(c.office, c.room) for c in notice.contact_rows.all()}
        assert ("教务处学籍科", "办公楼一楼学籍管理室") in contacts
        assert any(room == "教务处214室" and "老师" in office for office, room in contacts)
        assert all(c.phone for c in notice.contact_rows.all())
    photo_check = Notice.objects.get(number=PHOTO_NOTICE)
    due = timezone.localtime(photo_check.sheet_deadline)
    assert due.date() == timezone.localtime(photo_check.window_end).date() + datetime.timedelta(1)
    assert (due.hour, due.minute) == (17, 0)
    assert photo_check.sheets_due == photo_check.sheet_deadline


def test_a_draft_and_a_withdrawn_notice_only_the_registrar_follows(output):
    draft = Notice.objects.get(state=NoticeState.DRAFT)
    withdrawn = Notice.objects.get(state=NoticeState.WITHDRAWN)
    student = User.objects.get(username="student")

    assert draft.published_at is None
    assert withdrawn.published_at is not None
    assert AuditEvent.objects.filter(action="notices.withdrawn").exists()
    assert [n.number for n in notices_for_records(student.enrollment_records.all())] == ["23-106"]
    public = Notice.objects.visible_to(User.objects.get(username="counselor"))
    assert not public.filter(pk__in=[draft.pk, withdrawn.pk]).exists()


def test_record_check_sheets_are_signed_countersigned_and_remarked(output):
    notice = Notice.objects.get(number="23-106")
    sheets = FeedbackSheet.objects.filter(notice=notice)
    monitor = User.objects.get(username="monitor")

    assert sheets.count() == SchoolClass.objects.filter(cohort=2023).count()
    signed = sheets.filter(counselor_signed_at__isnull=False)
    assert 2 <= signed.count() <= 3  # up to three; the monitor's own class stays open
    for sheet in signed:
        assert sheet.signed_rows and sheet.counselor_name
        assert sheet.school_class.counselors.filter(pk=sheet.counselor_signed_by_id).exists()
    handed_in = sheets.get(leader_signed_at__isnull=False)
    assert handed_in.leader_signed_by.college == handed_in.school_class.college
    assert handed_in.leader_opinion and not handed_in.is_late()
    # The monitor's own sheet is still open for her to fill in, with two remarks on it.
    own = sheets.get(school_class__monitor=monitor)
    assert not own.is_signed
    remarks = FeedbackRemark.objects.filter(sheet=own)
    assert remarks.count() == 2
    assert all(r.author == monitor and r.record.school_class == own.school_class for r in remarks)


def test_a_replaced_photo_keeps_its_history(output):
    old = Photo.objects.get(is_current=False)
    new = Photo.objects.get(record=old.record, kind=old.kind, is_current=True)

    assert old.state == PhotoState.DISPUTED and old.created_at < new.created_at
    assert old.verifications.get().comment
    assert new.state == PhotoState.CONFIRMED


def test_confirmed_photos_with_a_rating_have_a_rating_time(output):
    rated = PhotoVerification.objects.filter(rating__isnull=False)

    assert rated.exists()
    assert not rated.filter(rated_at__isnull=True).exists()
    assert not PhotoVerification.objects.filter(
        rating__isnull=True, rated_at__isnull=False
    ).exists()
    disputed = PhotoVerification.objects.filter(result=PhotoState.DISPUTED, photo__is_current=True)
    assert disputed.exclude(comment="").exists()


def test_graduates_of_2026_without_a_confirmed_diploma_photo_are_listed(output):
    juniors = EnrollmentRecord.objects.filter(
        admission_year=2023, level="junior_college", status=RecordStatus.REGISTERED
    )
    diplomas = Photo.objects.filter(kind=PhotoKind.DIPLOMA, record__in=juniors, is_current=True)
    assert {PhotoState.CONFIRMED, PhotoState.UNVERIFIED} <= set(
        diplomas.values_list("state", flat=True)
    )
    assert diplomas.filter(state=PhotoState.CONFIRMED, verifications__rated_at__isnull=False)

    registrar = User.objects.get(username="registrar")
    missing = graduates_without_confirmed_diploma(registrar, year=2026)
    states = set(missing.values_list("diploma_state", flat=True))
    assert {PhotoState.UNVERIFIED, None} <= states
    assert not missing.filter(pk__in=diplomas.filter(state=PhotoState.CONFIRMED).values("record"))
    assert not Photo.objects.filter(
        record__status=RecordStatus.GRADUATED, state=PhotoState.UNVERIFIED
    ).exists()


def test_some_students_can_be_reminded_by_phone_or_email(output):
    students = User.objects.filter(role=Role.STUDENT, enrollment_records__isnull=False)

    assert not students.filter(phone="", email="").exists()
    assert students.exclude(email="").exists()
    assert User.objects.get(username="student").email


def test_collection_units_include_the_one_from_seed_003(output):
    henan = CollectionUnit.objects.get(name="新华社河南分社图像采集中心")

    assert "紫荆山与花园路交叉口" in henan.address
    assert henan.phone == "65975186、65582410"
    assert CollectionUnit.objects.filter(province="360000").exists()


def test_running_again_changes_nothing(output):
    before = row_counts()

    again = seed()

    assert row_counts() == before
    assert "演示数据已存在" in again
    assert "student" in again


def test_if_empty_prints_the_logins_and_writes_nothing(output):
    before = row_counts()

    again = seed(if_empty=True)

    assert row_counts() == before
    assert settings.DEMO_PASSWORD in again
    assert all(username in again for username in DEMO_USERNAMES)


def test_the_same_seed_plans_the_same_people_and_the_database_holds_them(output):
    plan = demo.demo_plan(students=STUDENTS, seed=SEED)
    people = sorted((p.student_number, p.name, p.id_number) for p in plan.students)

    stored = EnrollmentRecord.objects.order_by("student_number")
    assert list(stored.values_list("student_number", "name", "id_number")) == people
    assert demo.demo_plan(students=STUDENTS, seed=SEED) == plan
    other = demo.demo_plan(students=STUDENTS, seed=SEED + 1)
    assert [p.id_number for p in other.students] != [p.id_number for p in plan.students]


def test_photo_tokens_and_usernames_come_from_the_seed(output):
    plan = demo.demo_plan(students=STUDENTS, seed=SEED)

    planned = [p.photo for p in plan.students if p.photo]
    planned += [p.diploma for p in plan.students if p.diploma]
    tokens = {photo.token for photo in planned}
    tokens |= {photo.previous_token for photo in planned if photo.previous_token}
    assert set(Photo.objects.values_list("token", flat=True)) == tokens
    usernames = {p.account.username for p in plan.students if p.account}
    assert usernames <= set(User.objects.values_list("username", flat=True))


def test_portraits_differ_and_are_the_same_for_the_same_token():
    first = demo.portrait_jpeg(token="a" * 32, sex="2")

    assert demo.portrait_jpeg(token="a" * 32, sex="2") == first
    assert demo.portrait_jpeg(token="b" * 32, sex="2")[0] != first[0]


@pytest.mark.parametrize("students", [10, demo.MAX_STUDENTS + 1])
def test_a_size_outside_the_limits_is_refused(students):
    with pytest.raises(demo.DemoError, match="演示学生人数"):
        demo.demo_plan(students=students, seed=SEED)


def test_the_command_reports_a_refused_size_as_a_command_error(db):
    with pytest.raises(CommandError, match="演示学生人数"):
        seed(students=10)


def test_without_debug_it_refuses_unless_asked_and_writes_nothing(db, settings):
    """The demo's log-ins, an admin among them, share the password printed in the README."""
    settings.DEBUG = False
    before = row_counts()

    with pytest.raises(CommandError, match="--allow-without-debug"):
        seed(allow_without_debug=False)

    assert row_counts() == before


def test_with_debug_on_it_needs_no_flag(output, settings):
    settings.DEBUG = True

    assert "演示数据已存在" in seed(allow_without_debug=False)
