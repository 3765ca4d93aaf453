import datetime
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter

from notices.models import Notice, NoticeAudience, NoticeState, NoticeTask
from tests.clients import csrf_post
from tests.records.roster_files import write_roster


@pytest.fixture(autouse=True)
def _clear_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def roster(tmp_path):
    """roster([rows], header=…, title_rows=…) -> path of a fresh .xlsx."""
    count = iter(range(1000))

    def write(rows, **options):
        return write_roster(tmp_path / f"roster{next(count)}.xlsx", rows, **options)

    return write


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


@pytest.fixture
def deadline_passed(world):
    """A published record-check notice for Alice's cohort whose correction deadline was
    yesterday (seed 002: 逾期不再办理信息更改手续)."""
    now = timezone.now()
    notice = Notice.objects.create(
        institution=world.institution,
        number="23-106",
        title="关于开展2023级新生自查学籍信息工作的通知",
        issuing_office="教务处",
        issue_date=datetime.date(2026, 10, 23),
        body="……",
        task=NoticeTask.RECORD_CHECK,
        window_start=now - datetime.timedelta(days=30),
        window_end=now - datetime.timedelta(days=2),
        correction_deadline=now - datetime.timedelta(days=1),
        state=NoticeState.PUBLISHED,
        created_by=world.registrar,
    )
    NoticeAudience.objects.create(notice=notice, cohort=world.alice_record.admission_year)
    return notice


def edit_record(client, record, *, reason: str = "核对户口本", **changes):
    """The registrar's direct edit (修改学籍), as a browser sends it: open the form, keep
    every value it shows, type `changes` and the `reason` over them, send it (with the
    CSRF token, so a CSRF-enforcing client is served too)."""
    url = f"/records/{record.pk}/edit/"
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    return csrf_post(client, url, {**data, **changes, "reason": reason})
