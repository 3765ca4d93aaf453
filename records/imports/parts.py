"""The workbook's XML before calamine reads it: no DTD, and a used area a roster can have.

calamine builds one dense range from the smallest to the largest cell reference of the
sheet: a 32 KB file with one cell at XFD1048576 asks it for 512 GiB, and the process
aborts (docs/quality.md "Background work never kills the worker"). The sheet's
`<dimension>` is only a claim and calamine does not trust it either, so the cells
themselves are read here: every `<c r="…">`, the cells without `r` (they follow the
previous one, in the row that `<row r="…">` or the row count gives), and the merged
ranges. No DOCTYPE is accepted in any part calamine reads (billion laughs).

Two passes, both streamed, neither holding the sheet:
- a fast one over the bytes (`_fast_extent`) that decides the sheets written as Excel,
  WPS, LibreOffice and openpyxl write them: every cell as `<c r="A1"`, no prefixes, no
  comments; it looks only for what could be out of bounds, at C speed;
- when it cannot decide, an exact one with expat (`_exact_extent`): every element,
  through Python, about ten times slower, so only for the odd file.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from django.utils.translation import gettext as _

from records.imports.results import RosterImportError

# A 50,000-row roster passes with room; the dense range calamine builds is at most
# MAX_ROWS × MAX_COLUMNS cells (about 400 MB at the caps).
MAX_ROWS = 60_000
MAX_COLUMNS = 200
# Cell elements with a value, repeats of one reference included (calamine keeps each).
MAX_CELLS = 3_000_000
MAX_MERGED_RANGES = 10_000

CHUNK = 4 << 20
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_REFERENCE = re.compile(r"\$?([A-Za-z]{1,10})\$?([0-9]{1,15})")


def _damaged() -> RosterImportError:
    return RosterImportError(
        _("无法读取该工作簿，文件可能已损坏。请在 Excel 中打开并另存为 .xlsx 后重试。")
    )


def _doctype() -> RosterImportError:
    return RosterImportError(
        _(
            "工作簿中含有文档类型声明（DOCTYPE），Excel 保存的文件不会有，可能是恶意构造的文件，已拒绝读取。请在 Excel 中另存为 .xlsx 后重新导入。"
        )
    )


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _far_cell(sheet: str, row: int, column: int) -> RosterImportError:
    return RosterImportError(
        _(
            "工作表“%(sheet)s”中第 %(row)d 行 %(column)s 列有内容（可能是格式残留），超出名单的合理范围（最多 %(rows)d 行、%(columns)d 列）；请删除多余的行和列后另存为 .xlsx 再导入。"
        )
        % {
            "sheet": sheet,
            "row": row,
            "column": column_letters(column),
            "rows": MAX_ROWS,
            "columns": MAX_COLUMNS,
        }
    )


def _too_many(sheet: str) -> RosterImportError:
    return RosterImportError(
        _(
            "工作表“%(sheet)s”中的单元格或合并单元格过多，超出名单的合理范围；请只保留名单的行和列，另存为 .xlsx 后再导入。"
        )
        % {"sheet": sheet}
    )


def reference(text: str) -> tuple[int, int] | None:
    """(row, column), both from 1, of a reference such as "B7" or "$B$7"; None if not one."""
    found = _REFERENCE.fullmatch(text)
    if found is None:
        return None
    column = 0
    for letter in found[1].upper():
        column = column * 26 + ord(letter) - 64
    return int(found[2]), column


# --- The parts ---------------------------------------------------------------------------


def check_parts(archive: zipfile.ZipFile) -> None:
    """Refuse a DOCTYPE in any XML part, and a visible sheet whose cells reach further
    than a roster can, before calamine allocates for them."""
    names = set(archive.namelist())
    for name in names:
        if name.endswith((".xml", ".rels")) and not name.startswith("xl/worksheets/"):
            _check_prolog(archive, name)
    for title, part in _visible_sheets(archive, names):
        _check_sheet(archive, part, title)  # a DOCTYPE there sends it to the exact pass


class _RootReached(Exception):
    pass


def _check_prolog(archive: zipfile.ZipFile, name: str) -> None:
    """A DOCTYPE can only come before the root element: parse up to it, no further."""
    parser = _parser()

    def root(name, attributes):
        raise _RootReached

    parser.StartElementHandler = root
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(1 << 16):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _RootReached:
        return
    except expat.ExpatError as exc:
        raise _damaged() from exc


def _parser():
    """expat with DTDs refused outright: no entity is ever declared, so none expands."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(*args):
        raise _doctype()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


