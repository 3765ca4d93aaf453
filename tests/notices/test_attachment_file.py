"""Downloading a notice's attachments: public ones for anyone once published, private
ones for the people of the institution; always under a generated name."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from notices.models import NoticeState
from notices.services.notices import attachment_add
from tests.notices.conftest import make_notice


def _attach(world, notice, *, is_public):
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    upload = SimpleUploadedFile("附件1.pdf", buffer.getvalue())
    return attachment_add(
        notice=notice, by=world.registrar, title="操作流程", upload=upload, is_public=is_public
    )


def _url(attachment):
    return f"/notices/attachments/{attachment.token}/"


def test_a_public_attachment_downloads_for_anyone(client, world, notice):
    attachment = _attach(world, notice, is_public=True)

    response = client.get(_url(attachment))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"notice-{notice.pk}-{attachment.pk}.pdf" in disposition


def test_a_private_attachment_needs_a_log_in(client, world, notice):
    attachment = _attach(world, notice, is_public=False)

    assert client.get(_url(attachment)).status_code == 404
    client.force_login(world.alice)
    assert client.get(_url(attachment)).status_code == 200


@pytest.mark.parametrize("persona", ["other_registrar", "reviewer"])
def test_a_private_attachment_stays_within_the_institution(client_for, world, notice, persona):
    attachment = _attach(world, notice, is_public=False)

    assert client_for(world.persona(persona)).get(_url(attachment)).status_code == 404


def test_a_drafts_attachment_is_for_the_registrar_only(client_for, world):
    draft = make_notice(world, state=NoticeState.DRAFT)
    attachment = _attach(world, draft, is_public=True)

    assert client_for(world.alice).get(_url(attachment)).status_code == 404
    assert client_for(world.registrar).get(_url(attachment)).status_code == 200


def test_the_notice_page_lists_its_attachments(client, world, notice):
    _attach(world, notice, is_public=True)
    _attach(world, notice, is_public=False)

    page = client.get(f"/notices/{notice.pk}/").content.decode()

    assert page.count("操作流程") == 2
    assert "登录后下载" in page
