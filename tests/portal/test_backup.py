"""`manage.py backup` and `restore` (issue 17 §5): a backup restored into an empty database
and an empty media directory holds every record, every photo and its file.

Runs on the suite's database engine: SQLite under `make test`, PostgreSQL when
DATABASE_URL points there (.ci/run runs both). The restore runs as an operator would run
it, `manage.py restore` in a process of its own, against a new empty database."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from imaging.models import Photo
from records.models import EnrollmentRecord

ROOT = Path(__file__).resolve().parents[2]
CHECK = """
import json
from django.core.files.storage import default_storage
from imaging.models import Photo
from records.models import EnrollmentRecord
photos = list(Photo.objects.values_list("token", "image"))
print(json.dumps({
    "records": sorted(EnrollmentRecord.objects.values_list("student_number", flat=True)),
    "photos": sorted(token for token, _ in photos),
    "files": all(default_storage.exists(name) for _, name in photos),
    "sizes": sorted(default_storage.size(name) for _, name in photos),
}))
"""


@pytest.fixture
def media(tmp_path, settings):
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "portal.lib.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture
def seeded(transactional_db, media):
    call_command("seed_demo", allow_without_debug=True, students=60, seed=3, stdout=io.StringIO())
    photos = list(Photo.objects.values_list("token", "image"))
    assert photos and EnrollmentRecord.objects.count() >= 60
    return {
        "records": sorted(EnrollmentRecord.objects.values_list("student_number", flat=True)),
        "photos": sorted(token for token, _ in photos),
        "sizes": sorted((media / name).stat().st_size for _, name in photos),
    }


@pytest.fixture
def empty_database(tmp_path):
    """A DATABASE_URL for a new, empty database of the suite's engine."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    params = connection.settings_dict
    name = f"xueji_restore_{uuid.uuid4().hex[:10]}"
    dsn = {"host": params["HOST"], "port": params["PORT"], "user": params["USER"]}
    dsn = {k: v for k, v in dsn.items() if v}
    with psycopg.connect(
        dbname="postgres", autocommit=True, password=params["PASSWORD"] or None, **dsn
    ) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    try:
        yield f"postgres://{auth}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"
    finally:
        with psycopg.connect(
            dbname="postgres", autocommit=True, password=params["PASSWORD"] or None, **dsn
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args: str, database_url: str, media_root: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG")}
    env.update(
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        MEDIA_STORAGE="local",
        SECRET_KEY="restore-test-" + "x" * 40,
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_backup_restores_into_an_empty_database_with_every_record_and_photo(
    seeded, tmp_path, empty_database
):
    out = io.StringIO()
    call_command("backup", output=tmp_path / "backups", stdout=out)
    (backup_dir,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["engine"] == connection.vendor
    assert manifest["counts"]["records"] == len(seeded["records"])
    assert manifest["counts"]["photos"] == len(seeded["photos"])

    restored_media = tmp_path / "restored-media"
    result = manage(
        "restore", str(backup_dir), database_url=empty_database, media_root=restored_media
    )
    assert result.returncode == 0, result.stderr
    assert f"学籍 {len(seeded['records'])} 条" in result.stdout

    check = manage("shell", "-c", CHECK, database_url=empty_database, media_root=restored_media)
    assert check.returncode == 0, check.stderr
    found = json.loads(check.stdout.strip().splitlines()[-1])
    assert found["records"] == seeded["records"]
    assert found["photos"] == seeded["photos"]
    assert found["files"] is True
    assert found["sizes"] == seeded["sizes"]


def test_a_restore_refuses_a_database_that_is_not_empty(seeded, tmp_path):
    call_command("backup", output=tmp_path / "backups", stdout=io.StringIO())
    (backup_dir,) = (tmp_path / "backups").iterdir()

    with pytest.raises(CommandError, match="当前数据库不是空的"):
        call_command("restore", str(backup_dir), stdout=io.StringIO())

    assert EnrollmentRecord.objects.count() == len(seeded["records"])


def test_a_directory_that_is_not_a_backup_is_named(tmp_path, db):
    with pytest.raises(CommandError, match="不是学籍校对的备份目录"):
        call_command("restore", str(tmp_path), stdout=io.StringIO())


def test_the_default_directory_is_kept_out_of_the_repository():
    assert Path(str(settings.BACKUP_DIR)).name == "backups"
    assert "/backups/" in (ROOT / ".gitignore").read_text().splitlines()
