"""Demo photos: the photo rows and their verifications, the image collection units
(图像采集单位), and the drawn head-and-shoulders portraits stored as the photo files."""

from __future__ import annotations

import datetime
import hashlib
import io
import random
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F
from PIL import Image, ImageDraw

from imaging.models import (
    CollectionUnit,
    Photo,
    PhotoBatch,
    PhotoKind,
    PhotoState,
    PhotoVerification,
)
from portal.demo.constants import _DISPUTE_COMMENTS
from portal.demo.plan import DemoPlan, PlannedPhoto, PlannedStudent
from records.models import EnrollmentRecord

if TYPE_CHECKING:
    from portal.demo.write import _Written


def write_photos(plan: DemoPlan, done: _Written) -> int:
    registrar, institution = done.staff["registrar"], done.org.institution
    batches = {
        kind: PhotoBatch.objects.create(
            institution=institution, kind=kind, source=source, uploaded_by=registrar
        )
        for kind, source in (
            (PhotoKind.ENROLLMENT, "新华社江西分社 2023 年图像采集"),
            (PhotoKind.DIPLOMA, "新华社江西分社 2018 年毕业生图像采集"),
        )
    }
    photos, verifications, replaced = [], [], []
    for index, person in enumerate(plan.students):
        record = done.records[index]
        for planned in (person.photo, person.diploma):
            if planned is None:
                continue
            if planned.previous_token:
                old = PlannedPhoto(
                    planned.kind, planned.previous_token, PhotoState.DISPUTED, reason="not_me"
                )
                photo = _photo_row(person, old, record, batches[planned.kind], done)
                photo.is_current = False
                photos.append(photo)
                replaced.append(photo)
                verifications.append(_verification_row(old, photo, done.ago(3)))
            photo = _photo_row(person, planned, record, batches[planned.kind], done)
            photos.append(photo)
            if planned.state != PhotoState.UNVERIFIED:
                verifications.append(_verification_row(planned, photo, done.ago(1)))
    Photo.objects.bulk_create(photos)
    PhotoVerification.objects.bulk_create(verifications)
    # The replaced photo came first: delivered with the batch, a week before its successor.
    Photo.objects.filter(pk__in=[p.pk for p in replaced]).update(
        created_at=F("created_at") - datetime.timedelta(days=7)
    )
    for kind, batch in batches.items():
        batch.report = {"imported": sum(p.kind == kind for p in photos), "rejected": []}
    PhotoBatch.objects.bulk_update(batches.values(), ["report"])
    return len(photos)


def _photo_row(
    person: PlannedStudent,
    planned: PlannedPhoto,
    record: EnrollmentRecord,
    batch: PhotoBatch,
    done: _Written,
) -> Photo:
    files = done.files
    photo = Photo(record=record, kind=planned.kind, token=planned.token, batch=batch)
    image, thumbnail = portrait_jpeg(token=planned.token, sex=person.sex)
    for name, data in (("image", image), ("thumbnail", thumbnail)):
        path = Photo._meta.get_field(name).generate_filename(photo, "portrait.jpg")
        stored = default_storage.save(path, ContentFile(data))
        files.append(stored)
        setattr(photo, name, stored)
    photo.width, photo.height = PHOTO_SIZE
    photo.sha256 = hashlib.sha256(image).hexdigest()
    photo.state = planned.state
    return photo


def _verification_row(
    planned: PlannedPhoto, photo: Photo, when: datetime.datetime
) -> PhotoVerification:
    disputed = planned.state == PhotoState.DISPUTED
    return PhotoVerification(
        photo=photo,
        user=photo.record.user,
        result=planned.state,
        reason=planned.reason,
        comment=_DISPUTE_COMMENTS.get(planned.reason, "") if disputed else "",
        rating=planned.rating,
        rating_comment="照片清晰，与本人一致。" if planned.rating == 5 else "",
        rated_at=when if planned.rating is not None else None,
    )


COLLECTION_UNITS = (
    dict(
        province="410000",
        name="新华社河南分社图像采集中心",
        # Seed 003, as the notice gives it.
        address="郑州市二七区紫荆山与花园路交叉口向北200米路西，新闻大厦北边三层小楼",
        phone="65975186、65582410",
    ),
    dict(
        province="360000",
        name="新华社江西分社图像采集中心",
        address="南昌市东湖区示范路 1 号新闻大楼二楼（演示地址）",
        phone="0791-8888 0001（演示号码）",
        hours="工作日 8:30—12:00，14:30—17:30",
        notes="演示数据：地址和电话均为虚构。",
    ),
    dict(
        province="430000",
        name="新华社湖南分社图像采集中心",
        address="长沙市芙蓉区示范路 2 号（演示地址）",
        phone="0731-8888 0002（演示号码）",
        notes="演示数据：地址和电话均为虚构。",
    ),
)


