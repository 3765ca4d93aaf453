"""The registrar's photo import page: upload a zip, a background job with progress, its
result page and the batch report."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from imaging.models import Photo, PhotoBatch
from portal.lib.models import Job, JobState
from tests.imaging.conftest import jpeg, make_zip, stored_files, upload

URL = "/photos/import/"


def _zip(world, **extra):
    entries = {
        f"2023级/{world.alice_record.id_number}.jpg": jpeg(),
        "110101199001011234.jpg": jpeg(),
    }
    return upload(make_zip({**entries, **extra}), "新华社照片.zip", "application/zip")


def _post(client, file, **data):
    response = client.post(
        URL, {"file": file, "kind": "diploma", "source": "新华社江西分社", **data}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Job.objects.get(pk=response["Location"].split("/")[2])


def test_the_form_asks_for_a_zip_kind_and_source(world, client_for):
    page = client_for(world.registrar).get(URL).content.decode()

    assert 'enctype="multipart/form-data"' in page
    assert 'accept=".zip' in page
    for label in ("录取照片", "学籍照片", "学历照片", "来源"):
        assert label in page


def test_an_upload_runs_as_a_job_whose_page_shows_the_counts(world, client_for):
    client = client_for(world.registrar)

    job = _post(client, _zip(world))

    assert job.state == JobState.SUCCEEDED and job.done == job.total == 2
    page = client.get(job.get_absolute_url()).content.decode()
    assert "照片导入完成：新增 1 张，替换 0 张。" in page
    assert "<dt>未匹配</dt><dd>1</dd>" in page
    batch = PhotoBatch.objects.get()
    assert f"/photos/batches/{batch.pk}/" in page
    assert (batch.source, batch.kind, batch.uploaded_by) == (
        "新华社江西分社",
        "diploma",
        world.registrar,
    )
    assert Photo.objects.get().record == world.alice_record


def test_the_uploaded_zip_is_not_kept(world, client_for, media_root):
    job = _post(client_for(world.registrar), _zip(world))

    assert not default_storage.exists(job.params["file"])
    assert stored_files(media_root, "imports") == []


def test_the_batch_page_lists_every_file_with_its_outcome(world, client_for):
    client = client_for(world.registrar)
    _post(client, _zip(world, **{"__MACOSX/._x.jpg": b"junk"}))

    page = client.get(f"/photos/batches/{PhotoBatch.objects.get().pk}/").content.decode()

    assert "2023级/" in page and "新增" in page
    # File names that are ID numbers are shown masked (tests/imaging/test_batch_names.py).
    assert "**************1234.jpg" in page and "本校没有证件号码或考生号" in page
    assert "110101199001011234" not in page
    assert "__MACOSX/._x.jpg" in page and "跳过" in page


def test_a_file_that_is_not_a_zip_is_refused_on_the_form(world, client_for, media_root):
    response = client_for(world.registrar).post(
        URL, {"file": upload(b"Rar!\x1a\x07\x00", "photos.zip"), "kind": "diploma", "source": "x"}
    )

    assert response.status_code == 200
    assert "文件不是 zip 压缩包" in response.content.decode()
    assert not Job.objects.exists() and stored_files(media_root, "imports") == []


def test_a_zip_bomb_fails_the_job_with_a_clear_message(world, client_for, monkeypatch):
    from imaging import archive

    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 1000)
    client = client_for(world.registrar)

    job = _post(client, upload(make_zip({"a.jpg": b"\x00" * 5000}), "p.zip"))

    assert job.state == JobState.FAILED
    assert "压缩炸弹" in client.get(job.get_absolute_url()).content.decode()
    assert not PhotoBatch.objects.exists()


def test_the_upload_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.registrar)

    response = client.post(URL, {"file": _zip(world), "kind": "diploma", "source": "x"})

    assert response.status_code == 403
    assert not Job.objects.exists()


@pytest.mark.parametrize("persona", ["counselor", "college_staff", "alice", "admin"])
def test_only_a_registrar_imports(world, client_for, persona):
    assert client_for(world.persona(persona)).get(URL).status_code == 403
