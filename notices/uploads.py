"""Checking a notice's attachments by their content (docs/security.md: uploads).

PDFs are parsed and written anew (portal.lib.uploads.pdf_upload); images are decoded and
re-encoded (image_upload); Word and Excel files (.docx, .xlsx: blank forms, seed 004's
附件 2) are zip archives, checked entry by entry without extracting anything: no absolute
or `..` paths, a cap on entries and on the uncompressed size, the parts a real document
has, and nothing that acts when the file is opened (`_check_no_active_content`): no
macros, no embedded or ActiveX objects, no relationship to anything outside the file but
a plain hyperlink (a remote template loads and runs what it likes), no Excel 4.0 macro
sheets, no DDE fields (read field by field), DDE formulas or Excel external links (DDE
runs commands). Office finds its parts through the relationships, not by their usual
names, so every part is parsed as XML but pictures, fonts and printer settings, and a
package with two entries under one name, or entries zipfile cannot read (encrypted,
Deflate64), is refused. They are served as downloads only, under a generated name.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.utils.translation import gettext as _

from portal.lib.uploads import IMAGE_SIGNATURES, UploadError, image_upload, pdf_upload

MAX_BYTES = 10 * 1024 * 1024
# Screenshots of a step (phone: about 3 Mpx), an A4 page scanned at 300 dpi (8.7 Mpx) or
# a phone photo of a printed form (4000×3000).
IMAGE_MAX_PIXELS = 12_000_000
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNCOMPRESSED = 60 * 1024 * 1024
CONTENT_TYPES_MAX = 1024 * 1024

OFFICE_KINDS = {
    # main part → (extension, content type)
    "word/document.xml": (
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xl/workbook.xml": (
        ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


@dataclass(frozen=True)
class CleanAttachment:
    content: bytes
    extension: str
    content_type: str

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def attachment_upload(upload, *, max_bytes: int = MAX_BYTES) -> CleanAttachment:
    """A checked attachment, or UploadError with a message for the registrar."""
    if upload.size is not None and upload.size > max_bytes:
        raise UploadError(_too_large(max_bytes))
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        clean = pdf_upload(upload, max_bytes=max_bytes)
    elif head.startswith(IMAGE_SIGNATURES):
        clean = image_upload(
            upload,
            max_bytes=max_bytes,
            formats={"JPEG", "PNG", "GIF"},
            max_pixels=IMAGE_MAX_PIXELS,
        )
    elif head.startswith(b"PK\x03\x04"):
        return office_upload(upload, max_bytes=max_bytes)
    else:
        raise UploadError(
            _("仅支持 PDF、图片（.jpg .png .gif）、Word（.docx）和 Excel（.xlsx）文件。")
        )
    return CleanAttachment(clean.content, clean.extension, clean.content_type)


def _too_large(max_bytes: int) -> str:
    return _("附件大小不能超过 %(mb)d MB。") % {"mb": max_bytes // (1024 * 1024)}


def office_upload(upload, *, max_bytes: int = MAX_BYTES) -> CleanAttachment:
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadError(_too_large(max_bytes))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
        _check_entries(entries)
        names = {entry.filename for entry in entries}
        kind = next((OFFICE_KINDS[part] for part in OFFICE_KINDS if part in names), None)
        if kind is None or "[Content_Types].xml" not in names:
            raise UploadError(_("无法识别该文件，请上传 .docx 或 .xlsx 文件（不支持 .doc .xls）。"))
        _check_no_macros(archive, names)
        _check_no_active_content(archive, names)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UploadError(_("无法打开该文件，文件可能已损坏。")) from exc
    except (
        # zipfile: an encrypted entry (RuntimeError), a compression method it does not
        # implement (NotImplementedError, e.g. 9: deflate64), a ZIP64 or truncated entry,
        # a broken deflate stream.
        RuntimeError,
        NotImplementedError,
        zipfile.LargeZipFile,
        EOFError,
        zlib.error,
        ValueError,
    ) as exc:
        raise UploadError(_("文件结构异常，无法接收。")) from exc
    return CleanAttachment(data, *kind)


def _check_entries(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > ZIP_MAX_ENTRIES:
        raise UploadError(_("文件内容过多，无法接收。"))
    if sum(entry.file_size for entry in entries) > ZIP_MAX_UNCOMPRESSED:
        raise UploadError(_("文件解压后过大，无法接收。"))
    seen: set[str] = set()
    for entry in entries:
        name = entry.filename
        normal = posixpath.normpath(name)
        if name.startswith(("/", "\\")) or ":" in name or normal.startswith("..") or "\\" in name:
            raise UploadError(_("文件结构异常，无法接收。"))
        # Two entries under one name (part names compare without case): zipfile keeps
        # both, and which one Office reads is not ours to guess.
        if normal.lower() in seen:
            raise UploadError(_("文件结构异常，无法接收。"))
        seen.add(normal.lower())


def _check_no_macros(archive: zipfile.ZipFile, names: set[str]) -> None:
    """Macro-enabled documents (.docm, .xlsm renamed) are refused (a macro project
    inside any document: `_check_no_active_content`)."""
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > CONTENT_TYPES_MAX:
        raise UploadError(_("文件结构异常，无法接收。"))
    if b"macroenabled" in archive.read(info).lower():
        raise UploadError(_("不接收包含宏的文件，请另存为 .docx 或 .xlsx 后上传。"))


# Parts that hold code or objects Office runs or shows through another program.
ACTIVE_PART = re.compile(
    r"(^|/)(word|xl|ppt)/embeddings/|vbaproject\.bin$|vbadata\.xml$|(^|/)activex|oleobject"
    r"|^xl/externallinks/",
    re.IGNORECASE,
)
# Relationship types refused even inside the file: objects, controls, macros, templates,
# documents of other formats pulled into this one.
ACTIVE_RELATIONSHIP = re.compile(
    r"/(oleobject|package|control|activexcontrolbinary|vbaproject|attachedtemplate"
    r"|subdocument|afchunk|externallink|externallinkpath|frame|xlmacrosheet|xlintlmacrosheet)$",
    re.IGNORECASE,
)
HYPERLINK_RELATIONSHIP = re.compile(r"/relationships/hyperlink$", re.IGNORECASE)
# A Word field code (one field's w:instrText runs joined, or a w:fldSimple's w:instr)
# whose first word is DDE or DDEAUTO runs a command: a field holding either word anywhere
# as a token is refused (which covers the first word).
DDE_FIELD_TOKEN = re.compile(r"\bdde(auto)?\b", re.IGNORECASE)
# All of a part's field codes read as one text (fldSimple codes set apart by spaces): a
# second look, in case Word joins runs a way `_field_codes` does not.
DDE_IN_PART = re.compile(r"(?<![a-z])dde(auto)?(?![a-z])", re.IGNORECASE)
# An Excel formula that starts a DDE conversation: `=cmd|' /C calc'!A0` (server|topic!item)
# or the DDE / DDEAUTO functions.
DDE_FORMULA = re.compile(r"\|.*!|(?<![\w.])dde(auto)?\s*\(", re.IGNORECASE | re.DOTALL)
# SpreadsheetML elements that hold a formula: cells, defined names, conditional formats
# and data validations.
FORMULA_TAGS = {"f", "definedName", "formula", "formula1", "formula2"}
# Office finds its parts through the relationships (`_rels/.rels` → the main document,
# then that part's own .rels), not by their usual names: every part is parsed as XML and
# checked, whatever its name, folder or leading whitespace, unless it holds one of the
# binary media a document carries (pictures, fonts, printer settings) and does not start
# like XML.
XML_START = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
WHITESPACE = b" \t\r\n"
BINARY_EXTENSIONS = {
    # pictures
    ".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".gif", ".bmp", ".dib", ".tif", ".tiff",
    ".emf", ".wmf", ".emz", ".wmz", ".ico", ".webp", ".wdp", ".hdp", ".jxr", ".pcx",
    # fonts
    ".odttf", ".ttf", ".otf", ".fntdata", ".woff", ".woff2", ".eot",
    # printer settings and other binary parts (macro and OLE ones: ACTIVE_PART)
    ".bin",
    # sound and video
    ".wav", ".mp3", ".m4a", ".wma", ".mp4", ".m4v", ".mov", ".avi", ".wmv", ".mpg",
}  # fmt: skip


def _active_content() -> UploadError:
    return UploadError(
        _("附件含有宏、外部链接模板、DDE 字段或嵌入对象，无法接收，请另存为 PDF 后上传。")
    )


def _check_no_active_content(archive: zipfile.ZipFile, names: set[str]) -> None:
    """Refuse a document that runs or fetches anything when opened: macros, embedded
    OLE and ActiveX objects, any relationship outside the file but a hyperlink (e.g. a
    remote attachedTemplate), Excel external links and Word DDE/DDEAUTO fields."""
    if any(ACTIVE_PART.search(name) for name in names):
        raise _active_content()
    try:
        for name in sorted(names):
            lower = name.lower()
            if lower.endswith(".rels"):
                _check_relationships(archive, name)
            elif lower == "[content_types].xml" or name.endswith("/"):
                continue
            else:
                _check_part(archive, name)
    except (ParseError, DefusedXmlException, UnicodeDecodeError) as exc:
        raise UploadError(_("文件结构异常，无法接收。")) from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _check_relationships(archive: zipfile.ZipFile, name: str) -> None:
    with archive.open(name) as part:
        for _event, element in iterparse(part, forbid_dtd=True):
            if _local(element.tag) != "Relationship":
                continue
            kind = element.get("Type", "").strip()
            external = element.get("TargetMode", "").strip().lower() == "external"
            if ACTIVE_RELATIONSHIP.search(kind):
                raise _active_content()
            if external and not HYPERLINK_RELATIONSHIP.search(kind):
                raise _active_content()
            element.clear()


def _check_part(archive: zipfile.ZipFile, name: str) -> None:
    """Parse a part as XML after its leading whitespace and check its fields; a part
    that does not start like XML is let through only under a binary media extension."""
    content = archive.read(name).lstrip(WHITESPACE)
    if not content.startswith(XML_START) and (
        posixpath.splitext(name.lower())[1] in BINARY_EXTENSIONS
    ):
        return
    _check_fields(io.BytesIO(content))


def _check_fields(part) -> None:
    """Word field codes are the text of w:instrText runs and the w:instr of w:fldSimple;
    each field is read on its own (`_field_codes`). Excel formulas are the text of the
    SpreadsheetML formula elements (FORMULA_TAGS)."""
    everything: list[str] = []
    for code in _field_codes(part, everything):
        if DDE_FIELD_TOKEN.search(code):
            raise _active_content()
    if DDE_IN_PART.search("".join(everything)):
        raise _active_content()


def _field_codes(part, everything: list[str]):
    """Each field's code: a complex field starts at w:fldChar w:fldCharType="begin" and
    its code is its w:instrText runs joined (one code may be split over many runs); a
    field begun inside another's code (nested) is a field of its own, and the outer
    field's code goes on after the inner one ends. A w:fldSimple is one field.
    `everything` collects all codes of the part, in order."""
    open_fields: list[list[str]] = []
    for event, element in iterparse(part, events=("start", "end"), forbid_dtd=True):
        tag = _local(element.tag)
        if event == "start":
            if tag == "fldSimple":
                instr = _attribute(element, "instr")
                everything.extend((" ", instr, " "))
                yield instr
            continue
        if tag == "fldChar":
            yield from _field_char(element, open_fields)
        elif tag == "instrText":
            text = element.text or ""
            everything.append(text)
            if open_fields:
                open_fields[-1].append(text)
            else:
                yield text
        elif tag in FORMULA_TAGS:
            _check_formula(element)
        element.clear()
    for code in open_fields:
        yield "".join(code)


def _field_char(element, open_fields: list[list[str]]) -> list[str]:
    """A field begins (a new code is opened) or ends (its code is done)."""
    kind = _attribute(element, "fldCharType").strip()
    if kind == "begin":
        open_fields.append([])
    elif kind == "end" and open_fields:
        return ["".join(open_fields.pop())]
    return []


def _attribute(element, name: str) -> str:
    return "".join(v for k, v in element.attrib.items() if _local(k) == name)


def _check_formula(element) -> None:
    if "spreadsheetml" in element.tag and DDE_FORMULA.search(element.text or ""):
        raise _active_content()
