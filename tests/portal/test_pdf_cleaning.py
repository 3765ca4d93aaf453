"""PDF evidence and notice attachments keep their pages, text and plain web links, and
lose everything that acts: document and page /AA, /OpenAction, JavaScript (names,
links, chained actions, outlines), Launch, GoToR, SubmitForm, ImportData, AcroForm with
XFA, embedded files and file-attachment annotations. The stored file is reparsed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from notices.models import NoticeAttachment, NoticeState
from portal.uploads import UploadError, pdf_upload
from records.models import DiscrepancyReport
from tests.notices.conftest import csrf_client, csrf_post, make_notice
from tests.portal.hostile_pdf import (
    FEATURES,
    SAFE_URL,
    TEXT,
    acting_parts,
    hostile_pdf,
    page_text_and_links,
)


def _upload(data: bytes, name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _assert_clean(stored: bytes) -> None:
    assert stored.startswith(b"%PDF-")
    assert acting_parts(stored) == []
    text, links = page_text_and_links(stored)
    assert TEXT in text
    assert SAFE_URL in links


@pytest.mark.parametrize("feature", FEATURES)
def test_each_acting_part_is_found_in_the_hostile_file_and_gone_after_cleaning(feature):
    hostile = hostile_pdf(feature)
    assert acting_parts(hostile), "the hostile file must hold what the test looks for"

    clean = pdf_upload(_upload(hostile), max_bytes=5 * 1024 * 1024)

    assert clean.pages == 1
    _assert_clean(clean.content)


def test_only_web_and_mail_links_stay(db):
    clean = pdf_upload(_upload(hostile_pdf(*FEATURES)), max_bytes=5 * 1024 * 1024)

    _text, links = page_text_and_links(clean.content)
    assert sorted(links) == sorted([SAFE_URL, "https://example.org/", "https://example.net/"])


def test_an_encrypted_pdf_is_refused_with_what_to_do():
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(hostile_pdf())))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)

    with pytest.raises(UploadError, match="请上传未加密的扫描件"):
        pdf_upload(_upload(out.getvalue()), max_bytes=5 * 1024 * 1024)


def test_hostile_pdf_evidence_is_stored_without_anything_that_acts(
    client_for, world, private_media
):
    client = client_for(world.alice)
    data = {
        "wrong_ethnicity": "on",
        "value_ethnicity": "回族",
        "explanation": "户口本为回族",
        "kind_0": "hukou",
        "file_0": _upload(hostile_pdf(*FEATURES)),
    }

    response = client.post(f"/records/{world.alice_record.pk}/report/", data)

    assert response.status_code == 302
    _assert_clean(DiscrepancyReport.objects.get().evidence.get().file.read())


def test_hostile_pdf_attachment_is_stored_without_anything_that_acts(world, private_media):
    draft = make_notice(world, state=NoticeState.DRAFT)
    client = csrf_client(world.registrar)
    data = {"title": "附件 1 操作流程", "file": _upload(hostile_pdf(*FEATURES)), "is_public": "on"}

    response = csrf_post(client, f"/notices/manage/{draft.pk}/attachments/", data)

    assert response.status_code == 302
    _assert_clean(NoticeAttachment.objects.get().file.read())
