"""The exported sheet printed to PDF by LibreOffice: A4 pages as designed in
notices/exports.py (27 data rows a page: 25 students fit one page, 40 take two, and the
header rows repeat on the second page)."""

import shutil
import subprocess

import pytest

from notices.exports import FeedbackWorkbook
from notices.feedback import class_rows
from tests.notices.conftest import bulk_class, bulk_student

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) not installed: apt-get install libreoffice-calc-nogui",
)


def _pdf(tmp_path, notice, school_class) -> bytes:
    book = FeedbackWorkbook(notice)
    book.add_class(school_class, class_rows(notice, school_class), None)
    source = tmp_path / "sheet.xlsx"
    book.save(source)
    subprocess.run(
        [
            SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to", "pdf", "--outdir", str(tmp_path), str(source),
        ],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return (tmp_path / "sheet.pdf").read_bytes()


def _pages(pdf: bytes):
    import io

    from pypdf import PdfReader

    return PdfReader(io.BytesIO(pdf)).pages


def _class_of(world, size: int):
    klass = bulk_class(world.class_a.college)
    for _ in range(size):
        bulk_student(klass, with_account=False)
    return klass


@pytest.mark.parametrize(("students", "pages"), [(25, 1), (40, 2)])
def test_a_class_prints_on_the_designed_number_of_a4_pages(
    world, notice, tmp_path, students, pages
):
    pdf = _pages(_pdf(tmp_path, notice, _class_of(world, students)))

    assert len(pdf) == pages
    width, height = float(pdf[0].mediabox.width), float(pdf[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 portrait, in points


def test_the_header_repeats_on_every_page(world, notice, tmp_path):
    pdf = _pages(_pdf(tmp_path, notice, _class_of(world, 40)))

    assert "本人签名" in pdf[1].extract_text()