def _read_small(archive: zipfile.ZipFile, name: str, wanted: str, keys: tuple[str, ...]):
    """The attributes `keys` of every `wanted` element of a small part (workbook, rels)."""
    if name not in archive.namelist():
        raise _damaged()
    found = []
    parser = _parser()

    def start(tag, attributes):
        if tag.rpartition(" ")[2] == wanted:
            found.append({key: attributes.get(key) for key in keys})

    parser.StartElementHandler = start
    try:
        with archive.open(name) as stream:
            parser.ParseFile(stream)
    except expat.ExpatError as exc:
        raise _damaged() from exc
    return found


def _visible_sheets(archive: zipfile.ZipFile, names: set[str]):
    """(title, part) of every sheet calamine could open as the first visible one."""
    relation = f"{OFFICE_RELS} id"
    sheets = _read_small(archive, "xl/workbook.xml", "sheet", ("name", "state", relation))
    targets = {
        rel["Id"]: rel["Target"] or ""
        for rel in _read_small(
            archive, "xl/_rels/workbook.xml.rels", "Relationship", ("Id", "Target")
        )
    }
    for sheet in sheets:
        if sheet["state"] in ("hidden", "veryHidden"):
            continue
        target = targets.get(sheet[relation])
        if target is None:
            raise _damaged()
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        part = posixpath.normpath(part)
        if part not in names:
            raise _damaged()
        yield sheet["name"] or "", part


# --- One sheet ----------------------------------------------------------------------------


@dataclass
class _Extent:
    cells: int = 0
    merged: int = 0


class _Undecided(Exception):
    pass


def _check_sheet(archive: zipfile.ZipFile, part: str, title: str) -> None:
    try:
        with archive.open(part) as stream:
            decided = _fast_extent(stream, title)
    except _Undecided:
        decided = False
    if not decided:
        with archive.open(part) as stream:
            _exact_extent(stream, title)


def _chunks(stream):
    """The part in pieces cut just before a `<`, so that no tag straddles two pieces."""
    rest = b""
    while block := stream.read(CHUNK):
        block = rest + block
        cut = block.rfind(b"<")
        if cut <= 0:
            if len(block) > 4 * CHUNK:
                raise _Undecided  # no tag for megabytes: not a sheet as programs write it
            rest = block
            continue
        yield block[:cut]
        rest = block[cut:]
    if rest:
        yield rest


# A cell tag that the fast pass cannot vouch for: one without `r="` first, or whose
# reference is not plain, or could lie beyond the caps (checked exactly when found).
_CELL_SUSPECT = re.compile(
    rb'<c(?:(?=[\s/>])(?! r=")| r="(?:(?![A-Za-z]{1,3}[0-9]{1,7}")|'
    + rb"[A-Za-z]{3}|[H-Zh-z][A-Za-z]|[Gg][S-Zs-z]|"  # a column beyond GR (200)
    + rb"[A-Za-z]{1,2}(?:[0-9]{6}|[6-9][0-9]{4}(?![0-9]))))"  # a row from 60000 up
)
_PREFIXED = re.compile(rb":(?:c[\s/>]|mergeCell\b)")
_MERGE = re.compile(rb'<mergeCell ref="([A-Za-z]{1,3}[0-9]{1,7}):([A-Za-z]{1,3}[0-9]{1,7})"')


