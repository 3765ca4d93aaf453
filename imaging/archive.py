"""Reading a delivered zip safely (docs/security.md: uploads, zip entries).

Nothing is ever extracted to disk: each entry is read into memory on its own, at most
`MAX_BYTES + 1` bytes of it, whatever its header claims. The archive as a whole is
refused before anything is stored when it holds too many entries or declares too much
uncompressed data; paths that are absolute or climb out with `..` are rejected by name.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass

from django.utils.translation import gettext as _

from imaging import normalise
from imaging.errors import PhotoError
from portal.lib.files import unsafe_zip_name

MAX_ENTRIES = 20_000  # a large cohort; a 新华社 delivery is usually a class or a college
MAX_TOTAL_BYTES = 4 * 1024**3  # uncompressed, declared and real
IMAGE_SUFFIXES = frozenset(
    [
        ".jpg",
        ".jpeg",
        ".jpe",
        ".jfif",
        ".png",
        ".gif",
        ".bmp",
        ".tif",
        ".tiff",
        ".webp",
        ".heic",
        ".heif",
    ]
)
JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class Entry:
    """One file of the archive as listed: where it is, what it is called, what to do."""

    info: zipfile.ZipInfo
    name: str  # for people: GBK names from Chinese Windows decoded properly
    key: str  # the file name without folders and suffix: an ID number or 考生号
    problem: str = ""  # "skipped" or "rejected" when the name alone settles it
    reason: str = ""


def display_name(info: zipfile.ZipInfo) -> str:
    """Zip tools on Chinese Windows write GBK names without the UTF-8 flag; Python then
    reads them as cp437. Decode them back so that the report shows 2019届/… properly."""
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        return name.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name


def _junk(parts: list[str]) -> bool:
    base = parts[-1]
    return (
        "__MACOSX" in parts
        or base.lower() in JUNK_NAMES
        or base.startswith(".")  # ._IMG_0001.jpg: macOS resource forks, hidden files
    )


def classify(info: zipfile.ZipInfo) -> Entry:
    name = display_name(info)
    parts = [p for p in re.split(r"[\\/]", name) if p]
    base = parts[-1] if parts else ""
    stem, suffix = posixpath.splitext(base)
    entry = Entry(info=info, name=name, key=stem.strip())
    if unsafe_zip_name(info.filename):
        why = _("路径不安全（绝对路径或含“..”），已拒收。")
        return Entry(info, name, entry.key, "rejected", why)
    if _junk(parts):
        return Entry(
            info, name, entry.key, "skipped", _("系统文件（如 __MACOSX、.DS_Store），已跳过。")
        )
    if suffix.lower() not in IMAGE_SUFFIXES:
        return Entry(
            info, name, entry.key, "skipped", _("文件名不是照片（如 .txt、.xls），已跳过。")
        )
    if info.flag_bits & 0x1:
        return Entry(info, name, entry.key, "rejected", _("文件已加密，无法读取。"))
    return entry


def archive_entries(archive: zipfile.ZipFile) -> list[Entry]:
    """Every file of the archive, classified; PhotoError when the archive as a whole is
    too large to read (a zip bomb, or far more than any delivery)."""
    infos = [info for info in archive.infolist() if not info.is_dir()]
    if len(infos) > MAX_ENTRIES:
        raise PhotoError(
            _("压缩包中的文件过多（%(n)d 个，上限 %(max)d 个），请分批上传。")
            % {"n": len(infos), "max": MAX_ENTRIES},
            "too_many_entries",
        )
    declared = sum(info.file_size for info in infos)
    if declared > MAX_TOTAL_BYTES:
        raise PhotoError(
            _("压缩包解压后过大（声明 %(gb).1f GB，上限 %(max)d GB），疑似“压缩炸弹”，已拒绝。")
            % {"gb": declared / 1024**3, "max": MAX_TOTAL_BYTES // 1024**3},
            "too_large",
        )
    return [classify(info) for info in infos]


def read_entry(archive: zipfile.ZipFile, entry: Entry) -> bytes:
    """The entry's bytes, at most MAX_BYTES of them; PhotoRejected otherwise. The header's
    file_size is only a first check: at most cap + 1 bytes are ever inflated."""
    cap = normalise.MAX_BYTES
    if entry.info.file_size > cap:
        raise normalise.PhotoRejected(normalise.reason("too_large"), "too_large")
    try:
        with archive.open(entry.info) as handle:
            data = handle.read(cap + 1)
    except NotImplementedError as exc:  # a compression method Python cannot read
        raise normalise.PhotoRejected(
            _("压缩方式不受支持，请用常见的 zip 格式重新打包。"), "broken"
        ) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError) as exc:
        raise normalise.PhotoRejected(_("压缩包中的该文件已损坏，无法读取。"), "broken") from exc
    if len(data) > cap:
        raise normalise.PhotoRejected(normalise.reason("too_large"), "too_large")
    return data


def open_archive(file) -> zipfile.ZipFile:
    """A ZipFile over a path or a seekable file, or PhotoError with what to do."""
    try:
        return zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise PhotoError(
            _("文件不是有效的 zip 压缩包。请把照片打包为 .zip 后重新上传。"), "not_zip"
        ) from exc
