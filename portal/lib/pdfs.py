"""Rebuilding a PDF from an allow-list, so that nothing that acts survives an upload
(docs/security.md "PDFs"): `pdf_rebuild(data)` writes the pages anew with their content
and plain web links only. portal.lib.uploads.pdf_upload checks the size and the header
first and turns a refusal into its UploadError."""

from __future__ import annotations

import io
import math

from django.utils.translation import gettext as _


class PdfRefused(Exception):
    """A PDF that parses but cannot be taken (encrypted, no pages); the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# Link targets a reader may follow from a kept link: web pages and mail, nothing else.
SAFE_URI_SCHEMES = ("http://", "https://", "mailto:")
# The resources a page's content may draw with; nothing else of /Resources is copied.
RESOURCE_KINDS = (
    "/Font", "/XObject", "/ExtGState", "/ColorSpace", "/Pattern", "/Shading", "/Properties",
    "/ProcSet",
)  # fmt: skip
# Keys dropped from every dictionary copied into the rebuilt file (fonts, images, form
# XObjects and what they refer to), besides ACTING_NAMES: what leads back to pages,
# annotations, links or files. The spec gives none of these to resources; a crafted file
# may. (Keys only: as values, some of these names are harmless.)
DROPPED_KEYS = frozenset(
    {
        "/A", "/PA", "/Next", "/Dest", "/URI", "/Annots", "/Popup", "/Parent", "/P", "/Kids",
        "/Names", "/Outlines", "/FS", "/EF", "/RichMediaContent",
    }
)  # fmt: skip
# Stream keys that name data held outside the file.
EXTERNAL_STREAM_KEYS = frozenset({"/F", "/FFilter", "/FDecodeParms"})
# A dictionary that is (or holds) any of these is not copied at all.
ACTION_TYPES = frozenset(
    {
        "/GoTo", "/GoToR", "/GoToE", "/GoToDp", "/Launch", "/Thread", "/URI", "/Sound",
        "/Movie", "/Hide", "/Named", "/SubmitForm", "/ResetForm", "/ImportData",
        "/JavaScript", "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView",
        "/RichMediaExecute",
    }
)  # fmt: skip
DROPPED_TYPES = frozenset(
    {
        "/Catalog", "/Pages", "/Page", "/Annot", "/Action", "/Filespec", "/EmbeddedFile",
        "/Outlines", "/Sig", "/RichMediaContent",
    }
)  # fmt: skip
DROPPED_SUBTYPES = frozenset(
    {
        "/PS", "/Link", "/Widget", "/Popup", "/FileAttachment", "/Screen", "/Movie",
        "/Sound", "/RichMedia", "/3D", "/JavaScript",
    }
)  # fmt: skip
# Names that mean acting: never written into a rebuilt file, wherever a crafted file
# puts them (as a key, a value or in an array).
ACTING_NAMES = frozenset(
    {
        "/AA", "/OpenAction", "/JS", "/JavaScript", "/Launch", "/EmbeddedFiles",
        "/EmbeddedFile", "/AcroForm", "/XFA", "/SubmitForm", "/ImportData", "/GoToR",
        "/GoToE", "/FileAttachment", "/Widget", "/RichMedia", "/RichMediaExecute",
    }
)  # fmt: skip
MAX_DEPTH = 64  # nesting of direct objects; deeper is a crafted file, not a scan


def pdf_rebuild(data: bytes) -> tuple[bytes, int]:
    """A new PDF that holds only the pages of `data`, their content and plain web links.

    Scans and notices need no behaviour, so the document is written anew from an
    allow-list instead of having bad parts removed from it: the catalog is not copied
    (its /OpenAction and /AA, /Names with /JavaScript and /EmbeddedFiles, /AcroForm with
    XFA, outlines are gone); each new page gets only /MediaBox, /CropBox, /Rotate, its
    /Contents and the kinds of /Resources content draws with (`_Copier`, which also
    drops anything that acts from what it copies); its /Annots are new /Link
    dictionaries made from the /Rect and the web or mail address of each original link
    (`_plain_link`), nothing else of the original annotation."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise PdfRefused(_("PDF 文件已加密，请上传未加密的扫描件。"))
    if len(reader.pages) == 0:
        raise PdfRefused(_("PDF 文件没有页面，请重新扫描后上传。"))
    writer = PdfWriter()
    copier = _Copier(writer)
    for original in reader.pages:
        _copy_page(writer, copier, original)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(reader.pages)


