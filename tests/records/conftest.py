import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter


@pytest.fixture(autouse=True)
def _clear_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pdf_upload():
    def make(name="hukou.pdf", extra=b""):
        writer = PdfWriter()
        writer.add_blank_page(595, 842)
        buffer = io.BytesIO()
        writer.write(buffer)
        return SimpleUploadedFile(name, buffer.getvalue() + extra, content_type="application/pdf")

    return make


@pytest.fixture
def jpeg_upload():
    def make(name="id.jpg"):
        buffer = io.BytesIO()
        Image.new("RGB", (120, 80), (240, 240, 240)).save(buffer, "JPEG")
        return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")

    return make
