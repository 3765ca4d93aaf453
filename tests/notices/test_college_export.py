"""A whole college as one workbook, one worksheet per class in class order, built by a
background job with a progress page."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from notices.feedback import college_rows
from notices.models import FeedbackSheet
from notices.services.sheets import sheet_sign, sheets_sync
from portal.lib.models import Job, JobState
from tests.notices.conftest import (
    bulk_class,
    bulk_student,
    csrf_client,
    csrf_post,
    done_everything,
)
from tests.notices.xlsx_helpers import data_rows, formulas, open_book


def _export(user, notice, data=None):
    client = csrf_client(user)
    response = csrf_post(client, f"/notices/{notice.pk}/college-export/", data)
    job = Job.objects.get(kind="notices.college_export")
    return client, response, job


def test_college_staff_get_their_college_one_sheet_per_class_in_class_order(world, notice):
    done_everything(world.alice_record)
    client, response, job = _export(world.college_staff, notice)

    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.state == JobState.SUCCEEDED
    download = client.get(f"/jobs/{job.pk}/download/")
    book = open_book(b"".join(download.streaming_content))
    ordered = sorted([world.class_a, world.class_b], key=lambda c: (c.cohort, c.code))
    assert book.sheetnames == [c.name for c in ordered]
    first = book[world.class_a.name]
    assert [row[2] for row in data_rows(first)] == ["李晓梅", "王强"]
    assert formulas(book) == []


def test_the_job_page_shows_the_result(world, notice):
    client, _response, job = _export(world.college_staff, notice)

    page = client.get(f"/jobs/{job.pk}/").content.decode()

    assert "反馈表已生成：2 个班级，3 名学生。" in page


def test_registrar_chooses_the_college(world, notice):
    other = world.class_other_college.college
    _client, _response, job = _export(world.registrar, notice, {"college": other.pk})

    assert job.state == JobState.SUCCEEDED
    assert job.result_filename.endswith(".xlsx")


def test_college_staff_cannot_export_another_college(world, notice):
    other = world.class_other_college.college
    client = csrf_client(world.college_staff)

    response = csrf_post(client, f"/notices/{notice.pk}/college-export/", {"college": other.pk})

    assert response.status_code == 404
    assert not Job.objects.exists()


def test_counselors_cannot_start_a_college_export(world, notice):
    client = csrf_client(world.counselor)

    assert csrf_post(client, f"/notices/{notice.pk}/college-export/").status_code == 403


def test_signed_sheets_carry_their_signature(world, notice):
    sheets_sync(notice=notice)
    sheet_sign(
        sheet=FeedbackSheet.objects.get(notice=notice, school_class=world.class_a),
        by=world.counselor,
        acknowledged=True,
    )
    client, _response, job = _export(world.college_staff, notice)

    book = open_book(b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content))

    footer = book[world.class_a.name]
    assert footer.cell(footer.max_row - 1, 1).value == "辅导员签名："
    assert world.counselor.get_full_name() in footer.cell(footer.max_row, 1).value


def test_reading_a_college_costs_the_same_queries_for_2_or_12_classes(world, notice):
    college = world.class_a.college
    with CaptureQueriesContext(connection) as small:
        college_rows(notice, college)
    for _ in range(10):
        klass = bulk_class(college)
        for _ in range(3):
            bulk_student(klass)

    with CaptureQueriesContext(connection) as large:
        classes = college_rows(notice, college)

    assert len(classes) == 12
    assert len(large) == len(small)
