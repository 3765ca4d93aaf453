"""Turning a delivered photo into the stored one (docs/security.md: uploads, Pillow notes).

The bytes are judged by content, never by name: Pillow may only use the decoders of
the accepted formats, the pixel count is checked from the header before any pixel is
decoded (a decompression bomb never reaches memory), `DecompressionBombWarning` is an
error, and every pixel is decoded (`load()`) before the file is trusted. The result is
upright (EXIF orientation), RGB, fitted into 480×640 and re-encoded as a fresh JPEG with
no metadata, so that nothing appended to the file (a zip, HTML, a script) survives.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "BMP")
SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")
# Sized to what a collection unit delivers: a portrait photo of about 358×441 to 480×640
# (0.3 Mpx), fitted into 480×640, so nothing larger carries more of the face. 4 Mpx
# (e.g. 1728×2304) leaves room for an uncropped scan or a camera's reduced frame; a
# full camera frame (24 Mpx) is no portrait photo and only costs memory to decode.
MAX_PIXELS = 4_000_000
EXAMPLE_SIZE = "1728×2304"  # a 3:4 portrait within MAX_PIXELS, for the message
MAX_BYTES = 10 * 1024 * 1024
STANDARD_SIZE = (480, 640)  # width × height box the stored photo is fitted into
THUMBNAIL_WIDTH = 120
JPEG_QUALITY = 88
THUMBNAIL_QUALITY = 85


class PhotoRejected(Exception):
    """This file cannot be a photo; `message` says why, in the registrar's words."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class NormalisedPhoto:
    image: bytes
    thumbnail: bytes
    width: int
    height: int


def reason(code: str) -> str:
    """The Chinese reason for a rejection code (also used by the zip reader)."""
    messages = {
        "empty": _("文件是空的（0 字节）。"),
        "too_large": _("文件过大（超过 %(mb)d MB）。") % {"mb": MAX_BYTES // 2**20},
        "not_image": _("文件内容不是照片（仅支持 JPEG、PNG、GIF、BMP 格式），已拒收。"),
        "broken": _("照片文件已损坏或不完整，无法解码。"),
        "too_many_pixels": _(
            "照片像素过多（超过 %(n)d 万像素），已拒收；采集照片一般为 480×640，"
            "请缩小到 %(n)d 万像素以内（如 %(example)s）后重新提供。"
        )
        % {"n": MAX_PIXELS // 10_000, "example": EXAMPLE_SIZE},
    }
    return messages[code]


def _reject(code: str) -> PhotoRejected:
    return PhotoRejected(reason(code), code)


def _open(data: bytes) -> Image.Image:
    """Decode every pixel, within the limits, or refuse."""
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError as exc:
        # The signature of an accepted format that Pillow cannot parse: a damaged photo.
        raise _reject("broken" if data.startswith(SIGNATURES) else "not_image") from exc
    except Image.DecompressionBombError as exc:
        raise _reject("too_many_pixels") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise _reject("broken") from exc
    width, height = image.size
    if width < 1 or height < 1:
        raise _reject("broken")
    if width * height > MAX_PIXELS:
        raise _reject("too_many_pixels")
    if image.format == "JPEG":
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the photo is far larger than
        # what we keep: every byte is still decoded, in a fraction of the time.
        image.draft(None, (STANDARD_SIZE[1], STANDARD_SIZE[1]))
    try:
        image.load()  # verify() reads only the header: decode every pixel
    except Image.DecompressionBombError as exc:
        raise _reject("too_many_pixels") from exc
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        raise _reject("broken") from exc
    return image


def _rgb(image: Image.Image) -> Image.Image:
    """RGB on white: a transparent background becomes white, not black."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)  # no exif=, no icc_profile=: no metadata
    return out.getvalue()


def photo_normalise(data: bytes) -> NormalisedPhoto:
    """The stored form of a delivered photo, or PhotoRejected with the reason."""
    if not data:
        raise _reject("empty")
    if len(data) > MAX_BYTES:
        raise _reject("too_large")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = _open(data)
            image = ImageOps.exif_transpose(image)
            image = _rgb(image)
        except Image.DecompressionBombWarning as exc:
            raise _reject("too_many_pixels") from exc
        except PhotoRejected:
            raise
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise _reject("broken") from exc
    image.thumbnail(STANDARD_SIZE, Image.Resampling.LANCZOS)
    thumb_height = max(1, round(image.height * THUMBNAIL_WIDTH / image.width))
    thumbnail = image.resize((THUMBNAIL_WIDTH, thumb_height), Image.Resampling.LANCZOS)
    return NormalisedPhoto(
        image=_jpeg(image, JPEG_QUALITY),
        thumbnail=_jpeg(thumbnail, THUMBNAIL_QUALITY),
        width=image.width,
        height=image.height,
    )
