"""Background jobs: the roster export runs as a task (in-process under test settings)."""

from django.test import Client

from portal.lib.models import Job, JobState
from tests import factories
from tests.report_helpers import report_table


def _start_export(client):
    response = client.post("/records/export/")
    assert response.status_code == 302
    return Job.objects.get(pk=response["Location"].split("/")[2])


def _rows(client, job):
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    header, rows, sheet = report_table(content)
    return [header, *rows], sheet


def test_counselor_export_runs_and_offers_the_file(client_for, world):
    client = client_for(world.counselor)

    job = _start_export(client)

    assert job.state == JobState.SUCCEEDED
    assert job.done == job.total == 2
    page = client.get(job.get_absolute_url()).content.decode()
    assert "已完成" in page
    assert f"/jobs/{job.pk}/download/" in page
    # Done: no "正在生成名单…" left over from the work, a Chinese file name, a way back.
    assert "正在" not in page
    assert "学生名单-" in page
    assert 'href="/">返回首页</a>' in page


def test_a_finished_job_says_it_is_done_not_what_it_was_doing(client_for, world):
    client = client_for(world.counselor)

    job = _start_export(client)

    page = client.get(job.get_absolute_url()).content.decode()
    assert "正在生成名单" not in page
    status = client.get(f"/jobs/{job.pk}/status/").json()
    assert status["finished"] and status["message"] == "已完成"


def test_export_holds_only_the_records_in_scope_with_id_numbers_masked(client_for, world):
    client = client_for(world.counselor)

    rows, _ = _rows(client, _start_export(client))

    numbers = {row[0] for row in rows[1:]}
    assert numbers == {world.alice_record.student_number, world.bob_record.student_number}
    id_cells = [row[3] for row in rows[1:]]
    assert world.alice_record.id_number not in id_cells
    assert world.alice_record.masked_id_number in id_cells


def test_export_writes_formula_like_names_as_text(client_for, world):
    factories.record(world.class_a, name='=HYPERLINK("http://evil")')
    client = client_for(world.counselor)

    rows, sheet = _rows(client, _start_export(client))

    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert '=HYPERLINK("http://evil")' in {row[1] for row in rows}


def test_job_status_reports_progress_as_json(client_for, world):
    client = client_for(world.registrar)
    job = _start_export(client)

    status = client.get(f"/jobs/{job.pk}/status/").json()

    assert status["finished"] is True
    assert status["percent"] == 100
    assert status["done"] == 4


def test_another_person_cannot_open_or_download_the_job(client_for, world):
    job = _start_export(client_for(world.counselor))
    client = client_for(world.registrar)

    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


def test_export_needs_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.counselor)

    assert client.post("/records/export/").status_code == 403
    assert not Job.objects.exists()


def test_students_cannot_start_an_export(client_for, world):
    assert client_for(world.alice).post("/records/export/").status_code == 403
