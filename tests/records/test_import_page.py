"""The registrar's roster import page: upload, a background job, its result page."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from portal.lib import idnumbers
from portal.lib.models import Job, JobState
from records.imports import TEMPLATE_HEADER, RosterImportError, roster_import
from records.models import College, EnrollmentRecord
from tests.records.roster_files import row_of, student, write_roster

URL = "/records/import/"


@pytest.fixture
def upload(tmp_path):
    def make(rows, name="名单.xlsx"):
        path = write_roster(tmp_path / "upload.xlsx", rows)
        return SimpleUploadedFile(name, path.read_bytes())

    return make


def _post(client, file, **data):
    response = client.post(URL, {"file": file, **data})
    assert response.status_code == 302, response.content.decode()[:500]
    return Job.objects.get(pk=response["Location"].split("/")[2])


def test_registrar_sees_the_upload_form(client_for, world):
    page = client_for(world.registrar).get(URL).content.decode()

    assert 'enctype="multipart/form-data"' in page
    assert "试导入" in page
    assert "/records/import/template/" in page


def test_registrar_uploads_and_the_job_page_shows_the_counts(client_for, world, upload):
    client = client_for(world.registrar)

    job = _post(client, upload([student(1), student(2), student(3)]), allow_new_colleges="on")

    assert job.state == JobState.SUCCEEDED
    assert job.result["summary"][1][1] == 3
    page = client.get(job.get_absolute_url()).content.decode()
    assert "导入完成" in page
    assert "<dt>新建</dt><dd>3</dd>" in page
    assert "<dt>更新</dt><dd>0</dd>" in page
    assert job.message == "导入完成"
    assert EnrollmentRecord.objects.filter(institution=world.institution).count() == 7


def test_the_uploaded_file_is_not_kept(client_for, world, upload):
    job = _post(client_for(world.registrar), upload([student(1)]))

    assert not default_storage.exists(job.params["file"])
    assert job.params["file"].startswith("imports/")
    assert "名单" not in job.params["file"]  # our name, never the user's


def test_a_bad_file_shows_every_error_by_row_and_column(client_for, world, upload):
    client = client_for(world.registrar)

    job = _post(client, upload([student(1), student(2, 民族="火星族"), student(3, 性别="?")]))

    page = client.get(job.get_absolute_url()).content.decode()
    assert "发现 2 处错误，没有写入任何数据" in page
    assert "<dt>新建</dt>" not in page  # no counts for a file that was not imported
    assert (
        '<td class="num">3</td><td>G（民族）</td><td>“火星族”不是 GB 3304 中的民族名称</td>' in page
    )
    assert '<td class="num">4</td><td>D（性别）</td>' in page
    assert EnrollmentRecord.objects.filter(institution=world.institution).count() == 4


def test_a_dry_run_writes_nothing(client_for, world, upload):
    client = client_for(world.registrar)

    job = _post(client, upload([student(1)]), dry_run="on", allow_new_colleges="on")

    assert job.title == "试导入学生名单"
    assert "试导入通过" in client.get(job.get_absolute_url()).content.decode()
    assert EnrollmentRecord.objects.filter(institution=world.institution).count() == 4


def test_a_file_that_is_not_xlsx_is_refused_on_the_form(client_for, world):
    client = client_for(world.registrar)
    fake = SimpleUploadedFile("名单.xlsx", "学号,姓名\n".encode(), content_type="text/csv")

    response = client.post(URL, {"file": fake})

    assert response.status_code == 200
    assert "不是 Excel .xlsx 工作簿" in response.content.decode()
    assert not Job.objects.exists()


def test_an_unreadable_workbook_fails_the_job_with_a_chinese_message(client_for, world):
    client = client_for(world.registrar)
    broken = SimpleUploadedFile("名单.xlsx", b"PK\x03\x04" + b"\0" * 100)

    job = _post(client, broken)

    assert job.state == JobState.FAILED
    assert "不是 Excel .xlsx 工作簿" in client.get(job.get_absolute_url()).content.decode()


def test_another_institutions_roster_is_refused(client_for, world, upload):
    job = _post(client_for(world.registrar), upload([student(1, 院校代码="13998")]))

    assert "只能导入本校" in job.result["errors"][0]["reason"]


@pytest.mark.parametrize("persona", ["alice", "counselor", "college_staff", "reviewer"])
def test_other_roles_get_403(client_for, world, persona, upload):
    client = client_for(world.persona(persona))

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": upload([student(1)])}).status_code == 403
    assert client.get(URL + "template/").status_code == 403
    assert not Job.objects.exists()


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_upload_needs_a_csrf_token(world, upload):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.registrar)

    assert client.post(URL, {"file": upload([student(1)])}).status_code == 403
    assert not Job.objects.exists()


def test_the_upload_page_costs_a_bounded_number_of_queries(
    client_for, world, django_assert_max_num_queries
):
    client = client_for(world.registrar)

    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200


def _template(client_for, world):
    response = client_for(world.registrar).get(URL + "template/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return response, load_workbook(io.BytesIO(response.content))


def test_the_template_roster_has_the_header_row_on_the_sheet_the_import_reads(client_for, world):
    _response, workbook = _template(client_for, world)

    assert workbook.sheetnames == ["学生名单", "填写说明"]
    rows = list(workbook["学生名单"].iter_rows(values_only=True))
    assert list(rows[0]) == TEMPLATE_HEADER
    assert all(value is None for row in rows[1:] for value in row)


def test_the_template_formats_the_number_columns_as_text(client_for, world):
    _response, workbook = _template(client_for, world)
    sheet = workbook["学生名单"]

    for title in ("考生号", "学号", "身份证号"):
        letter = get_column_letter(TEMPLATE_HEADER.index(title) + 1)
        assert sheet.column_dimensions[letter].number_format == "@"
        assert {sheet[f"{letter}{row}"].number_format for row in range(2, 2001)} == {"@"}
    assert sheet["B2"].number_format == "General"  # 姓名: as Excel has it


def test_the_template_example_row_is_valid_and_on_its_own_sheet(client_for, world):
    _response, workbook = _template(client_for, world)
    rows = list(workbook["填写说明"].iter_rows(values_only=True))

    header_at = next(i for i, row in enumerate(rows) if list(row) == TEMPLATE_HEADER)
    example = dict(zip(TEMPLATE_HEADER, rows[header_at + 1], strict=True))
    assert "示例" in rows[0][0]
    assert example["姓名"] == "张示例"
    assert idnumbers.validate(example["身份证号"]) == example["身份证号"]
    assert workbook["填写说明"][f"F{header_at + 2}"].number_format == "@"


def test_the_template_as_downloaded_imports_no_student(client_for, world, tmp_path):
    response, _workbook = _template(client_for, world)
    path = tmp_path / "示例名单.xlsx"
    path.write_bytes(response.content)

    with pytest.raises(RosterImportError, match="名单中没有学生"):
        roster_import(file=path)


def test_the_example_row_copied_to_the_roster_sheet_imports(client_for, world, tmp_path):
    _response, workbook = _template(client_for, world)
    rows = list(workbook["填写说明"].iter_rows(values_only=True))
    example = rows[rows.index(tuple(TEMPLATE_HEADER)) + 1]
    path = write_roster(
        tmp_path / "名单.xlsx",
        [dict(zip(TEMPLATE_HEADER, example, strict=True))],
        header=TEMPLATE_HEADER,
    )

    result = roster_import(file=path, allow_new_colleges=True)

    assert not result.errors
    assert result.created == 1


def test_the_upload_form_offers_the_two_ticks(client_for, world):
    page = client_for(world.registrar).get(URL).content.decode()

    assert "允许新建学院、专业" in page
    assert "将警告视为错误" in page


def test_a_new_college_is_refused_without_the_tick_and_created_with_it(client_for, world, upload):
    client = client_for(world.registrar)
    row = student(1, 分院="理工学园")

    refused = _post(client, upload([row]))

    page = client.get(refused.get_absolute_url()).content.decode()
    assert "分院“理工学园”不存在，是否为“理工学院”？" in page
    assert not College.objects.filter(name="理工学园").exists()

    job = _post(client, upload([row]), allow_new_colleges="on")

    page = client.get(job.get_absolute_url()).content.decode()
    assert "<h2>已新建</h2>" in page
    assert "<dt>分院</dt><dd>理工学园</dd>" in page
    assert College.objects.filter(name="理工学园").exists()


def test_the_job_page_lists_warnings_apart_and_the_strict_tick_refuses(client_for, world, upload):
    client = client_for(world.registrar)
    rows = [student(1, 考生号="24360102000001")]

    job = _post(client, upload(rows), allow_new_colleges="on", dry_run="on")

    page = client.get(job.get_absolute_url()).content.decode()
    assert "<h2>警告</h2>" in page
    assert '<td class="num">2</td><td>A（考生号）</td><td>考生号第 1–2 位“24”是高考年份' in page
    assert "试导入通过" in page

    strict = _post(client, upload(rows), allow_new_colleges="on", strict="on")

    assert strict.result["failed"] is True
    assert strict.result["errors"][0]["header"] == "考生号"
    assert EnrollmentRecord.objects.filter(institution=world.institution).count() == 4


def test_a_dry_run_job_page_lists_the_changes_old_to_new(client_for, world, upload):
    record = world.bob_record
    row = row_of(record, 民族="回族")
    client = client_for(world.registrar)

    job = _post(client, upload([row]), dry_run="on")

    page = client.get(job.get_absolute_url()).content.decode()
    assert "<h2>将更新的字段</h2>" in page
    assert (
        f"<td>{record.student_number}</td><td>王强</td><td>民族</td><td>汉族</td><td>回族</td>"
        in page
    )
    record.refresh_from_db()
    assert record.ethnicity == "01"


def test_a_job_queued_under_the_old_task_path_still_runs(world):
    """django-tasks keeps a queued task as its dotted path and imports it when a worker
    picks it up: a job enqueued before the import moved to records.imports.tasks names
    `records.import_tasks.import_roster`, and must still find the task."""
    from django.utils.module_loading import import_string
    from django_tasks_db.models import DBTaskResult

    from records.imports.tasks import import_roster

    stored = DBTaskResult(
        task_path="records.import_tasks.import_roster", backend_name="default", args_kwargs={}
    )
    assert stored.task.func is import_roster.func
    assert import_string("records.import_tasks.import_roster") is import_roster
