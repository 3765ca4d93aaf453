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


def test_counselor_signs_with_her_name_and_the_time(world, notice, sheet):
    done_everything(world.alice_record)
    done_everything(world.bob_record)
    notice.window_end = timezone.now() - datetime.timedelta(hours=1)
    notice.save()

    response = _post(world.counselor, sheet, "sign")  # a true sheet: signed at once

    sheet.refresh_from_db()
    assert response.status_code == 200
    assert sheet.counselor_signed_by == world.counselor
    assert sheet.counselor_name == world.counselor.get_full_name()
    assert sheet.counselor_signed_at is not None
    assert AuditEvent.objects.filter(action="notices.sheet_signed").exists()


def test_signing_a_sheet_that_is_not_true_yet_says_why_and_asks_again(world, sheet):
    response = _post(world.counselor, sheet, "sign")

    page = response.content.decode()
    sheet.refresh_from_db()
    assert not sheet.is_signed
    assert "本班还有 2 名学生未完成校对" in page and "校对时间尚未结束" in page
    assert 'name="acknowledged" value="1"' in page

    _post(world.counselor, sheet, "sign", {"acknowledged": "1"})

    sheet.refresh_from_db()
    assert sheet.is_signed
    event = AuditEvent.objects.get(action="notices.sheet_signed")
    assert "未完成校对" in event.reason  # what she was told, with her signature


def test_the_rows_follow_the_students_until_the_college_countersigns(world, sheet):
    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)
    done_everything(world.alice_record)
    counselor = csrf_client(world.counselor)

    page = counselor.get(f"/notices/sheets/{sheet.pk}/").content.decode()

    table = page.split('class="data sheet-table"')[1].split("</table>")[0]
    assert "无误" in table  # alice's row as she stands now, not as signed
    assert "签名后有变化（1 名学生）" in page and "重新签名" in page
    refused = _post(world.college_staff, sheet, "countersign", {"opinion": "同意"})
    assert "请辅导员重新签名后再复核" in refused.content.decode()
    sheet.refresh_from_db()
    assert not sheet.is_handed_in

    _post(world.counselor, sheet, "sign", {"acknowledged": "1"})  # signs again
    _post(world.college_staff, sheet, "countersign", {"opinion": "同意"})

    sheet.refresh_from_db()
    assert sheet.is_handed_in
    assert AuditEvent.objects.filter(action="notices.sheet_signed").count() == 2


def test_a_handed_in_sheet_never_changes_and_a_later_change_shows_beside_it(world, sheet):
    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)
    sheet_countersign(sheet=sheet, by=world.college_staff)
    done_everything(world.bob_record)

    page = csrf_client(world.college_staff).get(f"/notices/sheets/{sheet.pk}/").content.decode()

    table = page.split('class="data sheet-table"')[1].split("</table>")[0]
    bob_row = table.split("王强")[1].split("</tr>")[0]
    assert "无误" not in bob_row  # as handed in
    assert "交表后有变化（1 名学生）" in page
    changes = page.split("交表后有变化")[1].split("</table>")[0]
    assert "王强" in changes and "无误" in changes


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
    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)

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
    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)
    sheet_countersign(sheet=sheet, by=world.college_staff)

    sheet.refresh_from_db()
    assert sheet.is_late()
    page = csrf_client(world.registrar).get(f"/notices/{notice.pk}/progress/").content.decode()
    assert "已上交" in page and "逾期" in page


def test_registrar_can_list_classes_that_have_not_handed_in(client_for, world, notice, sheet):
    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)
    sheet_countersign(sheet=sheet, by=world.college_staff)

    page = client_for(world.registrar).get(f"/notices/{notice.pk}/progress/?sheets=missing")

    body = page.content.decode().split('id="by-class"')[1]
    assert world.class_a.name not in body
    assert world.class_b.name in body


def test_counselor_takes_her_signature_back_before_the_college_countersigns(world, sheet):
    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)

    _post(world.counselor, sheet, "unsign")

    sheet.refresh_from_db()
    assert not sheet.is_signed and sheet.signed_rows is None


def test_a_handed_in_sheet_cannot_be_unsigned(world, sheet):
    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)
    sheet_countersign(sheet=sheet, by=world.college_staff)

    response = _post(world.counselor, sheet, "unsign")

    sheet.refresh_from_db()
    assert sheet.is_signed
    assert "不能撤回签名" in response.content.decode()
