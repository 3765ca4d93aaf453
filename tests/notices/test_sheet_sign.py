"""The counselor signs, the college leader countersigns, the sheet counts as handed in;
after the deadline it is marked 逾期."""

import datetime

import pytest
from django.utils import timezone

from notices.services.sheets import sheet_countersign, sheet_sign
from portal.lib.models import AuditEvent
from tests.notices.conftest import csrf_client, csrf_post, done_everything


def _post(user, sheet, action, data=None):
    client = csrf_client(user)
    return csrf_post(client, f"/notices/sheets/{sheet.pk}/{action}/", data, follow=True)


def test_counselor_signs_with_her_name_and_the_time(world, sheet):
    response = _post(world.counselor, sheet, "sign")

    sheet.refresh_from_db()
    assert response.status_code == 200
    assert sheet.counselor_signed_by == world.counselor
    assert sheet.counselor_name == world.counselor.get_full_name()
    assert sheet.counselor_signed_at is not None
    assert AuditEvent.objects.filter(action="notices.sheet_signed").exists()


def test_signing_keeps_the_rows_as_they_were(world, sheet):
    sheet_sign(sheet=sheet, by=world.counselor)
    done_everything(world.alice_record)

    page = csrf_client(world.counselor).get(f"/notices/sheets/{sheet.pk}/").content.decode()

    sheet_part = page.split('id="sheet-heading"')[1]
    assert "无误" not in sheet_part.split('id="sign-heading"')[0]
    assert "签名时的反馈表内容" in page


def test_signing_needs_the_csrf_token(world, sheet):
    client = csrf_client(world.counselor)

    assert client.post(f"/notices/sheets/{sheet.pk}/sign/").status_code == 403
    sheet.refresh_from_db()
    assert not sheet.is_signed


@pytest.mark.parametrize("persona", ["alice", "college_staff", "registrar"])
def test_only_the_counselor_signs(world, sheet, persona):
    client = csrf_client(world.persona(persona))

    response = csrf_post(client, f"/notices/sheets/{sheet.pk}/sign/")

    assert response.status_code == 403


def test_college_leader_countersigns_and_the_sheet_is_handed_in(world, sheet):
    sheet_sign(sheet=sheet, by=world.counselor)

    _post(world.college_staff, sheet, "countersign", {"opinion": "情况属实"})

    sheet.refresh_from_db()
    assert sheet.is_handed_in and sheet.leader_signed_by == world.college_staff
    assert sheet.leader_opinion == "情况属实"
    assert not sheet.is_late()


def test_countersigning_before_the_counselor_is_refused(world, sheet):
    response = _post(world.college_staff, sheet, "countersign", {"opinion": ""})

    sheet.refresh_from_db()
    assert not sheet.is_handed_in
    assert "请等辅导员签名后再复核" in response.content.decode()


def test_a_sheet_handed_in_after_the_deadline_is_late(world, notice, sheet):
    notice.sheet_deadline = timezone.now() - datetime.timedelta(hours=1)
    notice.window_end = notice.sheet_deadline - datetime.timedelta(days=1)
    notice.save()
    sheet_sign(sheet=sheet, by=world.counselor)
    sheet_countersign(sheet=sheet, by=world.college_staff)

    sheet.refresh_from_db()
    assert sheet.is_late()
    page = csrf_client(world.registrar).get(f"/notices/{notice.pk}/progress/").content.decode()
    assert "已上交" in page and "逾期" in page


def test_registrar_can_list_classes_that_have_not_handed_in(client_for, world, notice, sheet):
    sheet_sign(sheet=sheet, by=world.counselor)
    sheet_countersign(sheet=sheet, by=world.college_staff)

    page = client_for(world.registrar).get(f"/notices/{notice.pk}/progress/?sheets=missing")

    body = page.content.decode().split('id="by-class"')[1]
    assert world.class_a.name not in body
    assert world.class_b.name in body


def test_counselor_takes_her_signature_back_before_the_college_countersigns(world, sheet):
    sheet_sign(sheet=sheet, by=world.counselor)

    _post(world.counselor, sheet, "unsign")

    sheet.refresh_from_db()
    assert not sheet.is_signed and sheet.signed_rows is None


def test_a_handed_in_sheet_cannot_be_unsigned(world, sheet):
    sheet_sign(sheet=sheet, by=world.counselor)
    sheet_countersign(sheet=sheet, by=world.college_staff)

    response = _post(world.counselor, sheet, "unsign")

    sheet.refresh_from_db()
    assert sheet.is_signed
    assert "不能撤回签名" in response.content.decode()
