"""The PIPL trail of staff access (issue 11, item 9): a staff member looking at a photo,
an identity image, a feedback sheet, a full record, a 有误 report or its evidence,
searching by ID number, or exporting any file leaves one audit event naming every
student concerned; a student looking at her own things leaves none; the ID-number search
is a POST whose number never reaches a URL or the audit."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection

from notices.services.sheets import sheet_sign
from portal.lib import idnumbers
from portal.lib.audit import StudentRef, log_access
from portal.lib.models import AuditEvent, AuditSubject, Job
from records.models import DiscrepancyEvidence, EnrollmentRecord, EvidenceKind
from tests import factories
from tests.accounts.helpers import photo_request
from tests.clients import csrf_client, csrf_post
from tests.imaging.conftest import add_photo
from tests.notices.conftest import (
    bulk_class,
    bulk_student,
    count_queries,
    done_everything,
    report,
)


def named(event: AuditEvent) -> set[tuple[int | None, int | None]]:
    """(record id, account id) of every student the event names."""
    return set(event.subjects.values_list("record_id", "user_id"))


def of(*records) -> set[tuple[int | None, int | None]]:
    return {(record.pk, record.user_id) for record in records}


def only_event(action: str) -> AuditEvent:
    return AuditEvent.objects.get(action=action)


# Photos: the full file and the thumbnail, one event per file served ---------------------


@pytest.fixture
def alice_photo(world, private_media):
    return add_photo(world.alice_record)


@pytest.mark.parametrize(
    ("suffix", "action"),
    [(".jpg", "imaging.photo_viewed"), (".thumb.jpg", "imaging.thumbnail_viewed")],
)
def test_staff_viewing_a_photo_names_its_student(client_for, world, alice_photo, suffix, action):
    response = client_for(world.counselor).get(f"/photos/{alice_photo.token}{suffix}")

    assert response.status_code == 200
    event = only_event(action)
    assert event.actor == world.counselor
    assert named(event) == of(world.alice_record)
    assert event.subject == world.alice
    assert event.institution == world.institution


def test_a_thumbnail_costs_its_lookup_and_two_inserts(
    client_for, world, alice_photo, django_assert_max_num_queries
):
    client = client_for(world.counselor)
    client.get(f"/photos/{alice_photo.token}.thumb.jpg")  # the session, once

    with django_assert_max_num_queries(5) as captured:  # session, user, photo, 2 INSERTs
        client.get(f"/photos/{alice_photo.token}.thumb.jpg")

    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 2


@pytest.mark.parametrize("suffix", [".jpg", ".thumb.jpg"])
def test_a_student_viewing_her_own_photo_leaves_no_event(client_for, world, alice_photo, suffix):
    before = AuditEvent.objects.count()  # the photo's import is in the trail

    assert client_for(world.alice).get(f"/photos/{alice_photo.token}{suffix}").status_code == 200

    assert AuditEvent.objects.count() == before


def test_the_admin_viewing_a_photo_is_recorded_too(client_for, world, alice_photo):
    client_for(world.admin).get(f"/photos/{alice_photo.token}.jpg")

    assert only_event("imaging.photo_viewed").actor == world.admin


# Identity images ------------------------------------------------------------------------


@pytest.fixture
def alice_request(world, private_media):
    return photo_request(world.alice)


def test_a_reviewer_opening_an_identity_image_names_its_owner(client_for, world, alice_request):
    url = f"/accounts/identity-images/{alice_request.token}/back/"

    assert client_for(world.reviewer).get(url).status_code == 200

    event = only_event("accounts.identity_image_viewed")
    assert event.actor == world.reviewer
    assert named(event) == {(None, world.alice.pk)}
    assert event.changes == {"side": "back"}


def test_the_owner_opening_her_identity_image_leaves_no_event(client_for, world, alice_request):
    url = f"/accounts/identity-images/{alice_request.token}/front/"

    assert client_for(world.alice).get(url).status_code == 200

    assert not AuditEvent.objects.exists()


# Full records, the edit page, the 有误 report, its evidence ------------------------------


@pytest.mark.parametrize("persona", ["counselor", "college_staff", "registrar", "admin"])
def test_staff_opening_a_full_record_names_the_student(client_for, world, persona):
    client_for(world.persona(persona)).get(f"/records/{world.bob_record.pk}/")

    event = only_event("records.viewed")
    assert named(event) == of(world.bob_record)


def test_a_student_opening_her_own_record_leaves_no_event(client_for, world):
    assert client_for(world.bob).get(f"/records/{world.bob_record.pk}/").status_code == 200
    assert client_for(world.bob).get("/records/mine/").status_code == 200

    assert not AuditEvent.objects.exists()


def test_the_registrar_opening_the_edit_page_is_recorded(client_for, world):
    page = client_for(world.registrar).get(f"/records/{world.bob_record.pk}/edit/")

    assert page.status_code == 200
    assert named(only_event("records.edit_viewed")) == of(world.bob_record)


@pytest.fixture
def bob_report(world, private_media):
    filed = report(world.bob_record)
    evidence = DiscrepancyEvidence(
        report=filed,
        kind=EvidenceKind.HOUSEHOLD_REGISTER,
        token=factories.token(),
        extension=".pdf",
        content_type="application/pdf",
        size=20,
    )
    evidence.file.save("x.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    evidence.save()
    return filed


def test_the_registrar_opening_a_report_names_its_student(client_for, world, bob_report):
    assert client_for(world.registrar).get(f"/records/queue/{bob_report.pk}/").status_code == 200

    assert named(only_event("records.viewed")) == of(world.bob_record)


def test_staff_opening_evidence_names_the_student(client_for, world, bob_report):
    token = bob_report.evidence.get().token

    assert client_for(world.registrar).get(f"/records/evidence/{token}/").status_code == 200

    assert named(only_event("records.evidence_viewed")) == of(world.bob_record)


def test_a_student_opening_her_own_evidence_leaves_no_event(client_for, world, bob_report):
    token = bob_report.evidence.get().token

    assert client_for(world.bob).get(f"/records/evidence/{token}/").status_code == 200

    assert not AuditEvent.objects.exists()


# Feedback sheets: the page and each export ----------------------------------------------


def test_the_counselor_opening_a_sheet_names_every_student_of_the_class(client_for, world, sheet):
    done_everything(world.alice_record)

    assert client_for(world.counselor).get(f"/notices/sheets/{sheet.pk}/").status_code == 200

    event = only_event("notices.sheet_viewed")
    assert event.actor == world.counselor
    assert named(event) == of(world.alice_record, world.bob_record)
    assert event.institution == world.institution


def test_the_monitor_opening_the_sheet_is_recorded_as_she_sees_her_classmates(
    client_for, world, sheet
):
    client_for(world.alice).get(f"/notices/sheets/{sheet.pk}/")

    assert named(only_event("notices.sheet_viewed")) == of(world.alice_record, world.bob_record)


def test_a_sheet_export_names_every_student_of_the_class(client_for, world, sheet):
    response = client_for(world.counselor).get(f"/notices/sheets/{sheet.pk}/export.xlsx")

    assert response.status_code == 200
    event = only_event("notices.sheet_exported")
    assert named(event) == of(world.alice_record, world.bob_record)
    assert event.changes["file"].endswith(".xlsx")


def test_the_audit_page_shows_the_exported_file_whole(client_for, world, sheet):
    """An access event notes the file as one value: the page split it into characters
    ("file：反 → 馈")."""
    client_for(world.counselor).get(f"/notices/sheets/{sheet.pk}/export.xlsx")
    name = only_event("notices.sheet_exported").changes["file"]

    page = client_for(world.registrar).get("/audit/").content.decode()

    assert f"文件：{name}" in page
    assert f"文件：{name[0]} → {name[1]}" not in page


def test_a_signed_sheet_export_names_the_students_it_was_signed_with(client_for, world, sheet):
    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)
    sheet.refresh_from_db()

    client_for(world.college_staff).get(f"/notices/sheets/{sheet.pk}/export.xlsx")

    subjects = named(only_event("notices.sheet_exported"))
    assert {record for record, _user in subjects} == {
        world.alice_record.pk,
        world.bob_record.pk,
    }


def test_the_sheet_page_stays_at_a_constant_number_of_queries_with_its_audit(
    client_for, world, sheet, django_assert_max_num_queries
):
    client = client_for(world.counselor)
    small = count_queries(client, f"/notices/sheets/{sheet.pk}/")
    for _ in range(38):
        bulk_student(world.class_a)

    with django_assert_max_num_queries(small) as captured:
        assert client.get(f"/notices/sheets/{sheet.pk}/").status_code == 200

    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 2  # the event, and one bulk INSERT of its 40 students
    assert len(named(AuditEvent.objects.filter(action="notices.sheet_viewed").first())) == 40


# Exports ----------------------------------------------------------------------------------


def test_a_pending_list_of_a_class_names_every_student_of_it(client_for, world, notice):
    klass = bulk_class(world.class_a.college)
    klass.counselors.add(world.counselor)
    records = [bulk_student(klass)[1] for _ in range(30)]
    imported = bulk_student(klass, with_account=False)[1]  # no account yet

    response = client_for(world.counselor).get(
        f"/notices/{notice.pk}/pending.xlsx", {"school_class": klass.pk}
    )

    assert response.status_code == 200
    event = only_event("notices.pending_exported")
    assert named(event) == of(*records, imported)
    # The student without an account is still found by her record, later.
    found = AuditEvent.objects.concerning(records=EnrollmentRecord.objects.filter(pk=imported.pk))
    assert found.get() == event


def test_the_roster_export_and_its_download_name_every_student_in_scope(world):
    client = csrf_client(world.registrar, first_page="/records/search/")

    response = csrf_post(client, "/records/export/")

    job = Job.objects.get(kind="records.roster_export")
    assert response["Location"] == f"/jobs/{job.pk}/"
    everyone = of(world.alice_record, world.bob_record, world.carol_record, world.dave_record)
    exported = only_event("records.roster_exported")
    assert (exported.actor, exported.institution) == (world.registrar, world.institution)
    assert named(exported) == everyone

    assert client.get(f"/jobs/{job.pk}/download/").status_code == 200
    downloaded = only_event("portal.job_downloaded")
    assert named(downloaded) == everyone
    assert downloaded.changes == {"file": job.result_filename}


def test_each_download_of_an_export_names_its_students_once(world):
    client = csrf_client(world.registrar)
    client.get("/records/search/")
    client.post("/records/export/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    job = Job.objects.get(kind="records.roster_export")
    everyone = of(world.alice_record, world.bob_record, world.carol_record, world.dave_record)

    for _ in range(3):
        assert client.get(f"/jobs/{job.pk}/download/").status_code == 200

    downloads = AuditEvent.objects.filter(action="portal.job_downloaded")
    assert [named(event) for event in downloads] == [everyone] * 3
    # Not the students of the earlier downloads again: 4 each, not 4, 8, 16.
    assert [event.subjects.count() for event in downloads] == [4, 4, 4]


def test_a_download_names_the_students_of_the_run_that_made_the_file(world):
    client = csrf_client(world.registrar)
    client.get("/records/search/")
    client.post("/records/export/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    job = Job.objects.get(kind="records.roster_export")
    # A second run of the job (a retry after its worker died) wrote the file anew.
    log_access(world.registrar, "records.roster_exported", job, students=[world.alice_record])

    assert client.get(f"/jobs/{job.pk}/download/").status_code == 200

    assert named(only_event("portal.job_downloaded")) == of(world.alice_record)


def test_a_college_export_names_every_student_of_the_college(world, notice):
    client = csrf_client(world.college_staff, first_page=f"/notices/{notice.pk}/progress/")

    csrf_post(client, f"/notices/{notice.pk}/college-export/")

    event = only_event("notices.college_exported")
    assert named(event) == of(world.alice_record, world.bob_record, world.carol_record)


def test_the_missing_diploma_export_names_every_graduate_in_it(client_for, world):
    response = client_for(world.counselor).get("/photos/missing-diploma/export/?year=2027")

    assert response.status_code == 200
    event = only_event("imaging.missing_diploma_exported")
    assert named(event) == of(world.alice_record, world.bob_record)
    assert event.institution == world.institution


def test_the_feedback_export_command_names_every_student_of_the_college(world, notice, tmp_path):
    output = tmp_path / "college.xlsx"

    call_command(
        "export_feedback",
        "--notice",
        notice.number,
        "--college",
        world.class_a.college.code,
        "-o",
        str(output),
        stdout=io.StringIO(),
    )

    event = only_event("notices.feedback_exported")
    assert event.actor is None and event.actor_label == "系统"
    assert event.changes == {"command": "export_feedback", "file": "college.xlsx"}
    assert named(event) == of(world.alice_record, world.bob_record, world.carol_record)
    assert event.institution == world.institution


# The ID-number search ---------------------------------------------------------------------


def _search_form(client) -> str:
    return client.get("/records/search/").content.decode()


def test_the_search_form_is_a_post_with_a_csrf_token(world):
    page = _search_form(csrf_client(world.registrar))

    form = re.search(r'<form method="post"[^>]*role="search"[^>]*>(.*?)</form>', page, re.S)
    assert form and 'name="csrfmiddlewaretoken"' in form.group(1)
    assert not re.search(r'<form method="get"[^>]*role="search"', page)


def test_a_search_without_the_csrf_token_is_refused(world):
    client = csrf_client(world.registrar)

    response = client.post("/records/search/", {"q": world.dave_record.id_number})

    assert response.status_code == 403
    assert not AuditEvent.objects.exists()


def test_a_get_with_q_searches_nothing_and_never_echoes_the_number(world):
    client = csrf_client(world.registrar)
    number = world.dave_record.id_number

    response = client.get("/records/search/", {"q": number})

    assert response.status_code == 302
    assert response["Location"] == "/records/search/"
    page = client.get(response["Location"]).content.decode()
    assert number not in page
    assert "查询内容不能放在网址中" in page
    assert not AuditEvent.objects.exists()


def test_a_search_by_id_number_is_audited_masked_naming_the_students_found(world):
    client = csrf_client(world.registrar)
    _search_form(client)
    number = world.dave_record.id_number
    typed = f" {number.lower()} "

    response = csrf_post(client, "/records/search/", {"q": typed})

    page = response.content.decode()
    assert world.dave_record.name in page and world.alice_record.name not in page
    assert 'role="status"' in page  # the count, read out after the search
    event = only_event("records.searched")
    assert event.actor == world.registrar
    assert named(event) == of(world.dave_record)
    assert event.changes == {"q": idnumbers.mask(number.strip()), "found": 1}
    stored = repr(list(AuditEvent.objects.values())) + repr(list(AuditSubject.objects.values()))
    assert number not in stored and number.lower() not in stored


def test_search_results_page_on_with_buttons_in_a_form(world, django_assert_max_num_queries):
    klass = bulk_class(world.class_a.college)
    name_twins = [
        factories.record(klass, name="张伟", student_number=f"2023T{i:04d}") for i in range(60)
    ]
    client = csrf_client(world.registrar)
    _search_form(client)
    token = client.cookies["csrftoken"].value

    with django_assert_max_num_queries(15):
        first = client.post("/records/search/", {"q": "张伟", "csrfmiddlewaretoken": token})

    page = first.content.decode()
    assert '<button type="submit" name="page" value="2">' in page
    assert "?q=" not in page and "q=%E5" not in page
    second = client.post(
        "/records/search/", {"q": "张伟", "page": "2", "csrfmiddlewaretoken": token}
    ).content.decode()
    assert "第 2 / 2 页" in second
    first_event, second_event = AuditEvent.objects.filter(action="records.searched").order_by("pk")
    assert len(named(first_event)) == 50 and len(named(second_event)) == 10
    assert named(first_event) | named(second_event) == of(*name_twins)


# The Django admin ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "action"),
    [
        ("records/enrollmentrecord", "records.admin_viewed"),
        ("accounts/user", "accounts.admin_viewed"),
    ],
)
def test_an_admin_opening_a_persons_data_in_the_admin_is_recorded(client_for, world, path, action):
    pk = world.bob_record.pk if path.startswith("records") else world.bob.pk

    assert client_for(world.admin).get(f"/admin/{path}/{pk}/change/").status_code == 200

    event = only_event(action)
    assert event.actor == world.admin
    assert event.subject == world.bob


@pytest.mark.parametrize("path", ["records/enrollmentrecord", "accounts/user"])
def test_the_admin_search_does_not_take_id_numbers(client_for, world, path):
    page = client_for(world.admin).get(f"/admin/{path}/", {"q": world.bob_record.id_number})

    assert page.status_code == 200
    assert world.bob_record.student_number not in page.content.decode()
    assert "bob" not in re.findall(
        r'<th class="field-username"><a[^>]*>([^<]*)<', page.content.decode()
    )


# The registrar's audit page shows these events, by student ------------------------------


def test_the_audit_page_finds_every_access_to_a_student_by_student_number(client_for, world):
    log_access(world.counselor, "records.viewed", world.bob_record, students=[world.bob_record])
    log_access(
        world.counselor,
        "notices.pending_exported",
        None,
        students=[world.alice_record, StudentRef(record_id=world.bob_record.pk)],
        label="未完成名单",
    )
    log_access(world.counselor, "records.viewed", world.alice_record, students=[world.alice])

    page = client_for(world.registrar).get("/audit/", {"student": world.bob_record.student_number})

    text = page.content.decode()
    assert text.count('<span title="records.viewed">查看学籍</span>') == 1
    assert text.count('<span title="notices.pending_exported">导出未完成名单</span>') == 1
    assert "未完成名单" in text and "2 名" in text


def test_concerning_finds_events_by_account_or_record(world):
    by_record = log_access(
        world.counselor, "x.exported", None, students=[StudentRef(record_id=world.bob_record.pk)]
    )
    by_user = log_access(world.reviewer, "x.viewed", world.bob, students=[world.bob])
    log_access(world.counselor, "x.viewed", world.alice_record, students=[world.alice_record])

    found = AuditEvent.objects.concerning(
        user=world.bob, records=EnrollmentRecord.objects.filter(pk=world.bob_record.pk)
    )

    assert set(found) == {by_record, by_user}


def test_concerning_a_user_finds_events_naming_her_record_only(world):
    # A signed sheet's rows keep record ids only: the account history (accounts
    # .services.claims.account_history) must still find the event.
    by_record = log_access(
        world.counselor, "x.exported", None, students=[StudentRef(record_id=world.bob_record.pk)]
    )
    log_access(world.counselor, "x.viewed", world.alice_record, students=[world.alice_record])

    assert list(AuditEvent.objects.concerning(user=world.bob)) == [by_record]


def test_a_student_named_by_record_and_by_account_is_one_subject(world):
    # A sheet's signed rows (record only) and its live rows (record and account).
    event = log_access(
        world.counselor,
        "notices.sheet_viewed",
        None,
        students=[StudentRef(record_id=world.bob_record.pk), world.bob_record, world.bob],
    )

    assert named(event) == of(world.bob_record)
    assert event.subject == world.bob


def test_the_audit_page_counts_a_student_named_twice_once(client_for, world):
    log_access(
        world.counselor,
        "notices.sheet_viewed",
        None,
        students=[StudentRef(record_id=world.bob_record.pk), world.bob_record],
        label="反馈表",
    )

    page = client_for(world.registrar).get("/audit/", {"student": world.bob_record.student_number})

    text = page.content.decode()
    assert "1 名" in text and "2 名" not in text


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL run")
def test_an_export_of_hundreds_is_two_inserts_on_postgresql(world, django_assert_num_queries):
    klass = bulk_class(world.class_a.college)
    records = [bulk_student(klass, with_account=False)[1] for _ in range(300)]

    with django_assert_num_queries(2):
        event = log_access(world.registrar, "x.exported", None, students=records)

    assert len(named(event)) == 300
