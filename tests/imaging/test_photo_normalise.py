"""imaging.normalise.photo_normalise: what every stored photo looks like."""

import io

import pytest
from PIL import Image

from imaging.normalise import (
    JPEG_QUALITY,
    MAX_PIXELS,
    STANDARD_SIZE,
    THUMBNAIL_WIDTH,
    PhotoRejected,
    photo_normalise,
)
from tests.imaging.conftest import image_bytes, jpeg


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize(
    ("fmt", "mode", "options"),
    [
        ("JPEG", "RGB", {}),
        ("JPEG", "L", {}),
        ("JPEG", "CMYK", {}),
        ("JPEG", "RGB", {"progressive": True}),
        ("PNG", "RGB", {}),
        ("PNG", "RGBA", {}),
        ("PNG", "P", {}),
        ("GIF", "P", {}),
        ("BMP", "RGB", {}),
    ],
)
def test_every_accepted_format_becomes_an_rgb_jpeg(fmt, mode, options):
    data = image_bytes(fmt, size=(300, 400), mode=mode, **options)

    result = photo_normalise(data)

    image = _open(result.image)
    assert image.format == "JPEG" and image.mode == "RGB"
    assert (result.width, result.height) == image.size == (300, 400)


def test_a_large_photo_is_fitted_into_the_standard_box_keeping_its_aspect():
    result = photo_normalise(jpeg(size=(1728, 2304)))  # the largest 3:4 within 4 Mpx

    assert (result.width, result.height) == STANDARD_SIZE
    wide = photo_normalise(jpeg(size=(2000, 1000)))
    assert (wide.width, wide.height) == (480, 240)


def test_a_portrait_photo_is_limited_to_4_megapixels_and_the_message_says_so():
    # A collection unit's photo is about 358×441 to 480×640; a camera's 24 Mpx frame is no
    # portrait photo. Just over the limit is refused from the header, before decoding.
    assert MAX_PIXELS == 4_000_000
    for size in [(2000, 2001), (6000, 4000)]:
        with pytest.raises(PhotoRejected) as refused:
            photo_normalise(jpeg(size=size))

        assert refused.value.code == "too_many_pixels"
        assert "超过 400 万像素" in refused.value.message
        assert "1728×2304" in refused.value.message
    assert photo_normalise(jpeg(size=(2000, 2000))).height == 480  # exactly 4 Mpx passes


def test_the_thumbnail_is_120_px_wide():
    result = photo_normalise(jpeg(size=(480, 640)))

    thumbnail = _open(result.thumbnail)
    assert thumbnail.size == (THUMBNAIL_WIDTH, 160)


def test_exif_orientation_is_applied_then_dropped():
    # Orientation 6: the camera was turned; the stored pixels are 800 wide, 600 high.
    data = jpeg(size=(800, 600), orientation=6)

    result = photo_normalise(data)

    image = _open(result.image)
    assert image.size == (480, 640)  # upright: portrait 600×800, fitted into 480×640
    assert not image.getexif()
    assert "exif" not in image.info and "icc_profile" not in image.info
    assert image.getpixel((image.width - 10, 10))[0] < 60  # the dark corner moved right


def test_transparent_background_becomes_white_not_black():
    data = image_bytes("PNG", size=(40, 40), color=(0, 0, 0, 0), mode="RGBA")

    result = photo_normalise(data)

    assert _open(result.image).getpixel((30, 30))[0] > 240


def test_the_jpeg_is_re_encoded_at_the_standard_quality():
    data = jpeg(size=(480, 640), quality=100)

    result = photo_normalise(data)

    assert result.image != data
    assert len(result.image) < len(data)
    assert JPEG_QUALITY == 88