def _copy_page(writer, copier: _Copier, original) -> None:
    """A new page in `writer` with only the keys a page needs to be shown."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject

    box = original.mediabox
    page = writer.add_blank_page(box.width, box.height)
    page[NameObject("/MediaBox")] = _rectangle(box)
    if "/CropBox" in original:
        page[NameObject("/CropBox")] = _rectangle(original.cropbox)
    rotate = _plain(original.get("/Rotate"))
    if isinstance(rotate, int) and rotate % 90 == 0:
        page[NameObject("/Rotate")] = NumberObject(rotate % 360)
    resources = _plain(original.get("/Resources"))
    kept = DictionaryObject()
    if isinstance(resources, DictionaryObject):
        for kind in RESOURCE_KINDS:
            value = copier.copy(resources.get(kind))
            if value is not None:
                kept[NameObject(kind)] = value
    page[NameObject("/Resources")] = kept
    contents = copier.copy(original.get("/Contents"))
    if contents is not None:
        page[NameObject("/Contents")] = contents
    links = [link for link in map(_plain_link, _annotations(original)) if link is not None]
    if links:
        page[NameObject("/Annots")] = ArrayObject(writer._add_object(link) for link in links)


def _rectangle(box):
    from pypdf.generic import ArrayObject, FloatObject

    return ArrayObject([FloatObject(float(v)) for v in (box.left, box.bottom, box.right, box.top)])


class _Copier:
    """Copies objects of the original into the new file, each indirect object once,
    without any key or dictionary that acts or leads to pages, annotations or files."""

    def __init__(self, writer):
        self.writer = writer
        self.copied: dict[tuple[int, int], object] = {}

    def copy(self, obj, depth: int = 0):
        from pypdf.generic import IndirectObject

        if depth > MAX_DEPTH:
            raise ValueError("objects nested too deeply")
        if obj is None:
            return None
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in self.copied:
                return self.copied[key]
            target = obj.get_object()
            if _drops(target) or not _is_container(target):
                # A number, name or string is copied inline: nothing to share.
                self.copied[key] = None if _drops(target) else self.copy(target, depth + 1)
                return self.copied[key]
            new = _empty_like(target)
            reference = self.writer._add_object(new)
            self.copied[key] = reference
            self._fill(new, target, depth)
            return reference
        if _drops(obj):
            return None
        if _is_container(obj):
            new = _empty_like(obj)
            self._fill(new, obj, depth)
            return new
        return obj

    def _fill(self, new, original, depth: int) -> None:
        from pypdf.generic import (
            ArrayObject,
            EncodedStreamObject,
            NameObject,
            StreamObject,
        )

        if isinstance(original, ArrayObject):
            for item in original:
                value = self.copy(item, depth + 1)
                if value is not None:
                    new.append(value)
            return
        for key, item in original.items():
            if key in DROPPED_KEYS or key in ACTING_NAMES:
                continue
            if isinstance(original, StreamObject) and key in EXTERNAL_STREAM_KEYS:
                continue
            value = self.copy(item, depth + 1)
            if value is not None:
                new[NameObject(key)] = value
        if isinstance(original, EncodedStreamObject):
            new._data = original._data  # still encoded: /Filter and /DecodeParms kept
        elif isinstance(original, StreamObject):
            new.set_data(original.get_data())


def _is_container(obj) -> bool:
    from pypdf.generic import ArrayObject, DictionaryObject

    return isinstance(obj, (ArrayObject, DictionaryObject))


def _empty_like(obj):
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        EncodedStreamObject,
        StreamObject,
    )

    if isinstance(obj, EncodedStreamObject):
        return EncodedStreamObject()
    if isinstance(obj, StreamObject):
        return DecodedStreamObject()
    if isinstance(obj, DictionaryObject):
        return DictionaryObject()
    return ArrayObject()


def _drops(obj) -> bool:
    """A name that means acting, or a dictionary that is an action, an annotation, a
    page, a file specification or any other part that is never copied."""
    from pypdf.generic import DictionaryObject, NameObject

    if isinstance(obj, NameObject):
        return obj in ACTING_NAMES
    if not isinstance(obj, DictionaryObject):
        return False
    if "/JS" in obj:
        return True
    kind, subtype, action = (_name(obj.get(k)) for k in ("/Type", "/Subtype", "/S"))
    return kind in DROPPED_TYPES or subtype in DROPPED_SUBTYPES or action in ACTION_TYPES


def _name(value) -> str | None:
    from pypdf.generic import NameObject

    value = _plain(value)
    return str(value) if isinstance(value, NameObject) else None


def _plain(value):
    return value.get_object() if value is not None else None


def _annotations(page) -> list:
    annots = page.get("/Annots")
    if annots is None:
        return []
    annots = annots.get_object()
    return list(annots) if isinstance(annots, list) else []


def _plain_link(reference):
    """A new /Link annotation with only the /Rect of a /Link whose action is a /URI to a
    web or mail address, a border of none and that address; or None."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    annot = reference.get_object()
    if not isinstance(annot, DictionaryObject) or annot.get("/Subtype") != "/Link":
        return None
    action = _plain(annot.get("/A"))
    if not isinstance(action, DictionaryObject) or action.get("/S") != "/URI":
        return None
    uri = _plain(action.get("/URI"))
    if isinstance(uri, bytes):
        uri = uri.decode("ascii", errors="replace")
    if not isinstance(uri, str):
        return None
    uri = str(uri).strip()
    if not uri.lower().startswith(SAFE_URI_SCHEMES) or not uri.isprintable():
        return None
    rect = _plain(annot.get("/Rect"))
    if not isinstance(rect, list) or len(rect) != 4:
        return None
    try:
        corners = [float(_plain(v)) for v in rect]
    except (TypeError, ValueError):
        return None
    if not all(math.isfinite(v) for v in corners):
        return None
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in corners]),
            NameObject("/Border"): ArrayObject([NumberObject(0)] * 3),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/URI"),
                    NameObject("/URI"): TextStringObject(uri),
                }
            ),
        }
    )
