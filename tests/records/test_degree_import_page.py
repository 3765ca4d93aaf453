"""The registrar's degree import page: template download, dry run, import, as a job."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from portal.lib.models import Job, JobState
from records.imports.degrees import DEGREE_TEMPLATE_HEADER
from records.models import DegreeRecord
from tests.records.degree_files import degree_of, write_degrees

URL = "/records/import/degrees/"


@pytest.fixture
def upload(tmp_path, world):
    def make():
        records = [world.alice_record, world.bob_record]
        rows = [degree_of(record, n) for n, record in enumerate(records, start=1)]
        path = write_degrees(tmp_path / "upload.xlsx", rows)
        return SimpleUploadedFile("学历.xlsx", path.read_bytes())

    return make


def _post(client, file, **data):
    response = client.post(URL, {"file": file, **data})
    assert response.status_code == 302, response.content.decode()[:500]
    return Job.objects.get(pk=response["Location"].split("/")[2])


def test_the_template_has_the_header_and_imports_no_one(client_for, world, tmp_path):
    response = client_for(world.registrar).get(URL + "template/")

    workbook = load_workbook(io.BytesIO(response.content))
    first = workbook.worksheets[0]
    assert [cell.value for cell in first[1]] == DEGREE_TEMPLATE_HEADER
    assert "毕（结）业" in DEGREE_TEMPLATE_HEADER and "原证书编号" in DEGREE_TEMPLATE_HEADER
    assert first.cell(row=2, column=1).number_format == "@"  # 证书编号 kept as text


def test_the_page_lists_the_columns_and_links_the_template(client_for, world):
    page = client_for(world.registrar).get(URL).content.decode()

    assert 'enctype="multipart/form-data"' in page
    assert "/records/import/degrees/template/" in page
    assert "原证书编号" in page and "学校证书编号" in page


def test_a_dry_run_shows_the_counts_and_writes_nothing(client_for, world, upload):
    client = client_for(world.registrar)

    job = _post(client, upload(), dry_run="on")

    assert job.state == JobState.SUCCEEDED
    page = client.get(job.get_absolute_url()).content.decode()
    assert "试导入通过" in page
    assert "<dt>新建</dt><dd>2</dd>" in page
    assert "<dt>对应到学籍</dt><dd>2</dd>" in page
    assert not DegreeRecord.objects.exists()


def test_the_import_writes_and_binds_to_the_students_accounts(client_for, world, upload):
    client = client_for(world.registrar)

    job = _post(client, upload())

    assert job.state == JobState.SUCCEEDED, job.error
    page = client.get(job.get_absolute_url()).content.decode()
    assert "导入完成" in page
    assert "<dt>绑定到学生账号</dt><dd>2</dd>" in page
    assert set(DegreeRecord.objects.values_list("user__username", flat=True)) == {"alice", "bob"}


def test_errors_are_listed_by_row_and_column(client_for, world, tmp_path):
    row = degree_of(world.alice_record, 1, 毕业日期="2026-06-30")
    path = write_degrees(tmp_path / "bad.xlsx", [row])
    client = client_for(world.registrar)

    job = _post(client, SimpleUploadedFile("学历.xlsx", path.read_bytes()))

    page = client.get(job.get_absolute_url()).content.decode()
    assert "发现 1 处错误，没有写入任何数据" in page
    assert "证书编号第 7–10 位（毕业年份 2027）与毕业日期 2026年6月 不一致" in page
    assert not DegreeRecord.objects.exists()


@pytest.mark.parametrize("persona", ["alice", "counselor", "college_staff", "reviewer"])
def test_other_roles_get_403(client_for, world, persona, upload):
    client = client_for(world.persona(persona))

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": upload()}).status_code == 403
    assert client.get(URL + "template/").status_code == 403
    assert not Job.objects.exists()


def test_another_institutions_registrar_imports_nothing_here(client_for, world, upload):
    client = client_for(world.other_registrar)

    job = _post(client, upload())

    page = client.get(job.get_absolute_url()).content.decode()
    assert "只能导入本校（13998 另一所大学）的名单" in page
    assert not DegreeRecord.objects.exists()
