"""Checking uploads by their content, never by name or browser-sent type (docs/security.md).

`image_upload(file, max_bytes=…, formats=…, max_pixels=…)` checks the pixel count the
header declares against the form's own limit before a pixel is decoded, then decodes
the image fully, turns it upright, refuses it if the form asks for a least size
(`min_side`) or for a picture that is not nearly blank (`min_spread`), scales it down if
the form asks (`max_side`), and re-encodes it, so that no metadata or appended payload
survives.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, ImageStat, UnidentifiedImageError

from portal.lib.pdfs import PdfRefused, pdf_rebuild

MAX_PIXELS = 40_000_000  # far above any camera photo; refuses decompression bombs
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Each form passes its own limit, sized to its purpose (docs/security.md "PDFs").


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


# A picture whose grey levels, seen at 64×64, spread less than this is nearly one colour
# (a uniform grey, a lens cap, a blank page): nothing on it can be read.
BLANK_SAMPLE = (64, 64)


def _too_small(image: Image.Image, min_side: int) -> UploadError:
    return UploadError(
        _(
            "图片尺寸过小（%(width)d×%(height)d），看不清内容：请上传宽和高都不小于 "
            "%(side)d 像素的照片（用手机直接拍摄即可）。"
        )
        % {"width": image.width, "height": image.height, "side": min_side}
    )


def pixel_spread(image: Image.Image) -> float:
    """The standard deviation of the grey levels of `image` seen small (0 for one colour)."""
    sample = image.convert("L").resize(BLANK_SAMPLE, Image.Resampling.BILINEAR)
    return float(ImageStat.Stat(sample).stddev[0])


def image_upload(
    upload,
    *,
    max_bytes: int,
    formats: set[str],
    max_pixels: int,
    max_side: int | None = None,
    min_side: int | None = None,
    min_spread: float | None = None,
) -> CleanImage:
    """A decoded, upright, re-encoded copy of an uploaded image, or UploadError.

    `max_pixels`: the form's own limit, checked before decoding; `max_side`: a longer
    side beyond this is scaled down to it before the image is stored; `min_side`: a
    shorter side below this is refused; `min_spread`: a nearly blank picture (grey levels
    spread less than this, see `pixel_spread`) is refused."""
    image, kind = _decode(_read_limited(upload, max_bytes), formats, max_pixels, max_side)
    keep_png = kind in {"PNG", "GIF"}
    image = ImageOps.exif_transpose(image)
    if min_side and min(image.size) < min_side:
        raise _too_small(image, min_side)
    if min_spread is not None and pixel_spread(image) < min_spread:
        raise UploadError(_("图片几乎是一片空白（颜色没有变化），看不清内容，请重新拍摄后上传。"))
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
    except PdfRefused as refused:
        raise UploadError(refused.message) from refused
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise UploadError(
            _("无法打开该 PDF 文件，文件可能已损坏，请重新扫描或导出后上传。")
        ) from exc
    return CleanPdf(content, pages)


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