def _fast_extent(stream, title: str) -> bool:
    """True when the sheet is within bounds by the fast pass; False when undecided."""
    assert MAX_ROWS < 100_000 and MAX_COLUMNS < 703 and column_letters(MAX_COLUMNS) == "GR"
    extent = _Extent()
    first = True
    for chunk in _chunks(stream):
        if first and not _ascii_compatible(chunk):
            return False
        first = False
        if b"<!" in chunk or _PREFIXED.search(chunk):
            return False  # a DOCTYPE, comments, CDATA or prefixed names: the exact pass
        for suspect in _CELL_SUSPECT.finditer(chunk):
            if not _within(chunk, suspect.start()):
                return False
        extent.cells += chunk.count(b'<c r="')
        if not _fast_merges(chunk, extent):
            return False
        if extent.cells > MAX_CELLS or extent.merged > MAX_MERGED_RANGES:
            return False
    return True


def _within(chunk: bytes, start: int) -> bool:
    """A suspect cell tag is harmless when it is `<c r="…"` within the caps."""
    end = chunk.find(b'"', start + 6)
    found = reference(chunk[start + 6 : end].decode("ascii", "replace")) if end > 0 else None
    return found is not None and found[0] <= MAX_ROWS and found[1] <= MAX_COLUMNS


def _fast_merges(chunk: bytes, extent: _Extent) -> bool:
    merges = _MERGE.findall(chunk)
    if len(merges) != chunk.count(b"<mergeCell ") + chunk.count(b"<mergeCell/"):
        return False
    extent.merged += len(merges)
    for corner in (ref for pair in merges for ref in pair):
        row, column = reference(corner.decode("ascii"))
        if row > MAX_ROWS or column > MAX_COLUMNS:
            return False
    return True


def _ascii_compatible(head: bytes) -> bool:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\0" in head[:4]:
        return False
    declaration = re.match(rb"(?:\xef\xbb\xbf)?<\?xml[^>]*encoding=[\"']([^\"']+)", head)
    return declaration is None or declaration[1].lower() in (b"utf-8", b"utf8", b"us-ascii")


def _exact_extent(stream, title: str) -> None:
    """Every cell as calamine places it; refuse the first one beyond the caps."""
    scan = _ExactScan(title)
    parser = _parser()
    parser.StartElementHandler = scan.start
    try:
        while chunk := stream.read(1 << 20):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _damaged() from exc


class _ExactScan:
    """calamine's rules: a cell without `r` follows the previous one in its row; a row
    without `r` follows the previous row; a cell counts once it has a value (`<v>`,
    `<is>`, `<f>`), so that a styled empty cell far away (format residue) does not."""

    def __init__(self, title: str):
        self.title = title
        self.row = self.column = self.cells = self.merged = 0
        self.pending: tuple[int, int] | None = None  # the open cell, until it has a value
        self.handlers = {
            "row": self.on_row,
            "c": self.on_cell,
            "v": self.on_value,
            "is": self.on_value,
            "f": self.on_value,
            "mergeCell": self.on_merge,
        }
        self.by_name: dict = {}

    def start(self, name, attributes):
        handler = self.by_name.get(name)
        if handler is None:  # namespaced names arrive as "uri local"
            local = name.rpartition(" ")[2]
            handler = self.by_name[name] = self.handlers.get(local, self.other)
        handler(attributes)

    def on_row(self, attributes):
        given = attributes.get("r")
        self.row = int(given) if given and given.isdigit() else self.row + 1
        self.column, self.pending = 0, None

    def on_cell(self, attributes):
        given = attributes.get("r")
        if given is None:
            self.column += 1
            self.pending = (self.row, self.column)
            return
        found = reference(given)
        if found is None:
            raise _damaged()
        self.pending, self.column = found, found[1]

    def on_value(self, attributes):
        if self.pending is None:
            return
        row, column = self.pending
        self.pending, self.cells = None, self.cells + 1
        if row > MAX_ROWS or column > MAX_COLUMNS:
            raise _far_cell(self.title, row, column)
        if self.cells > MAX_CELLS:
            raise _too_many(self.title)

    def on_merge(self, attributes):
        self.merged, self.pending = self.merged + 1, None
        if self.merged > MAX_MERGED_RANGES:
            raise _too_many(self.title)
        for corner in (attributes.get("ref") or "").split(":"):
            found = reference(corner)
            if found is None:
                raise _damaged()
            if found[0] > MAX_ROWS or found[1] > MAX_COLUMNS:
                raise _far_cell(self.title, *found)

    def other(self, attributes):
        self.pending = None
