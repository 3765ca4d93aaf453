"""Checking uploads by their content, never by name or browser-sent type (QUALITY.md).

`image_upload(file, max_bytes=…, formats=…)` decodes the image fully with a pixel limit,
turns it upright, and re-encodes it, so that no metadata or appended payload survives.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # far above any camera photo; refuses decompression bombs
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


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


def _read_limited(upload, max_bytes: int) -> bytes:
    if upload.size is not None and upload.size > max_bytes:
        raise UploadError(_("图片大小不能超过 %(kb)d KB。") % {"kb": max_bytes // 1024})
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadError(_("图片大小不能超过 %(kb)d KB。") % {"kb": max_bytes // 1024})
    if not data:
        raise UploadError(_("文件是空的，请重新选择图片。"))
    return data


def _decode(data: bytes, formats: set[str]) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in formats:
                raise UploadError(_("仅支持 %(kinds)s 格式的图片。") % {"kinds": _kinds(formats)})
            image.load()  # verify() reads only the header: decode every pixel
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadError(_("图片像素过大，请缩小后重新上传。")) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UploadError(_("无法打开该图片，文件可能已损坏或不是图片。")) from exc
    return image


def _kinds(formats: set[str]) -> str:
    names = {"JPEG": ".jpg .jpeg", "PNG": ".png", "GIF": ".gif"}
    return " ".join(names.get(f, f.lower()) for f in sorted(formats))


def image_upload(upload, *, max_bytes: int, formats: set[str]) -> CleanImage:
    """A decoded, upright, re-encoded copy of an uploaded image, or UploadError."""
    image = _decode(_read_limited(upload, max_bytes), formats)
    keep_png = image.format in {"PNG", "GIF"}
    image = ImageOps.exif_transpose(image)
    image = image.convert("RGBA" if keep_png and "A" in image.getbands() else "RGB")
    out = io.BytesIO()
    if keep_png:
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "JPEG", quality=90)
    return CleanImage(out.getvalue(), "PNG" if keep_png else "JPEG", image.width, image.height)
