"""portal.lib.uploads.image_upload with good and hostile files: the type is decided by the
content, the size before the body is read, bombs and broken files are refused with a
message that says what to do, and what passes is re-encoded with nothing else kept."""

import io

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from portal.lib.uploads import MAX_PIXELS, UploadError, image_upload
from tests.accounts.helpers import image_bytes, jpeg_bytes, upload

FORMATS = {"JPEG", "PNG", "GIF"}
LIMIT = 300 * 1024
PIXELS = 12_000_000  # a phone photo, 4000×3000
PAYLOAD = b'<html><script>alert("x")</script></html>'


def clean(content: bytes, name: str = "photo.jpg"):
    return image_upload(upload(content, name), max_bytes=LIMIT, formats=FORMATS, max_pixels=PIXELS)


def refusal(content: bytes, name: str = "photo.jpg") -> str:
    with pytest.raises(UploadError) as excinfo:
        clean(content, name)
    return excinfo.value.message


def decoded(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def png_of_size(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")  # compresses to a few kilobytes
    return out.getvalue()


def zip_bytes() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("evil.html", PAYLOAD)
    return out.getvalue()


# Good files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name", "stored_as"),
    [
        ("JPEG", "a.jpg", "JPEG"),
        ("JPEG", "a.jpeg", "JPEG"),
        ("PNG", "a.png", "PNG"),
        ("GIF", "a.gif", "PNG"),
    ],
)
def test_good_jpg_png_and_gif_files_pass_and_are_re_encoded(fmt, name, stored_as):
    result = clean(image_bytes(fmt), name)

    assert result.format == stored_as
    assert decoded(result.content).format == stored_as
    assert (result.width, result.height) == (120, 90)


def test_the_type_comes_from_the_content_not_the_name():
    result = clean(jpeg_bytes(), "scan.png")

    assert result.format == "JPEG"
    assert result.extension == ".jpg"


def test_a_phone_camera_jpeg_with_a_second_picture_passes_as_jpeg():
    out = io.BytesIO()
    Image.new("RGB", (120, 90), "red").save(
        out, "MPO", save_all=True, append_images=[Image.new("RGB", (60, 45), "blue")]
    )

    result = clean(out.getvalue())

    assert result.format == "JPEG"
    assert decoded(result.content).format == "JPEG"


def test_a_transparent_png_keeps_its_transparency():
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (255, 0, 0, 0)).save(out, "PNG")

    assert decoded(clean(out.getvalue(), "a.png").content).mode == "RGBA"


def test_a_cmyk_jpeg_is_stored_as_rgb():
    out = io.BytesIO()
    Image.new("CMYK", (20, 20)).save(out, "JPEG")

    assert decoded(clean(out.getvalue()).content).mode == "RGB"


def test_a_photo_is_turned_upright_by_its_exif_orientation():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view

    result = clean(jpeg_bytes(size=(120, 90), exif=exif.tobytes()))

    assert (result.width, result.height) == (90, 120)


# What does not survive ------------------------------------------------------------------


def test_a_polyglot_jpeg_loses_the_zip_and_html_appended_to_it():
    polyglot = jpeg_bytes() + zip_bytes() + PAYLOAD

    result = clean(polyglot)

    assert b"PK\x03\x04" not in result.content
    assert b"<script>" not in result.content
    assert result.content.endswith(b"\xff\xd9")


def test_exif_metadata_does_not_survive():
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make

    result = clean(jpeg_bytes(exif=exif.tobytes()))

    assert b"SecretCamera" not in result.content
    assert "exif" not in decoded(result.content).info


def test_a_jpeg_comment_does_not_survive():
    result = clean(jpeg_bytes(comment=PAYLOAD))

    assert b"<script>" not in result.content
    assert "comment" not in decoded(result.content).info


def test_png_text_chunks_do_not_survive():
    info = PngInfo()
    info.add_text("Comment", PAYLOAD.decode())

    result = clean(image_bytes("PNG", pnginfo=info), "a.png")

    assert b"<script>" not in result.content


def test_a_png_colour_profile_does_not_survive():
    result = clean(image_bytes("PNG", icc_profile=PAYLOAD), "a.png")

    assert "icc_profile" not in decoded(result.content).info


def test_a_gif_comment_does_not_survive():
    result = clean(image_bytes("GIF", comment=PAYLOAD), "a.gif")

    assert b"<script>" not in result.content


# Hostile files ---------------------------------------------------------------------------


def test_a_decompression_bomb_png_is_refused():
    bomb = png_of_size(10_000, 10_000)
    assert len(bomb) < LIMIT

    assert "图片像素过大，请缩小后重新上传" in refusal(bomb, "bomb.png")


def test_a_png_just_over_the_pixel_limit_is_refused_too():
    side = int(MAX_PIXELS**0.5) + 10

    assert "图片像素过大" in refusal(png_of_size(side, side), "big.png")


def test_a_truncated_jpeg_is_refused():
    noisy = io.BytesIO()
    Image.effect_noise((200, 200), 64).convert("RGB").save(noisy, "JPEG")
    data = noisy.getvalue()

    assert "无法打开该图片" in refusal(data[: len(data) // 2])


@pytest.mark.parametrize(
    "content",
    [
        PAYLOAD,
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>',
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        zip_bytes(),
        b"\xff\xd8\xff\xe0 not really a jpeg",
    ],
    ids=["html", "svg", "pdf", "zip", "jpeg-magic-only"],
)
def test_a_file_that_is_not_an_image_but_named_jpg_is_refused(content):
    message = refusal(content, "photo.jpg")

    assert "无法打开该图片" in message
    assert "请" in message


def test_an_empty_file_is_refused():
    assert "文件是空的，请重新选择图片" in refusal(b"")


@pytest.mark.parametrize("fmt", ["WEBP", "BMP", "TIFF"])
def test_other_image_formats_are_refused_with_the_formats_that_pass(fmt):
    message = refusal(image_bytes(fmt), "photo.jpg")

    assert "仅支持 .gif .jpg .jpeg .png 格式的图片" in message
    assert "请" in message


def test_an_oversized_file_is_refused_with_what_to_do():
    message = refusal(jpeg_bytes() + b"\0" * LIMIT)

    assert "图片大小不能超过 300 KB" in message
    assert "请" in message


def test_the_size_is_checked_before_the_body_is_read():
    class HugeUpload:
        size = 50 * 1024 * 1024

        def seek(self, offset):
            raise AssertionError("the body was touched")

        def read(self, n=-1):
            raise AssertionError("the body was read")

    with pytest.raises(UploadError, match="图片大小不能超过 300 KB"):
        image_upload(HugeUpload(), max_bytes=LIMIT, formats=FORMATS, max_pixels=PIXELS)


def test_a_body_larger_than_its_declared_size_is_cut_off_and_refused():
    lying = upload(jpeg_bytes() + b"\0" * LIMIT)
    lying.size = 10

    with pytest.raises(UploadError, match="图片大小不能超过 300 KB"):
        image_upload(lying, max_bytes=LIMIT, formats=FORMATS, max_pixels=PIXELS)
