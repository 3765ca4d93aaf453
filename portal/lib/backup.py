"""Back up and restore one portal: its database and its private files (docs/deploy.md).

A backup is a directory `xueji-backup-YYYYMMDD-HHMMSS/` holding

- `database.sqlite3` (SQLite, copied through SQLite's online backup API, so that a running
  portal can be backed up) or `database.pgdump` (PostgreSQL, `pg_dump --format=custom`);
- `media.tar`: the private files on the local disk (photos, scans, evidence, exports).
  Files in an S3 object store are not copied: the store's own versioning keeps them;
- `manifest.json`: when, which database, the latest migration of each app, and how many
  records, photos and accounts it holds, which a restore checks itself against.

A restore goes into an empty database and an empty media directory only (or over them with
`force`), so that a mistyped command cannot overwrite a running portal.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE, PG_FILE, MEDIA_FILE = "database.sqlite3", "database.pgdump", "media.tar"
# What a restore counts to prove it holds what the backup held.
COUNTED = {
    "records": "records.EnrollmentRecord",
    "photos": "imaging.Photo",
    "accounts": "accounts.User",
}


class BackupError(Exception):
    """Said to the operator as it is, in Chinese."""


@dataclass
class Restored:
    counts: dict[str, int]
    media_files: int


def engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持的数据库：{vendor}")
    return vendor


def media_root() -> Path | None:
    """The private files' directory, or None when they live in an object store."""
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        return Path(storage.location)
    return None


def counts() -> dict[str, int]:
    return {name: apps.get_model(label).objects.count() for name, label in COUNTED.items()}


def latest_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


# --- Backup -------------------------------------------------------------------------------


def backup(output: Path) -> Path:
    """A new backup directory under `output`; returns its path."""
    kind = engine()
    now = timezone.localtime()
    target = output / f"xueji-backup-{now:%Y%m%d-%H%M%S}"
    if target.exists():
        raise BackupError(f"备份目录已存在：{target}")
    target.mkdir(parents=True)
    try:
        if kind == "sqlite":
            _sqlite_backup(target / SQLITE_FILE)
        else:
            _pg_dump(target / PG_FILE)
        root = media_root()
        media = "none"
        if root is not None:
            media = "disk"
            _tar_media(root, target / MEDIA_FILE)
        manifest = {
            "format": FORMAT,
            "created": now.isoformat(),
            "engine": kind,
            "database": SQLITE_FILE if kind == "sqlite" else PG_FILE,
            "media": media,
            "migrations": latest_migrations(),
            "counts": counts(),
        }
        (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return target


def _sqlite_backup(path: Path) -> None:
    connection.ensure_connection()
    destination = sqlite3.connect(path)
    try:
        with destination:
            connection.connection.backup(destination)
    finally:
        destination.close()


def _pg_env() -> dict[str, str]:
    params = connection.settings_dict
    env = dict(os.environ)
    env.update(
        PGDATABASE=params["NAME"],
        PGUSER=params.get("USER") or env.get("PGUSER", ""),
        PGHOST=params.get("HOST") or env.get("PGHOST", ""),
        PGPORT=str(params.get("PORT") or env.get("PGPORT", "")),
    )
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]
    return {k: v for k, v in env.items() if v != ""}


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"找不到 {command[0]}：请安装 PostgreSQL 客户端（Debian：apt install postgresql-client）"
        )
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{result.stderr.strip()[-2000:]}")


def _pg_dump(path: Path) -> None:
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(path)])


def _tar_media(root: Path, path: Path) -> None:
    # Photos are JPEG already: an uncompressed tar costs no CPU for nothing.
    with tarfile.open(path, "w") as archive:
        if root.exists():
            for child in sorted(root.iterdir()):
                archive.add(child, arcname=child.name)


# --- Restore ------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"不是学籍校对的备份目录（缺少或无法读取 {MANIFEST}）：{source}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')} 不受支持")
    return manifest


def database_is_empty() -> bool:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    return not tables


def restore(source: Path, *, force: bool = False) -> Restored:
    manifest = read_manifest(source)
    kind = engine()
    if manifest["engine"] != kind:
        raise BackupError(
            f"备份来自 {manifest['engine']} 数据库，当前数据库是 {kind}："
            "请把 DATABASE_URL 指向同类的空数据库"
        )
    if not force and not database_is_empty():
        raise BackupError("当前数据库不是空的：请恢复到新建的空数据库（或加 --force 覆盖）")
    root = media_root()
    if manifest["media"] == "disk" and root is not None and not force and _has_files(root):
        raise BackupError(f"私有文件目录不是空的：{root}（或加 --force 覆盖）")
    # The file names are the backup's own, never read from the manifest: a restore reads
    # only inside the backup directory.
    if kind == "sqlite":
        _sqlite_restore(source / SQLITE_FILE)
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--exit-on-error", "--dbname", connection.settings_dict["NAME"],
              str(source / PG_FILE)])  # fmt: skip
    media_files = 0
    if manifest["media"] == "disk" and root is not None:
        media_files = _untar_media(source / MEDIA_FILE, root)
    restored = Restored(counts(), media_files)
    if restored.counts != manifest["counts"]:
        raise BackupError(
            f"恢复后的数据与备份清单不符：清单 {manifest['counts']}，数据库 {restored.counts}"
        )
    return restored


def _has_files(root: Path) -> bool:
    return root.exists() and any(p.is_file() for p in root.rglob("*"))


def _sqlite_restore(path: Path) -> None:
    """Copy the backup into the configured database through the same online backup API."""
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _untar_media(path: Path, root: Path) -> int:
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path) as archive:
        members = [m for m in archive.getmembers() if m.isfile() or m.isdir()]
        # The "data" filter refuses absolute paths, "..", links out of root and devices.
        archive.extractall(root, members=members, filter="data")
    return sum(1 for m in members if m.isfile())
