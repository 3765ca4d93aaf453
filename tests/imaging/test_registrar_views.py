"""The staff's photo pages: progress per cohort and college, graduates without a
confirmed diploma photo (and its export), the 有误 queue and its replacement upload,
batches with their ratings."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client

from imaging.batches import photo_batch_import
from imaging.models import EntryOutcome, Photo, PhotoBatch, PhotoKind, PhotoState, PhotoVerification
from portal.lib.models import AuditEvent
from records.models import RecordStatus
from tests import factories
from tests.imaging.conftest import add_photo, jpeg, make_zip, upload
from tests.report_helpers import report_table


def _graduating(record, year=2027):
    record.expected_graduation = datetime.date(year, 7, 1)
    record.save()
    return record


def _verify(photo, result, **fields):
    Photo.objects.filter(pk=photo.pk).update(state=result)
    return PhotoVerification.objects.create(
        photo=photo, user=photo.record.user, result=result, **fields
    )


# --- Overview --------------------------------------------------------------------------


def test_the_overview_counts_each_state_per_cohort_and_college(world, client_for):
    add_photo(world.alice_record, state=PhotoState.CONFIRMED)
    add_photo(world.bob_record, state=PhotoState.DISPUTED)
    add_photo(world.carol_record)  # unverified; dave has none
    add_photo(world.dave_record, PhotoKind.DIPLOMA)  # another kind: not counted here

    response = client_for(world.registrar).get("/photos/overview/?kind=enrollment")

    rows = {row["college__name"]: row for row in response.context["rows"]}
    assert rows["理工学院"] | {} == rows["理工学院"]
    lg, jg = rows["理工学院"], rows["经管学院"]
    assert (
        lg["n_records"],
        lg["n_missing"],
        lg["n_unverified"],
        lg["n_confirmed"],
        lg["n_disputed"],
    ) == (3, 0, 1, 1, 1)
    assert (jg["n_records"], jg["n_missing"]) == (1, 1)
    assert response.context["totals"]["n_records"] == 4
    assert "2023级" in response.content.decode()


def test_the_overview_is_scoped(world, client_for):
    response = client_for(world.counselor).get("/photos/overview/")

    assert [row["college__name"] for row in response.context["rows"]] == ["理工学院"]
    assert response.context["rows"][0]["n_records"] == 2  # class A only


def test_the_overview_costs_one_query_for_its_table(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.registrar)
    client.get("/photos/overview/")
    with django_assert_max_num_queries(12) as few:  # session, user, the table … fixed
        client.get("/photos/overview/")
    for cohort in (2021, 2022, 2024):
        klass = factories.school_class(factories.college(world.institution), cohort=cohort)
        for _ in range(3):
            add_photo(factories.student(klass)[1])

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/photos/overview/")


# --- Graduates without a confirmed diploma photo --------------------------------------------


def test_graduates_without_a_confirmed_diploma_photo_are_listed_masked(world, client_for):
    for record in (world.alice_record, world.bob_record, world.carol_record, world.dave_record):
        _graduating(record)
    add_photo(world.alice_record, PhotoKind.DIPLOMA, state=PhotoState.CONFIRMED)
    add_photo(world.bob_record, PhotoKind.DIPLOMA, state=PhotoState.DISPUTED)
    add_photo(
        world.carol_record, PhotoKind.ENROLLMENT, state=PhotoState.CONFIRMED
    )  # not a diploma photo

    page = client_for(world.registrar).get("/photos/missing-diploma/?year=2027").content.decode()

    assert world.alice_record.student_number not in page
    for record in (world.bob_record, world.carol_record, world.dave_record):
        assert record.student_number in page
        assert record.masked_id_number in page and record.id_number not in page
    assert "原则上不予进行毕业证书电子注册" in page
    assert "无照片" in page and "有误" in page


def test_the_list_filters_by_graduation_year_and_skips_withdrawn(world, client_for):
    _graduating(world.alice_record, 2027)
    _graduating(world.bob_record, 2028)
    world.carol_record.status = RecordStatus.WITHDRAWN
    _graduating(world.carol_record, 2027)

    page = client_for(world.registrar).get("/photos/missing-diploma/?year=2027").content.decode()

    assert world.alice_record.student_number in page
    assert world.bob_record.student_number not in page
    assert world.carol_record.student_number not in page
    assert '<option value="2028"' in page


def test_the_export_is_an_xlsx_with_masked_id_numbers(world, client_for):
    _graduating(world.alice_record)
    _graduating(world.bob_record)
    factories.record(
        world.class_a,
        name='=HYPERLINK("http://evil")',
        expected_graduation=datetime.date(2027, 7, 1),
    )

    response = client_for(world.counselor).get("/photos/missing-diploma/export/?year=2027")

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    header, rows, sheet = report_table(response.content)
    assert sheet["A1"].value == "2027届未确认学历照片名单"
    assert header[:3] == ("学号", "姓名", "证件号码")
    by_number = {row[0]: row for row in rows}
    assert by_number[world.alice_record.student_number][2] == world.alice_record.masked_id_number
    assert by_number[world.alice_record.student_number][7] == "无照片"
    assert world.dave_record.student_number not in by_number  # another class: out of scope
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_list_costs_the_same_queries_for_1_and_30_graduates(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.registrar)
    _graduating(world.alice_record)
    client.get("/photos/missing-diploma/")
    with django_assert_max_num_queries(12) as few:
        client.get("/photos/missing-diploma/")
    for _ in range(29):
        record = _graduating(factories.student(world.class_b)[1])
        add_photo(record, PhotoKind.DIPLOMA)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/photos/missing-diploma/")


# --- The 有误 queue and a replacement upload --------------------------------------------------


@pytest.fixture
def disputed(world):
    photo = add_photo(world.alice_record)
    _verify(photo, PhotoState.DISPUTED, reason="other", comment="照片不是我")
    return photo


def test_the_queue_shows_disputed_photos_with_the_reason(world, client_for, disputed):
    add_photo(world.bob_record)

    page = client_for(world.registrar).get("/photos/disputes/").content.decode()

    assert "照片不是我" in page
    assert f"/photos/records/{world.alice_record.pk}/upload/?kind=enrollment" in page
    assert world.bob_record.name not in page


def test_the_queue_costs_the_same_queries_for_1_and_20_disputes(
    world, client_for, disputed, django_assert_max_num_queries
):
    client = client_for(world.registrar)
    client.get("/photos/disputes/")
    with django_assert_max_num_queries(12) as few:
        client.get("/photos/disputes/")
    for _ in range(19):
        photo = add_photo(factories.student(world.class_b)[1])
        _verify(photo, PhotoState.DISPUTED, reason="not_me")

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/photos/disputes/")


def test_a_new_photo_replaces_the_disputed_one_and_resets_the_state(
    world, disputed, django_capture_on_commit_callbacks
):
    from accounts import sms

    world.alice.phone = "13800000002"
    world.alice.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.registrar)
    url = f"/photos/records/{world.alice_record.pk}/upload/"
    client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "kind": "enrollment",
                "file": upload(jpeg(color=(5, 5, 5))),
                "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
            },
        )

    assert response.status_code == 302
    current = Photo.objects.current().get(record=world.alice_record, kind="enrollment")
    assert current.pk != disputed.pk and current.state == PhotoState.UNVERIFIED
    assert Photo.objects.get(pk=disputed.pk).is_current is False
    assert current.batch.entries.get().outcome == EntryOutcome.REPLACED
    assert AuditEvent.objects.filter(
        action="imaging.photo_replaced", actor=world.registrar
    ).exists()
    assert any(m.phone == "13800000002" and "学籍照片已更新" in m.text for m in sms.outbox)
    assert client.get("/photos/disputes/").content.decode().count("/upload/?kind=") == 0


def test_the_upload_needs_the_csrf_token(world, disputed):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.registrar)

    response = client.post(
        f"/photos/records/{world.alice_record.pk}/upload/",
        {"kind": "enrollment", "file": upload(jpeg())},
    )

    assert response.status_code == 403
    assert Photo.objects.count() == 1


def test_uploading_the_same_photo_again_says_so(world, client_for):
    data = jpeg()
    add_photo(world.alice_record, data=data)

    response = client_for(world.registrar).post(
        f"/photos/records/{world.alice_record.pk}/upload/",
        {"kind": "enrollment", "file": upload(data)},
    )

    assert "与当前照片相同" in response.content.decode()
    assert Photo.objects.count() == 1


@pytest.mark.parametrize("persona", ["counselor", "college_staff", "alice"])
def test_only_the_registrar_uploads(world, client_for, persona):
    response = client_for(world.persona(persona)).post(
        f"/photos/records/{world.alice_record.pk}/upload/",
        {"kind": "enrollment", "file": upload(jpeg())},
    )

    assert response.status_code == 403
    assert not Photo.objects.exists()


def test_another_institutions_registrar_gets_404(world, client_for):
    response = client_for(world.other_registrar).get(
        f"/photos/records/{world.alice_record.pk}/upload/"
    )

    assert response.status_code == 404


# --- Batches and ratings ----------------------------------------------------------------------


def _batch(world, source="新华社江西分社 2026"):
    return PhotoBatch.objects.create(
        institution=world.institution, kind="diploma", source=source, uploaded_by=world.registrar
    )


def test_the_batch_list_shows_ratings_per_batch(world, client_for):
    batch = _batch(world)
    for record, rating in ((world.alice_record, 5), (world.bob_record, 3)):
        photo = add_photo(record, PhotoKind.DIPLOMA)
        Photo.objects.filter(pk=photo.pk).update(batch=batch)
        _verify(
            photo, PhotoState.CONFIRMED, rating=rating, rating_comment="清晰" if rating == 5 else ""
        )
    photo = add_photo(world.carol_record, PhotoKind.DIPLOMA)
    Photo.objects.filter(pk=photo.pk).update(batch=batch)
    _verify(photo, PhotoState.DISPUTED, reason="not_me")

    response = client_for(world.registrar).get("/photos/batches/")

    row = response.context["page"].object_list[0]
    assert (row.n_photos, row.n_confirmed, row.n_disputed, row.n_rated) == (3, 2, 1, 2)
    assert row.avg_rating == 4
    assert "4.0" in response.content.decode()
    detail = client_for(world.registrar).get(f"/photos/batches/{batch.pk}/").content.decode()
    assert "清晰" in detail
    assert 'value="50"' in detail  # 5 分: one of two ratings


def test_the_batch_list_costs_the_same_queries_for_1_and_10_batches(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.registrar)
    _batch(world)
    client.get("/photos/batches/")
    with django_assert_max_num_queries(12) as few:
        client.get("/photos/batches/")
    for i in range(9):
        batch = _batch(world, f"批次{i}")
        photo = add_photo(factories.student(world.class_b)[1], PhotoKind.DIPLOMA)
        Photo.objects.filter(pk=photo.pk).update(batch=batch)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/photos/batches/")


def test_other_institutions_batches_are_not_listed_or_reachable(world, client_for):
    other = PhotoBatch.objects.create(
        institution=world.other_institution, kind="diploma", source="别校批次"
    )

    client = client_for(world.registrar)

    assert "别校批次" not in client.get("/photos/batches/").content.decode()
    assert client.get(f"/photos/batches/{other.pk}/").status_code == 404


def test_the_batch_detail_lists_entries_filtered_by_outcome(world, client_for):
    archive = make_zip({"a/110101199001011234.jpg": jpeg(), "b/readme.txt": b"hello"})
    batch = photo_batch_import(
        archive=io.BytesIO(archive),
        kind="diploma",
        institution=world.institution,
        source="新华社江西分社 2026",
        by=world.registrar,
    )

    page = (
        client_for(world.registrar)
        .get(f"/photos/batches/{batch.pk}/?outcome=unmatched")
        .content.decode()
    )

    # The file name is an ID number: shown masked (tests/imaging/test_batch_names.py).
    assert "a/**************1234.jpg" in page and "b/readme.txt" not in page
    assert "110101199001011234" not in page
    assert '未匹配 <span class="count">1</span>' in page


def test_the_manage_page_links_what_the_role_may_do(world, client_for):
    registrar = client_for(world.registrar).get("/photos/manage/").content.decode()
    counselor = client_for(world.counselor).get("/photos/manage/").content.decode()

    assert "/photos/import/" in registrar and "/photos/disputes/" in registrar
    assert "/photos/import/" not in counselor and "/photos/overview/" in counselor
    assert client_for(world.alice).get("/photos/manage/").status_code == 403


def test_opening_a_batch_report_names_the_students_it_lists(world, client_for):
    from imaging.models import PhotoBatchEntry
    from portal.lib.models import AuditEvent, AuditSubject

    batch = _batch(world)
    PhotoBatchEntry.objects.create(
        batch=batch,
        position=1,
        name=f"{world.bob_record.id_number}.jpg",
        record=world.bob_record,
        outcome="added",
    )

    client_for(world.registrar).get(f"/photos/batches/{batch.pk}/")

    event = AuditEvent.objects.get(action="imaging.batch_viewed")
    assert event.actor == world.registrar
    subjects = AuditSubject.objects.filter(event=event).values_list("record_id", flat=True)
    assert list(subjects) == [world.bob_record.pk]


# --- Closing a 有误 without a new photo ----------------------------------------------------


def _close(client, photo, reason="已在图像采集点重新采集，新照片随下一批导入"):
    return client.post(f"/photos/{photo.token}/close-dispute/", {"reason": reason})


def test_the_registrar_closes_a_dispute_with_a_reason_the_student_reads(
    world, client_for, disputed, django_capture_on_commit_callbacks
):
    from accounts import sms

    world.alice.phone = "13800000002"
    world.alice.save()
    client = client_for(world.registrar)

    with django_capture_on_commit_callbacks(execute=True):
        response = _close(client, disputed)

    assert response.status_code == 302 and response["Location"] == "/photos/disputes/"
    photo = Photo.objects.get(pk=disputed.pk)
    assert photo.state == PhotoState.DISPUTED and photo.is_current  # 有误 until replaced
    assert photo.dispute_closed_by == world.registrar and photo.dispute_closed_at
    queue = client.get("/photos/disputes/").content.decode()
    assert "照片不是我" not in queue and "暂无报告有误的照片" in queue
    event = AuditEvent.objects.get(action="imaging.dispute_closed")
    assert event.actor == world.registrar and "重新采集" in event.reason
    assert any(m.phone == "13800000002" and "已由学校处理" in m.text for m in sms.outbox)
    mine = client_for(world.alice).get("/records/mine/").content.decode()
    assert "学校已处理" in mine and "新照片随下一批导入" in mine


def test_a_dispute_is_not_closed_without_a_reason_or_twice(world, client_for, disputed):
    client = client_for(world.registrar)

    _close(client, disputed, reason="   ")
    assert Photo.objects.get(pk=disputed.pk).dispute_closed_at is None

    _close(client, disputed)
    closed_at = Photo.objects.get(pk=disputed.pk).dispute_closed_at
    page = client.get("/photos/disputes/")  # the message of the second attempt shows here
    _close(client, disputed, reason="第二次")
    assert Photo.objects.get(pk=disputed.pk).dispute_closed_at == closed_at
    assert AuditEvent.objects.filter(action="imaging.dispute_closed").count() == 1
    assert page.status_code == 200


def test_only_the_registrar_of_the_photo_closes_its_dispute(world, client_for, disputed):
    assert _close(client_for(world.counselor), disputed).status_code == 403
    assert _close(client_for(world.other_registrar), disputed).status_code == 404
    assert _close(client_for(world.alice), disputed).status_code == 403
    assert Photo.objects.get(pk=disputed.pk).dispute_closed_at is None


def test_a_photo_that_is_not_disputed_cannot_be_closed(world, client_for):
    photo = add_photo(world.bob_record)

    assert _close(client_for(world.registrar), photo).status_code == 404


def test_a_nul_in_the_reason_is_refused_in_words_not_a_500(world, client_for, disputed):
    client = client_for(world.registrar)

    response = _close(client, disputed, reason="重新采集\x00")

    assert response.status_code == 302
    assert Photo.objects.get(pk=disputed.pk).dispute_closed_at is None
    assert "含有无法识别的字符" in client.get("/photos/disputes/").content.decode()
