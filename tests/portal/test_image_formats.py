"""portal.lib.uploads.image_upload hands an upload only to the Pillow plugins of the formats
the form accepts: a header of any other format is never parsed by its plugin (Pillow
has dozens, of uneven care), and the file is refused with a message."""

import io

import pytest
from PIL import Image, ImageFile

from portal.lib.uploads import UploadError, image_upload
from tests.accounts.helpers import upload

FORMATS = {"JPEG", "PNG", "GIF"}


@pytest.fixture
def probe():
    """A Pillow plugin registered last, as any third-party one would be: it records every
    file handed to it and accepts none."""
    handed: list[bytes] = []

    class ProbeImageFile(ImageFile.ImageFile):
        format = "PROBE"

    def accept(prefix: bytes) -> bool:
        handed.append(prefix)
        return False

    Image.init()
    Image.register_open(ProbeImageFile.format, ProbeImageFile, accept)
    yield handed
    Image.OPEN.pop(ProbeImageFile.format)
    Image.ID.remove(ProbeImageFile.format)


def refusal(data: bytes, name: str) -> str:
    with pytest.raises(UploadError) as refused:
        image_upload(
            upload(data, name), max_bytes=300 * 1024, formats=FORMATS, max_pixels=1_000_000
        )
    return refused.value.message


def image_of(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(("fmt", "name"), [("TGA", "a.tga"), ("PCX", "a.pcx"), ("ICO", "a.ico")])
def test_an_image_of_a_format_not_accepted_is_refused(fmt, name):
    assert "请" in refusal(image_of(fmt), name)


def test_a_file_no_accepted_plugin_opens_is_never_handed_to_the_others(probe):
    message = refusal(b"\x00" * 64, "a.jpg")

    assert "无法打开该图片" in message
    assert probe == []


def test_a_good_photo_still_passes(probe):
    kept = image_upload(
        upload(image_of("JPEG"), "a.jpg"),
        max_bytes=300 * 1024,
        formats=FORMATS,
        max_pixels=1_000_000,
    )

    assert kept.format == "JPEG"
