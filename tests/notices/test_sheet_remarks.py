"""Words the monitor or the counselor add to rows of the sheet."""

import pytest

from notices.models import FeedbackRemark
from notices.services.sheets import sheet_sign
from portal.lib.models import AuditEvent
from tests.notices.conftest import csrf_client, csrf_post


def _url(sheet):
    return f"/notices/sheets/{sheet.pk}/remarks/"


@pytest.mark.parametrize("persona", ["alice", "counselor"])
def test_monitor_and_counselor_add_words_to_a_row(world, sheet, persona):
    client = csrf_client(world.persona(persona))

    response = csrf_post(client, _url(sheet), {f"remark_{world.bob_record.pk}": "已到教务处办理"})

    assert response.status_code == 302
    remark = FeedbackRemark.objects.get(sheet=sheet, record=world.bob_record)
    assert remark.text == "已到教务处办理"
    assert AuditEvent.objects.filter(action="notices.sheet_remark").exists()


def test_the_words_show_in_the_sheet_row(client_for, world, sheet):
    FeedbackRemark.objects.create(
        sheet=sheet, record=world.bob_record, text="病假，返校后补", author=world.alice
    )

    page = client_for(world.counselor).get(f"/notices/sheets/{sheet.pk}/").content.decode()

    assert "病假，返校后补" in page


def test_without_csrf_token_nothing_is_saved(world, sheet):
    client = csrf_client(world.alice)

    response = client.post(_url(sheet), {f"remark_{world.bob_record.pk}": "x"})

    assert response.status_code == 403
    assert not FeedbackRemark.objects.exists()


def test_college_staff_may_read_but_not_write(world, sheet):
    client = csrf_client(world.college_staff)

    response = csrf_post(client, _url(sheet), {f"remark_{world.bob_record.pk}": "x"})

    assert response.status_code == 403


def test_a_student_of_another_class_is_refused(world, sheet):
    client = csrf_client(world.dave)

    response = csrf_post(client, _url(sheet), {f"remark_{world.carol_record.pk}": "x"})

    assert response.status_code == 404


def test_a_row_of_another_class_is_refused(world, sheet):
    client = csrf_client(world.alice)

    csrf_post(client, _url(sheet), {f"remark_{world.carol_record.pk}": "x"})

    assert not FeedbackRemark.objects.exists()


def test_empty_words_remove_the_remark(world, sheet):
    FeedbackRemark.objects.create(
        sheet=sheet, record=world.bob_record, text="x", author=world.alice
    )
    client = csrf_client(world.alice)

    csrf_post(client, _url(sheet), {f"remark_{world.bob_record.pk}": "  "})

    assert not FeedbackRemark.objects.exists()


def test_a_signed_sheet_takes_no_more_words(world, sheet):
    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)
    client = csrf_client(world.alice)

    response = csrf_post(client, _url(sheet), {f"remark_{world.bob_record.pk}": "x"}, follow=True)

    assert "辅导员已签名" in response.content.decode()
    assert not FeedbackRemark.objects.exists()
