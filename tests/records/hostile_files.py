"""Hostile and broken workbooks, built by hand with zipfile (tests/records/test_hostile_workbooks.py).

Each is a few kilobytes on disk; what they ask of a careless reader is gigabytes."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.records.roster_files import HEADER

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="学生名单" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
NO_STRINGS = (
    f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="0" uniqueCount="0"/>'
)
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ).replace("&lol0;", "&lol;")
    + f']><sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
)


def text(reference: str | None, value: str) -> str:
    where = f' r="{reference}"' if reference else ""
    return f'<c{where} t="inlineStr"><is><t>{value}</t></is></c>'


def header_row() -> str:
    """Row 1: the roster's header, so that only the hostile part is wrong."""
    return '<row r="1">' + "".join(text(None, title) for title in HEADER) + "</row>"


def sheet(rows: str, after: str = "", prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">'
        f"<sheetData>{rows}</sheetData>{after}</worksheet>"
    )


def workbook(
    path: Path, sheet_xml: str, *, strings: str = NO_STRINGS, workbook_xml: str = WORKBOOK, extra=()
) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook_xml)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/sharedStrings.xml", strings)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, content in extra:
            archive.writestr(name, content)
    return path


def far_cell(path: Path) -> Path:
    """The issue's file: one value at XFD1048576 (calamine asked for 512 GiB)."""
    return workbook(
        path, sheet(header_row() + '<row r="1048576">' + text("XFD1048576", "x") + "</row>")
    )


def far_cell_dimension_lies(path: Path) -> Path:
    """The same, with a `<dimension>` that claims A1:V2: the cells are what count."""
    rows = header_row() + '<row r="1048576">' + text("XFD1048576", "x") + "</row>"
    return workbook(path, sheet(rows).replace("<sheetData>", '<dimension ref="A1:V2"/><sheetData>'))


def cells_without_r(path: Path) -> Path:
    """No `r` on the cells: they follow one another, in the row the `<row>` names."""
    return workbook(
        path, sheet(header_row() + '<row r="1048576">' + text(None, "x") * 3 + "</row>")
    )


def rows_without_r(path: Path) -> Path:
    """No `r` on the last row: it follows row 1048575."""
    rows = header_row() + '<row r="1048575"/>' + "<row>" + text(None, "x") + "</row>"
    return workbook(path, sheet(rows))


def far_columns_without_r(path: Path) -> Path:
    """A row of 20,000 short cells without `r`: column 20000 in a 60 KB file."""
    return workbook(
        path, sheet(header_row() + '<row r="2">' + "<c><v>1</v></c>" * 20_000 + "</row>")
    )


def far_merge(path: Path) -> Path:
    after = '<mergeCells count="1"><mergeCell ref="A2:XFD1048576"/></mergeCells>'
    return workbook(path, sheet(header_row(), after))


def repeated_cells(path: Path) -> Path:
    """One reference three million times: calamine keeps every one (about 120 MB)."""
    return workbook(
        path, sheet(header_row() + '<row r="2">' + '<c r="A2"><v>1</v></c>' * 3_100_000 + "</row>")
    )


def billion_laughs_in_shared_strings(path: Path) -> Path:
    return workbook(path, sheet(header_row()), strings=BILLION_LAUGHS)


def billion_laughs_in_sheet(path: Path) -> Path:
    prolog = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>'
    return workbook(path, sheet(header_row(), prolog=prolog))


def zip_bomb(path: Path) -> Path:
    """900 MB of zeros beside the sheet, in a file of about 1 MB (streamed in, so that
    the test itself never holds it)."""
    workbook(path, sheet(header_row()))
    block = b"\0" * 2**20
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("xl/media/image1.bin", "w", force_zip64=True) as entry,
    ):
        for _ in range(900):
            entry.write(block)
    return path


def zip_slip(path: Path) -> Path:
    return workbook(
        path, sheet(header_row()), extra=[("../../etc/cron.d/evil", "* * * * * root true")]
    )


def absolute_entry(path: Path) -> Path:
    return workbook(path, sheet(header_row()), extra=[("/tmp/evil.xml", "<x/>")])


def not_a_zip(path: Path) -> Path:
    path.write_text("考生号,姓名\n2336010200001,张三\n", encoding="utf-8")
    return path


def html_renamed(path: Path) -> Path:
    path.write_text(
        "<html><body><table><tr><td>考生号</td></tr></table></body></html>", encoding="utf-8"
    )
    return path


def empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def old_xls(path: Path) -> Path:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    return path


def truncated_zip(path: Path) -> Path:
    far_cell(path)
    path.write_bytes(path.read_bytes()[:-40])
    return path


def many_shared_strings(path: Path) -> Path:
    """~70 MB of empty shared strings in a ~100 KB file: the reader would hold millions of
    them at once (the outside review's file; it killed a worker at a 1.5 GiB cap)."""
    count = 5_500_000
    strings = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{count}">'
        + "<si><t/></si>" * count
        + "</sst>"
    )
    return workbook(path, sheet(header_row()), strings=strings)
