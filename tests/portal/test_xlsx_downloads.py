"""Every .xlsx the portal answers with goes through portal.lib.xlsx.xlsx_response: one
set of headers, whichever page sends it (a list, a sheet, an export, a job's result)."""

from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile

from portal.lib.models import Job, JobState
from portal.lib.xlsx import XLSX

pytestmark = pytest.mark.django_db


def _job(owner) -> Job:
    job = Job.objects.create(owner=owner, kind="test", title="名单", state=JobState.SUCCEEDED)
    job.result_file.save("r.xlsx", ContentFile(b"PK\x03\x04"), save=False)
    job.result_filename = "学生名单.xlsx"
    job.save()
    return job


def _downloads(world, notice, sheet):
    yield world.counselor, f"/notices/{notice.pk}/pending.xlsx"
    yield world.counselor, f"/notices/sheets/{sheet.pk}/export.xlsx"
    yield world.counselor, "/photos/missing-diploma/export/"
    yield world.registrar, "/records/import/template/"
    yield world.registrar, f"/jobs/{_job(world.registrar).pk}/download/"


def test_every_xlsx_download_has_the_same_headers(world, notice, sheet, client_for, private_media):
    for user, url in _downloads(world, notice, sheet):
        response = client_for(user).get(url)

        assert response.status_code == 200, url
        assert response["Content-Type"] == XLSX, url
        assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''"), url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Cache-Control"] == "private, no-store", url


def test_a_jobs_result_keeps_its_chinese_name(world, client_for, private_media):
    job = _job(world.registrar)

    response = client_for(world.registrar).get(f"/jobs/{job.pk}/download/")

    assert (
        response["Content-Disposition"] == f"attachment; filename*=UTF-8''{quote('学生名单.xlsx')}"
    )
    assert b"".join(response.streaming_content) == b"PK\x03\x04"


def test_a_result_whose_file_is_gone_is_a_404(world, client_for, private_media):
    job = _job(world.registrar)
    job.result_file.storage.delete(job.result_file.name)

    assert client_for(world.registrar).get(f"/jobs/{job.pk}/download/").status_code == 404
