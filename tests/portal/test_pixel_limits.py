"""Each upload form has its own pixel limit, checked before the image is decoded, and
large evidence images are stored scaled down. Images are generated: a one-bit PNG of
40 Mpx compresses to a few kilobytes, so it passes every byte limit (even the 300 KB
of seed 000) and only the pixel limit can refuse it."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import AccountState, IdentityRequest
from imaging.models import Photo
from notices.models import NoticeAttachment, NoticeState
from portal.lib.uploads import UploadError, image_upload
from records.models import DiscrepancyReport
from tests import factories
from tests.notices.conftest import csrf_client, csrf_post, make_notice

FORTY_MPX = (8000, 5000)
PHONE = 12_000_000  # a phone photo, 4000×3000


def png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("1", size).save(out, "PNG")
    return out.getvalue()


def jpeg(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(out, "JPEG", quality=70)
    return out.getvalue()


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    kind = "image/png" if name.endswith(".png") else "image/jpeg"
    return SimpleUploadedFile(name, content, content_type=kind)


def test_a_40_mpx_image_is_refused_before_it_is_decoded():
    data = png(FORTY_MPX)
    assert len(data) < 300 * 1024

    with pytest.raises(UploadError) as refused:
        image_upload(upload(data, "a.png"), max_bytes=300 * 1024, formats={"PNG"}, max_pixels=PHONE)

    message = refused.value.message
    assert "图片像素过大，请缩小后重新上传" in message
    assert "此处最多 1200 万像素（如 4000×3000）" in message
    assert "8000×5000" in message


def test_the_limit_is_checked_from_the_header_before_any_pixel_is_decoded():
    header_only = png(FORTY_MPX)[:100]  # the size is declared; no pixel data follows

    with pytest.raises(UploadError, match="图片像素过大"):
        image_upload(
            upload(header_only, "a.png"), max_bytes=300 * 1024, formats={"PNG"}, max_pixels=PHONE
        )


def test_a_phone_photo_at_the_limit_passes_and_one_pixel_row_more_does_not():
    kept = image_upload(
        upload(png((4000, 3000)), "a.png"), max_bytes=300 * 1024, formats={"PNG"}, max_pixels=PHONE
    )
    assert (kept.width, kept.height) == (4000, 3000)

    with pytest.raises(UploadError, match="图片像素过大"):
        image_upload(
            upload(png((4000, 3001)), "a.png"),
            max_bytes=300 * 1024,
            formats={"PNG"},
            max_pixels=PHONE,
        )


def test_a_40_mpx_hand_held_id_photo_is_refused_on_the_page(world, private_media):
    twin = factories.user(
        username="alice_new",
        real_name=world.alice.real_name,
        id_number=world.alice.id_number,
        phone="13900000001",
        state=AccountState.PENDING,
    )
    client = csrf_client(twin)

    response = csrf_post(
        client,
        "/accounts/identity/photos/",
        {"front": upload(png(FORTY_MPX), "front.png"), "back": upload(jpeg((800, 600)), "b.jpg")},
        page="/accounts/identity/",
    )

    page = response.content.decode()
    assert "手持身份证人像面照片：图片像素过大，请缩小后重新上传" in page
    assert not IdentityRequest.objects.exists()


def test_a_40_mpx_evidence_image_is_refused_on_the_page(client_for, world, private_media):
    response = client_for(world.alice).post(
        f"/records/{world.alice_record.pk}/report/",
        {
            "wrong_ethnicity": "on",
            "value_ethnicity": "回族",
            "kind_0": "hukou",
            "file_0": upload(png(FORTY_MPX), "hukou.png"),
        },
    )

    assert response.status_code == 200
    assert "图片像素过大，请缩小后重新上传" in response.content.decode()
    assert not DiscrepancyReport.objects.exists()


@pytest.mark.parametrize(("name", "make"), [("hukou.jpg", jpeg), ("hukou.png", png)])
def test_a_4000_px_evidence_image_is_stored_scaled_down(
    client_for, world, private_media, name, make
):
    response = client_for(world.alice).post(
        f"/records/{world.alice_record.pk}/report/",
        {
            "wrong_ethnicity": "on",
            "value_ethnicity": "回族",
            "kind_0": "hukou",
            "file_0": upload(make((4000, 3000)), name),
        },
    )

    assert response.status_code == 302
    stored = Image.open(DiscrepancyReport.objects.get().evidence.get().file)
    assert stored.size == (2000, 1500)


def test_a_small_evidence_image_keeps_its_size(client_for, world, private_media):
    client_for(world.alice).post(
        f"/records/{world.alice_record.pk}/report/",
        {
            "wrong_ethnicity": "on",
            "value_ethnicity": "回族",
            "kind_0": "hukou",
            "file_0": upload(jpeg((1200, 900)), "hukou.jpg"),
        },
    )

    stored = Image.open(DiscrepancyReport.objects.get().evidence.get().file)
    assert stored.size == (1200, 900)


def test_a_40_mpx_attachment_image_is_refused_on_the_page(world, private_media):
    draft = make_notice(world, state=NoticeState.DRAFT)
    client = csrf_client(world.registrar)

    response = csrf_post(
        client,
        f"/notices/manage/{draft.pk}/attachments/",
        {"title": "附件 1 操作流程", "file": upload(png(FORTY_MPX), "step.png"), "is_public": "on"},
        follow=True,
    )

    assert "图片像素过大，请缩小后重新上传" in response.content.decode()
    assert not NoticeAttachment.objects.exists()


def test_a_40_mpx_portrait_photo_is_refused_on_the_page(client_for, world, private_media):
    response = client_for(world.registrar).post(
        f"/photos/records/{world.alice_record.pk}/upload/",
        {"kind": "enrollment", "file": upload(png(FORTY_MPX), "photo.png")},
    )

    page = response.content.decode()
    assert "照片像素过多（超过 400 万像素" in page
    assert "1728×2304" in page
    assert "请缩小" in page
    assert not Photo.objects.exists()
