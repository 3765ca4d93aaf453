"""Checking uploads by their content, never by name or browser-sent type (docs/quality.md).

`image_upload(file, max_bytes=…, formats=…, max_pixels=…)` checks the pixel count the
header declares against the form's own limit before a pixel is decoded, then decodes
the image fully, turns it upright, scales it down if the form asks (`max_side`), and
re-encodes it, so that no metadata or appended payload survives.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # far above any camera photo; refuses decompression bombs
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Each form passes its own limit, sized to its purpose (docs/quality.md "PDFs").


class UploadError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    format: str  # "JPEG" or "PNG"
    width: int
    height: int

    @property
    def extension(self) -> str:
        return ".jpg" if self.format == "JPEG" else ".png"

    @property
    def content_type(self) -> str:
        return "image/jpeg" if self.format == "JPEG" else "image/png"


def _too_big(max_bytes: int) -> UploadError:
    return UploadError(
        _("图片大小不能超过 %(kb)d KB，请压缩或缩小图片后重新上传。") % {"kb": max_bytes // 1024}
    )


def _read_limited(upload, max_bytes: int) -> bytes:
    if upload.size is not None and upload.size > max_bytes:
        raise _too_big(max_bytes)
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big(max_bytes)
    if not data:
        raise UploadError(_("文件是空的，请重新选择图片。"))
    return data


def _too_many_pixels(image: Image.Image, max_pixels: int) -> UploadError:
    return UploadError(
        _(
            "图片像素过大，请缩小后重新上传：此处最多 %(n)d 万像素（如 %(example)s），"
            "这张图片是 %(width)d×%(height)d。可用手机相册的“编辑”或截图缩小。"
        )
        % {
            "n": max_pixels // 10_000,
            "example": _example_size(max_pixels),
            "width": image.width,
            "height": image.height,
        }
    )


def _example_size(max_pixels: int) -> str:
    """A 4:3 size within the limit, for the message: 12 Mpx → 4000×3000."""
    side = int((max_pixels / 12) ** 0.5)
    return f"{side * 4}×{side * 3}"


# First bytes of image formats, to word a refusal: a file of an accepted format that
# Pillow cannot open is damaged; one of another image format is told which formats pass.
SIGNATURES = {
    "JPEG": (b"\xff\xd8\xff",),
    "PNG": (b"\x89PNG\r\n\x1a\n",),
    "GIF": (b"GIF87a", b"GIF89a"),
}
OTHER_IMAGE_SIGNATURES = (b"BM", b"II*\x00", b"MM\x00*", b"\x00\x00\x01\x00", b"RIFF")


def _wrong_format(formats: set[str]) -> UploadError:
    return UploadError(
        _("仅支持 %(kinds)s 格式的图片，请转换为其中一种格式后重新上传。")
        % {"kinds": _kinds(formats)}
    )


def _unreadable(data: bytes, formats: set[str]) -> UploadError:
    accepted = tuple(sig for kind in formats for sig in SIGNATURES.get(kind, ()))
    others = OTHER_IMAGE_SIGNATURES + tuple(
        sig for kind, sigs in SIGNATURES.items() if kind not in formats for sig in sigs
    )
    if not data.startswith(accepted) and data.startswith(others):
        return _wrong_format(formats)
    return UploadError(_("无法打开该图片，文件可能已损坏或不是图片，请重新拍摄或选择图片后上传。"))


def _decode(
    data: bytes, formats: set[str], max_pixels: int, max_side: int | None = None
) -> tuple[Image.Image, str]:
    """The fully decoded image and its format. Only the plugins of `formats` may read
    the file (an upload's header is never handed to every decoder Pillow has). Phone
    cameras write MPO (a JPEG that carries a second, smaller picture; the JPEG plugin
    opens it): it is a JPEG for everyone who opens it. The pixel count is checked from the header, before any pixel
    is decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=sorted(formats))
            kind = "JPEG" if image.format == "MPO" else image.format
            if kind not in formats:
                raise _wrong_format(formats)
            if image.width < 1 or image.height < 1:
                raise ValueError("no pixels")
            if image.width * image.height > max_pixels:
                raise _too_many_pixels(image, max_pixels)
            if max_side and kind == "JPEG" and max(image.size) > max_side:
                # libjpeg decodes at 1/2, 1/4 or 1/8 scale, never below what we keep.
                image.draft(None, (max_side, max_side))
            image.load()  # verify() reads only the header: decode every pixel
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadError(_("图片像素过大，请缩小后重新上传。")) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _unreadable(data, formats) from exc
    return image, kind


def _kinds(formats: set[str]) -> str:
    names = {"JPEG": ".jpg .jpeg", "PNG": ".png", "GIF": ".gif"}
    return " ".join(names.get(f, f.lower()) for f in sorted(formats))


def image_upload(
    upload,
    *,
    max_bytes: int,
    formats: set[str],
    max_pixels: int,
    max_side: int | None = None,
) -> CleanImage:
    """A decoded, upright, re-encoded copy of an uploaded image, or UploadError.

    `max_pixels`: the form's own limit, checked before decoding; `max_side`: a longer
    side beyond this is scaled down to it before the image is stored."""
    image, kind = _decode(_read_limited(upload, max_bytes), formats, max_pixels, max_side)
    keep_png = kind in {"PNG", "GIF"}
    image = ImageOps.exif_transpose(image)
    if max_side and max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    image = image.convert("RGBA" if keep_png and "A" in image.getbands() else "RGB")
    # Pillow writes some of `info` back (a JPEG comment, a PNG colour profile): nothing
    # of the upload but its pixels may survive.
    image.info = {}
    out = io.BytesIO()
    if keep_png:
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "JPEG", quality=90)
    return CleanImage(out.getvalue(), "PNG" if keep_png else "JPEG", image.width, image.height)


@dataclass(frozen=True)
class CleanPdf:
    content: bytes
    pages: int
    extension = ".pdf"
    content_type = "application/pdf"


def pdf_upload(upload, *, max_bytes: int) -> CleanPdf:
    """A PDF checked by its header and a full parse, then rebuilt page by page by pypdf
    from an allow-list (`pdf_rebuild`): nothing appended after the document (polyglots)
    and nothing that acts (scripts, forms, embedded files, launch actions) survives."""
    from pypdf.errors import PyPdfError

    data = _read_limited(upload, max_bytes)
    if not data.startswith(b"%PDF-"):
        raise UploadError(_("该文件不是 PDF 文件，请上传 PDF 格式的扫描件。"))
    try:
        content, pages = pdf_rebuild(data)
    except UploadError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise UploadError(
            _("无法打开该 PDF 文件，文件可能已损坏，请重新扫描或导出后上传。")
        ) from exc
    return CleanPdf(content, pages)


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
        raise UploadError(_("PDF 文件已加密，请上传未加密的扫描件。"))
    if len(reader.pages) == 0:
        raise UploadError(_("PDF 文件没有页面，请重新扫描后上传。"))
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


IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


def document_upload(
    upload, *, max_bytes: int, max_pixels: int, max_side: int | None = None
) -> CleanImage | CleanPdf:
    """Evidence scans: an image (JPEG/PNG/GIF) or a PDF, decided by content."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return pdf_upload(upload, max_bytes=max_bytes)
    if head.startswith(IMAGE_SIGNATURES):
        return image_upload(
            upload,
            max_bytes=max_bytes,
            formats={"JPEG", "PNG", "GIF"},
            max_pixels=max_pixels,
            max_side=max_side,
        )
    raise UploadError(_("仅支持图片（.jpg .png .gif）或 PDF 文件。"))
