"""Checking a notice's attachments by their content (QUALITY.md: uploads).

PDFs are parsed and written anew (portal.uploads.pdf_upload); images are decoded and
re-encoded (image_upload); Word and Excel files (.docx, .xlsx: blank forms, seed 004's
附件 2) are zip archives, checked entry by entry without extracting anything: no absolute
or `..` paths, a cap on entries and on the uncompressed size, the parts a real document
has, and nothing that acts when the file is opened (`_check_no_active_content`): no
macros, no embedded or ActiveX objects, no relationship to anything outside the file but
a plain hyperlink (a remote template loads and runs what it likes), no Excel 4.0 macro
sheets, no DDE fields, DDE formulas or Excel external links (DDE runs commands). Office
finds its parts through the relationships, not by their usual names, so every part that
reads as XML is checked, and a package with two entries under one name is refused. They
are served as downloads only, under a generated name.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.utils.translation import gettext as _

from portal.uploads import IMAGE_SIGNATURES, UploadError, image_upload, pdf_upload

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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise UploadError(_("无法打开该文件，文件可能已损坏。")) from exc
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
DDE_FIELD = re.compile(r"(?<![a-z])dde(auto)?(?![a-z])", re.IGNORECASE)
# An Excel formula that starts a DDE conversation: `=cmd|' /C calc'!A0` (server|topic!item)
# or the DDE / DDEAUTO functions.
DDE_FORMULA = re.compile(r"\|.*!|(?<![\w.])dde(auto)?\s*\(", re.IGNORECASE | re.DOTALL)
# SpreadsheetML elements that hold a formula: cells, defined names, conditional formats
# and data validations.
FORMULA_TAGS = {"f", "definedName", "formula", "formula1", "formula2"}
# Office finds its parts through the relationships (`_rels/.rels` → the main document,
# then that part's own .rels), not by their usual names: every part that reads as XML is
# checked, whatever its name or folder.
XML_START = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


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
            elif lower.endswith(".xml") or _reads_as_xml(archive, name):
                _check_fields(archive, name)
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


def _reads_as_xml(archive: zipfile.ZipFile, name: str) -> bool:
    with archive.open(name) as part:
        return part.read(64).lstrip(b" \t\r\n").startswith(XML_START)


def _check_fields(archive: zipfile.ZipFile, name: str) -> None:
    """Word field codes are the text of w:instrText runs (one field may be split over
    many runs, so they are read joined) and the w:instr of w:fldSimple; Excel formulas
    the text of the SpreadsheetML formula elements (FORMULA_TAGS)."""
    codes: list[str] = []
    with archive.open(name) as part:
        for _event, element in iterparse(part, forbid_dtd=True):
            tag = _local(element.tag)
            if tag == "instrText":
                codes.append(element.text or "")
            elif tag == "fldSimple":
                codes.append(" ")
                codes.extend(v for k, v in element.attrib.items() if _local(k) == "instr")
                codes.append(" ")
            elif (
                tag in FORMULA_TAGS
                and "spreadsheetml" in element.tag
                and DDE_FORMULA.search(element.text or "")
            ):
                raise _active_content()
            element.clear()
    if DDE_FIELD.search("".join(codes)):
        raise _active_content()
