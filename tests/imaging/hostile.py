"""A corpus of hostile and broken files, generated here (none is checked in): what a
careless or malicious delivery may hold. Each case names the reason it must be refused
with (a substring of the Chinese message)."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from tests.imaging.conftest import image_bytes, jpeg, make_zip

NOT_IMAGE = "文件内容不是照片"
BROKEN = "已损坏"
TOO_MANY_PIXELS = "像素过多"
TOO_LARGE = "文件过大"
EMPTY = "文件是空的"


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_header_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG that claims 10 billion pixels in a few dozen bytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def png_real_bomb() -> bytes:
    """A valid PNG of 36 million pixels (far over the 4 million limit), about 40 KB."""
    buffer = io.BytesIO()
    Image.new("1", (6000, 6000)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_size_bomb() -> bytes:
    """A small JPEG whose frame header (SOF0) is patched to claim 60000×60000."""
    data = bytearray(jpeg(size=(16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 60000, 60000)
    return bytes(data)


def truncated_jpeg() -> bytes:
    data = jpeg(size=(400, 500))
    return data[: len(data) * 2 // 3]


def corrupt_png() -> bytes:
    """A PNG whose pixel data was damaged in transit (the IDAT bytes flipped)."""
    data = bytearray(image_bytes("PNG", size=(64, 64)))
    start = data.index(b"IDAT") + 4
    for i in range(start + 2, start + 30):
        data[i] ^= 0xFF
    return bytes(data)


def other_format(fmt: str) -> Callable[[], bytes]:
    def make() -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (32, 32), (10, 20, 30)).save(buffer, fmt)
        return buffer.getvalue()

    return make


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>"
    b"endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML = b"<!doctype html><html><body><script>fetch('/admin/')</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
PHP = b"<?php system($_GET['c']); ?>"


@dataclass(frozen=True)
class Case:
    id: str
    name: str  # the file name it arrives under: always an image name
    make: Callable[[], bytes]
    reason: str


CORPUS = [
    Case("png-header-bomb", "bomb.png", png_header_bomb, TOO_MANY_PIXELS),
    Case("png-real-bomb", "bomb2.png", png_real_bomb, TOO_MANY_PIXELS),
    Case("jpeg-size-bomb", "bomb.jpg", jpeg_size_bomb, TOO_MANY_PIXELS),
    Case("truncated-jpeg", "cut.jpg", truncated_jpeg, BROKEN),
    Case(
        "jpeg-header-only",
        "head.jpg",
        lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20,
        BROKEN,
    ),
    Case("corrupt-png", "bad.png", corrupt_png, BROKEN),
    Case("gif-header-garbage", "bad.gif", lambda: b"GIF89a" + b"\xff" * 40, BROKEN),
    Case("html-as-jpg", "page.jpg", lambda: HTML, NOT_IMAGE),
    Case("svg-as-png", "vector.png", lambda: SVG, NOT_IMAGE),
    Case("pdf-as-gif", "doc.gif", lambda: PDF, NOT_IMAGE),
    Case("exe-as-jpg", "setup.jpg", lambda: EXE, NOT_IMAGE),
    Case("php-as-jpeg", "shell.jpeg", lambda: PHP, NOT_IMAGE),
    Case("zip-as-jpg", "archive.jpg", lambda: make_zip({"a.txt": b"hello"}), NOT_IMAGE),
    Case("tiff-as-jpg", "scan.jpg", other_format("TIFF"), NOT_IMAGE),
    Case("webp-as-png", "modern.png", other_format("WEBP"), NOT_IMAGE),
    Case("ico-as-bmp", "icon.bmp", other_format("ICO"), NOT_IMAGE),
    Case("zero-bytes", "empty.jpg", lambda: b"", EMPTY),
    Case(
        "oversized",
        "huge.jpg",
        lambda: jpeg(size=(64, 64)) + b"\x00" * (10 * 1024 * 1024),
        TOO_LARGE,
    ),
]

# Valid images with a payload appended: accepted, but the stored copy is re-encoded.
POLYGLOTS = {
    "jpeg+zip": jpeg(size=(200, 260)) + make_zip({"evil.php": PHP}),
    "jpeg+html": jpeg(size=(200, 260)) + HTML,
    "gif+jar": image_bytes("GIF", size=(40, 40))
    + make_zip({"META-INF/MANIFEST.MF": b"Main-Class: X"}),
    "png+php": image_bytes("PNG", size=(40, 40)) + PHP,
}
PAYLOAD_MARKERS = (b"PK\x03\x04", b"<script", b"<?php", b"Main-Class")
