"""Fixtures of the imaging tests: private media in a folder of the test's own (so that
"nothing was stored" can be checked file by file), clean outboxes, and photo makers."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts import sms
from imaging.models import CollectionUnit, Photo, PhotoKind
from imaging.normalise import photo_normalise
from imaging.services import photo_save


@pytest.fixture(autouse=True)
def _fresh_outboxes():
    cache.clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def media_root(private_media) -> Path:
    return private_media


def stored_files(root: Path, under: str = "photos") -> list[Path]:
    folder = root / under
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def image_bytes(
    fmt: str = "JPEG",
    size: tuple[int, int] = (600, 800),
    color=(200, 180, 160),
    *,
    mode: str = "RGB",
    orientation: int | None = None,
    **save,
) -> bytes:
    """A picture with a dark square in its top-left corner (to see rotations)."""
    base = "RGBA" if mode in ("RGBA", "LA") or len(color) == 4 else "RGB"
    image = Image.new(base, size, color)
    image.paste((0, 0, 0, 255)[: len(base)], (0, 0, size[0] // 4, size[1] // 4))
    if mode != base:
        image = image.convert(mode)
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        exif[0x010F] = "TestCam"  # Make: metadata that must not survive
        save["exif"] = exif.tobytes()
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def jpeg(**kwargs) -> bytes:
    return image_bytes("JPEG", **kwargs)


def make_zip(entries: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def add_photo(
    record, kind: str = PhotoKind.ENROLLMENT, *, state=None, data: bytes | None = None
) -> Photo:
    """A stored photo made current for the record, as an import would leave it."""
    data = data or jpeg(color=(len(Photo.objects.all()) * 7 % 255, 120, 90))
    photo, _ = photo_save(
        record=record,
        kind=kind,
        normalised=photo_normalise(data),
        sha256=hashlib.sha256(data).hexdigest(),
        batch=None,
    )
    if state:
        Photo.objects.filter(pk=photo.pk).update(state=state)
        photo.refresh_from_db()
    return photo


@pytest.fixture
def jiangxi_unit(db) -> CollectionUnit:
    """The world's institution and students are in 江西 (factories: 360000 / 360102)."""
    return CollectionUnit.objects.create(
        province="360000",
        name="新华社江西分社图像采集中心",
        address="南昌市示范路 1 号",
        phone="0791-88880001",
        hours="工作日 8:30—17:30",
        notes="请携带身份证。",
    )
