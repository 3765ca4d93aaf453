"""The .xlsx before any parser sees it: kind, size, entry names, entry count, real
unpacked size, then its XML (parts.py: no DTD, no cell beyond what a roster can hold).

An .xlsx is a zip (docs/security.md): a zip bomb declares small sizes and inflates to
gigabytes, so the sizes that count are measured, by inflating every entry with a budget.
"""

from __future__ import annotations

import contextlib
import shutil
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.lib.files import unsafe_zip_name
from records.imports.parts import check_parts
from records.imports.results import RosterImportError

# A 50,000-row roster is about 6 MB packed and 60 MB unpacked.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 800 * 1024 * 1024
# The reader holds every shared string at once (24 bytes an entry besides its text): a
# roster's are a few MB; 64 MB of the smallest entries is ~5 million strings, ~250 MB held.
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024
MAX_ZIP_ENTRIES = 1000

_NOT_XLSX = gettext_noop(
    "文件不是 Excel .xlsx 工作簿。请在 Excel 或 WPS 中打开名单，“另存为” .xlsx 格式后重新导入。"
)
_TOO_BIG = gettext_noop(
    "文件解压后过大或包含的条目过多（可能是“压缩炸弹”），已拒绝读取。请只保留名单工作表后重新导出。"
)


def check_archive(path: Path) -> None:
    """Refuse what is not an .xlsx, and zip bombs, before any parser sees the file.

    Declared sizes can lie, so every entry is inflated (and thrown away) with a budget:
    the real unpacked size is what counts."""
    size = path.stat().st_size
    if size == 0:
        raise RosterImportError(_("文件是空的，请重新选择名单文件。"))
    if size > MAX_FILE_BYTES:
        raise RosterImportError(
            _("文件超过 %(mb)d MB，请拆分后分批导入。") % {"mb": MAX_FILE_BYTES // 2**20}
        )
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise RosterImportError(
            _("这是旧版 .xls 文件或设置了打开密码的工作簿。请取消密码并“另存为” .xlsx 后重新导入。")
        )
    if not magic.startswith(b"PK\x03\x04"):
        raise RosterImportError(_(_NOT_XLSX))
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise RosterImportError(_(_NOT_XLSX)) from exc
    if len(entries) > MAX_ZIP_ENTRIES:
        raise RosterImportError(_(_TOO_BIG))
    if any(unsafe_zip_name(entry.filename) for entry in entries):
        # Nothing is ever extracted, but no program writes such names: a crafted file.
        raise RosterImportError(
            _(
                "文件中含有指向上级目录或绝对路径的条目（“路径穿越”），不是正常的 Excel 工作簿，已拒绝读取。"
            )
        )
    if not any(entry.filename == "xl/workbook.xml" for entry in entries):
        raise RosterImportError(_(_NOT_XLSX))
    _check_sizes(path, entries)
    with zipfile.ZipFile(path) as archive:
        check_parts(archive)


def _check_sizes(path: Path, entries: list[zipfile.ZipInfo]) -> None:
    budget = MAX_UNPACKED_BYTES
    with path.open("rb") as raw:
        for entry in entries:
            size = _inflated_size(raw, entry, budget)
            shared = entry.filename.lower().endswith("sharedstrings.xml")
            if shared and size > MAX_SHARED_STRINGS_BYTES:
                raise RosterImportError(_(_TOO_BIG))
            budget -= size


def _inflated_size(raw, entry: zipfile.ZipInfo, budget: int) -> int:
    if entry.flag_bits & 0x1 or entry.compress_type not in (
        zipfile.ZIP_STORED,
        zipfile.ZIP_DEFLATED,
    ):
        raise RosterImportError(_(_NOT_XLSX))  # encrypted, or a method Excel never uses
    if entry.compress_type == zipfile.ZIP_STORED:
        if entry.compress_size > budget:
            raise RosterImportError(_(_TOO_BIG))
        return entry.compress_size
    raw.seek(entry.header_offset)
    header = raw.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise RosterImportError(_(_NOT_XLSX))
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    raw.seek(entry.header_offset + 30 + name_length + extra_length)
    inflater, left, size = zlib.decompressobj(-15), entry.compress_size, 0
    try:
        while left > 0 and not inflater.eof:
            data = raw.read(min(left, 1 << 16))
            if not data:
                break
            left -= len(data)
            while data and size <= budget:
                size += len(inflater.decompress(data, budget - size + 1))
                data = inflater.unconsumed_tail
            if size > budget:
                raise RosterImportError(_(_TOO_BIG))
    except zlib.error as exc:
        raise RosterImportError(_(_NOT_XLSX)) from exc
    return size


@contextlib.contextmanager
def local_path(file) -> Iterator[Path]:
    """A path on disk for `file`: a path as is, an upload's temporary file, or a copy."""
    if isinstance(file, str | Path):
        path = Path(file)
        if not path.is_file():
            raise RosterImportError(_("找不到文件：%(name)s") % {"name": path.name})
        yield path
        return
    if hasattr(file, "temporary_file_path"):
        yield Path(file.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as copy:
        file.seek(0)
        shutil.copyfileobj(file, copy, 1 << 20)
        copy.flush()
        yield Path(copy.name)
