"""Attachments: operation guides and blank forms, checked by content."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from notices.errors import NoticeError
from notices.models import NoticeAttachment, NoticeState
from notices.services.notices import attachment_add
from tests.notices.conftest import csrf_client, csrf_post, make_notice


def _pdf(extra=b""):
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile("guide.pdf", buffer.getvalue() + extra)


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "PNG")
    return SimpleUploadedFile("step1.png", buffer.getvalue())


def _office(entries: dict[str, bytes], name="form.docx"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry, content in entries.items():
            archive.writestr(entry, content)
    return SimpleUploadedFile(name, buffer.getvalue())


DOCX = {
    "[Content_Types].xml": b'<Types><Override ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    "word/document.xml": b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
}


@pytest.fixture
def draft(world):
    return make_notice(world, state=NoticeState.DRAFT)


def _add(world, notice, upload, **fields):
    return attachment_add(
        notice=notice, by=world.registrar, title="附件 1", upload=upload, is_public=True, **fields
    )


def test_a_pdf_is_stored_rewritten(world, draft):
    attachment = _add(world, draft, _pdf(extra=b"<script>trailing payload</script>"))

    assert (attachment.extension, attachment.content_type) == (".pdf", "application/pdf")
    stored = attachment.file.read()
    assert stored.startswith(b"%PDF-") and b"trailing payload" not in stored


def test_an_image_is_re_encoded(world, draft):
    attachment = _add(world, draft, _png())

    assert attachment.content_type == "image/png"


def test_a_docx_form_is_accepted(world, draft):
    attachment = _add(world, draft, _office(DOCX))

    assert attachment.extension == ".docx"
    assert attachment.file.name.endswith(".docx") and "form" not in attachment.file.name


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({**DOCX, "word/vbaProject.bin": b"x"}, "宏"),
        ({**DOCX, "../../evil.txt": b"x"}, "结构异常"),
        ({"[Content_Types].xml": b"<Types/>", "hello.txt": b"x"}, "无法识别"),
    ],
)
def test_unsafe_or_unknown_office_files_are_refused(world, draft, entries, message):
    with pytest.raises(NoticeError, match=message):
        _add(world, draft, _office(entries))


def test_a_macro_enabled_content_type_is_refused(world, draft):
    entries = {
        **DOCX,
        "[Content_Types].xml": b'<Types ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>',
    }

    with pytest.raises(NoticeError, match="宏"):
        _add(world, draft, _office(entries))


def test_other_files_are_refused(world, draft):
    with pytest.raises(NoticeError, match="仅支持"):
        _add(world, draft, SimpleUploadedFile("run.exe", b"MZ\x90\x00rest"))


def test_the_size_limit_is_checked_before_reading(world, draft):
    upload = _pdf()
    upload.size = 11 * 1024 * 1024

    with pytest.raises(NoticeError, match="10 MB"):
        _add(world, draft, upload)


def test_upload_through_the_page_needs_csrf(world, draft):
    client = csrf_client(world.registrar)
    data = {"title": "附件 1 操作流程", "file": _pdf(), "is_public": "on"}

    refused = client.post(f"/notices/manage/{draft.pk}/attachments/", data)
    data["file"] = _pdf()
    accepted = csrf_post(client, f"/notices/manage/{draft.pk}/attachments/", data)

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert NoticeAttachment.objects.get().title == "附件 1 操作流程"


def test_the_registrar_deletes_an_attachment(world, draft):
    attachment = _add(world, draft, _pdf())
    client = csrf_client(world.registrar)

    csrf_post(client, f"/notices/manage/attachments/{attachment.token}/delete/")

    assert not NoticeAttachment.objects.exists()
