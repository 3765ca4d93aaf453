"""PDF evidence and notice attachments keep their pages, text and plain web links, and
lose everything that acts: document and page /AA, /OpenAction, JavaScript (names,
links, chained actions, outlines, custom page keys, a kept link's action, a popup's
widget, form XObjects and resources), Launch, GoToR, GoToE, SubmitForm, ImportData,
AcroForm with XFA, embedded files and file-attachment annotations. The stored file is
reparsed and every object it holds is walked."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from notices.models import NoticeAttachment, NoticeState
from portal.lib.uploads import UploadError, pdf_upload
from records.models import DiscrepancyReport
from tests.notices.conftest import csrf_client, csrf_post, make_notice
from tests.portal.hostile_pdf import (
    FEATURE_LINKS,
    FEATURES,
    FORM_TEXT,
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
    assert sorted(links) == sorted([SAFE_URL, *FEATURE_LINKS.values()])


def test_the_rebuilt_page_holds_only_what_shows_it_and_fresh_links():
    import io

    from pypdf import PdfReader

    hostile = hostile_pdf(*FEATURES)
    clean = pdf_upload(_upload(hostile), max_bytes=5 * 1024 * 1024)

    page = PdfReader(io.BytesIO(clean.content)).pages[0]
    assert set(page) <= {
        "/Type", "/Parent", "/MediaBox", "/CropBox", "/Rotate", "/Resources", "/Contents",
        "/Annots",
    }  # fmt: skip
    assert set(page["/Resources"]) <= {"/Font", "/XObject", "/ProcSet"}
    for annot in page["/Annots"]:
        annot = annot.get_object()
        assert set(annot) == {"/Type", "/Subtype", "/Rect", "/Border", "/A"}
        assert annot["/Subtype"] == "/Link"
        assert set(annot["/A"]) == {"/S", "/URI"} and annot["/A"]["/S"] == "/URI"


def test_text_drawn_by_a_form_xobject_survives_without_its_actions():
    clean = pdf_upload(
        _upload(hostile_pdf("form_xobject_carrying_actions")), max_bytes=5 * 1024 * 1024
    )

    text, _links = page_text_and_links(clean.content)
    assert TEXT in text and FORM_TEXT in text
    assert acting_parts(clean.content) == []


def test_a_link_to_anything_but_the_web_or_mail_is_not_kept():
    from tests.portal.hostile_pdf import page_with_links

    urls = ["https://a.example/", "mailto:xj@example.edu.cn", "file:///etc/passwd",
            "ftp://x.example/", "HTTP://B.EXAMPLE/", "https://c.example/\x07"]  # fmt: skip
    clean = pdf_upload(_upload(page_with_links(urls)), max_bytes=5 * 1024 * 1024)

    _text, links = page_text_and_links(clean.content)
    assert sorted(links) == sorted(
        [SAFE_URL, "https://a.example/", "mailto:xj@example.edu.cn", "HTTP://B.EXAMPLE/"]
    )


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


def test_an_acting_name_used_as_a_key_is_not_copied():
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            # A key the spec never gives a font, holding a harmless-looking value.
            NameObject("/RichMedia"): TextStringObject("player.swf"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    assert b"/RichMedia" in buffer.getvalue()

    clean = pdf_upload(_upload(buffer.getvalue()), max_bytes=5 * 1024 * 1024)

    assert b"/RichMedia" not in clean.content
    assert b"player.swf" not in clean.content
    assert b"/Helvetica" in clean.content