def write_collection_units() -> None:
    # The directory is shared with real units: add only the ones not there yet.
    for unit in COLLECTION_UNITS:
        defaults = {k: v for k, v in unit.items() if k not in ("province", "name")}
        CollectionUnit.objects.get_or_create(
            province=unit["province"], name=unit["name"], defaults=defaults
        )


# --- Portraits ----------------------------------------------------------------------------

PHOTO_SIZE = (358, 441)
THUMBNAIL_SIZE = (120, round(441 * 120 / 358))
_BACKGROUNDS = ((255, 255, 255), (236, 244, 252), (206, 228, 248), (170, 208, 242), (67, 142, 219))
_SKIN = ((248, 222, 200), (242, 210, 184), (236, 200, 172), (228, 190, 160), (218, 178, 146))
_HAIR = ((18, 18, 20), (32, 26, 24), (48, 36, 28), (26, 22, 30), (60, 45, 35))
_CLOTHES = (
    (28, 36, 62), (32, 32, 34), (240, 240, 242), (92, 96, 106), (118, 32, 42), (40, 72, 122),
    (58, 88, 68), (150, 150, 158),
)  # fmt: skip


def portrait_jpeg(*, token: str, sex: str) -> tuple[bytes, bytes]:
    """A drawn head-and-shoulders ID photo and its thumbnail, both JPEG. The token seeds the
    colours and proportions, so each photo differs and a token always gives the same bytes."""
    rng = random.Random(token)
    image = Image.new("RGB", PHOTO_SIZE, _jitter(rng, rng.choice(_BACKGROUNDS), 4))
    skin, hair, clothes = (_jitter(rng, rng.choice(p)) for p in (_SKIN, _HAIR, _CLOTHES))
    _draw_figure(ImageDraw.Draw(image), rng, skin=skin, hair=hair, clothes=clothes, sex=sex)
    thumbnail = image.resize(THUMBNAIL_SIZE, Image.Resampling.BILINEAR)
    return _jpeg(image, 88), _jpeg(thumbnail, 85)


def _jitter(rng: random.Random, colour: tuple[int, ...], amount: int = 8) -> tuple[int, ...]:
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)


def _shade(colour: tuple[int, ...], factor: float) -> tuple[int, ...]:
    return tuple(int(c * factor) for c in colour)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _draw_figure(d: ImageDraw.ImageDraw, rng: random.Random, *, skin, hair, clothes, sex) -> None:
    width, _ = PHOTO_SIZE
    cx = width // 2 + rng.randint(-6, 6)
    hw = rng.randint(74, 84)  # half the head's width
    hh = int(hw * rng.uniform(1.22, 1.32))  # half its height
    top = rng.randint(62, 78)
    cy, chin = top + hh, top + 2 * hh
    if sex == "2":  # long hair, falling behind the shoulders
        fall = cy + hh + rng.randint(30, 70)
        d.rounded_rectangle((cx - hw - 14, cy - hh // 3, cx + hw + 14, fall), radius=40, fill=hair)
    # Shoulders start just below the chin, as in an ID photo.
    d.ellipse((cx - 190, chin + 34, cx + 190, chin + 400), fill=clothes)
    neck = _shade(skin, 0.9)
    d.rectangle((cx - 28, chin - 40, cx + 28, chin + 50), fill=neck)
    d.polygon([(cx - 28, chin + 40), (cx, chin + 72), (cx + 28, chin + 40)], fill=neck)
    if clothes[0] < 200:  # a white collar under dark clothes
        for s in (-1, 1):
            collar = [(cx + s * 30, chin + 36), (cx, chin + 74), (cx + s * 10, chin + 82)]
            d.polygon([*collar, (cx + s * 46, chin + 44)], fill=(246, 246, 246))
    for s in (-1, 1):  # ears
        d.ellipse((cx + s * hw - 12, cy - 16, cx + s * hw + 12, cy + 26), fill=_shade(skin, 0.95))
    d.ellipse((cx - hw, top, cx + hw, chin), fill=skin)
    fringe = rng.randint(int(hh * 0.55), int(hh * 0.8))
    d.chord((cx - hw - 5, top - 12, cx + hw + 5, top + 2 * fringe), 180, 360, fill=hair)
    _draw_face(
        d, cx=cx, eyes=top + int(hh * 0.95), spread=int(hw * 0.42), hh=hh, skin=skin, hair=hair
    )


def _draw_face(d: ImageDraw.ImageDraw, *, cx, eyes, spread, hh, skin, hair) -> None:
    for s in (-1, 1):
        x = cx + s * spread
        d.line((x - 13, eyes - 14, x + 13, eyes - 15), fill=_shade(hair, 1.2), width=4)
        d.ellipse((x - 7, eyes - 4, x + 7, eyes + 5), fill=(40, 32, 30))
    d.line((cx, eyes + 8, cx - 4, eyes + 34, cx + 3, eyes + 36), fill=_shade(skin, 0.8), width=2)
    mouth = eyes + int(hh * 0.62)
    d.arc((cx - 16, mouth - 10, cx + 16, mouth + 6), 20, 160, fill=(170, 90, 90), width=3)
