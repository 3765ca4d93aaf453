"""正确 / 有误 on the student's own record."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from portal.lib.models import AuditEvent
from records.models import (
    DiscrepancyReport,
    EnrollmentRecord,
    RecordConfirmation,
    RecordStatus,
    ReportState,
)


def _report(client, record, upload, **fields):
    data = {
        "wrong_ethnicity": "on",
        "value_ethnicity": "回族",
        "explanation": "户口本为回族",
        "kind_0": "hukou",
    }
    data.update(fields)
    data["file_0"] = upload
    return client.post(f"/records/{record.pk}/report/", data)


def test_confirm_asks_a_second_time_before_recording(client_for, world):
    client = client_for(world.alice)

    page = client.get(f"/records/{world.alice_record.pk}/confirm/").content.decode()

    assert "确认学籍信息正确？" in page
    assert not RecordConfirmation.objects.exists()


def test_confirming_records_one_confirmation_even_when_clicked_twice(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    client.get("/records/mine/")
    token = client.cookies["csrftoken"].value

    for _ in range(2):
        client.post(f"/records/{world.alice_record.pk}/confirm/", {"csrfmiddlewaretoken": token})

    assert RecordConfirmation.objects.filter(record=world.alice_record).count() == 1
    assert AuditEvent.objects.filter(action="records.confirmed").count() == 1


def test_confirm_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)

    assert client.post(f"/records/{world.alice_record.pk}/confirm/").status_code == 403
    assert not RecordConfirmation.objects.exists()


def test_a_student_cannot_confirm_a_classmates_record(client_for, world):
    response = client_for(world.alice).post(f"/records/{world.bob_record.pk}/confirm/")

    assert response.status_code == 404
    assert not RecordConfirmation.objects.exists()


def test_reporting_an_error_with_a_pdf_files_the_report(client_for, world, pdf_upload):
    client = client_for(world.alice)

    response = _report(client, world.alice_record, pdf_upload())

    assert response.status_code == 302
    report = DiscrepancyReport.objects.get()
    item = report.items.get()
    assert (item.field, item.current_value, item.claimed_value) == ("ethnicity", "汉族", "回族")
    evidence = report.evidence.get()
    assert evidence.content_type == "application/pdf"
    assert evidence.file.name.startswith(f"evidence/{report.pk}/")
    assert "hukou" not in evidence.file.name  # the stored name is ours
    page = client.get("/records/mine/").content.decode()
    assert "已报有误，待处理" in page


def test_a_report_needs_evidence(client_for, world):
    client = client_for(world.alice)

    response = client.post(
        f"/records/{world.alice_record.pk}/report/",
        {"wrong_ethnicity": "on", "value_ethnicity": "回族"},
    )

    # 民族 is corrected on the household register (records.rules.policy), said at the field.
    assert "更正民族需上传：户口本" in response.content.decode()
    assert not DiscrepancyReport.objects.exists()


def test_a_report_needs_a_ticked_field_with_a_different_value(client_for, world, pdf_upload):
    client = client_for(world.alice)

    same = _report(client, world.alice_record, pdf_upload(), value_ethnicity="汉族")

    assert "与现有信息相同" in same.content.decode()
    assert not DiscrepancyReport.objects.exists()


@pytest.mark.parametrize(
    "content",
    [b"<html><script>alert(1)</script></html>", b"MZ\x90\x00 not a scan", b""],
    ids=["html", "exe", "empty"],
)
def test_evidence_that_is_neither_image_nor_pdf_is_refused(client_for, world, content):
    client = client_for(world.alice)

    response = _report(client, world.alice_record, SimpleUploadedFile("scan.pdf", content))

    page = response.content.decode()
    assert "仅支持图片" in page or "所提交的是空文件" in page
    assert not DiscrepancyReport.objects.exists()


def test_bytes_appended_to_a_pdf_do_not_survive(client_for, world, pdf_upload):
    client = client_for(world.alice)

    _report(client, world.alice_record, pdf_upload(extra=b"<html>payload</html>"))

    stored = DiscrepancyReport.objects.get().evidence.get().file.read()
    assert b"payload" not in stored
    assert stored.startswith(b"%PDF-")


def test_reporting_revokes_an_earlier_confirmation(client_for, world, pdf_upload):
    client = client_for(world.alice)
    client.post(f"/records/{world.alice_record.pk}/confirm/")

    _report(client, world.alice_record, pdf_upload())

    assert not RecordConfirmation.objects.filter(revoked_at__isnull=True).exists()


def test_a_report_can_be_withdrawn_until_decided(client_for, world, pdf_upload):
    client = client_for(world.alice)
    _report(client, world.alice_record, pdf_upload())
    report = DiscrepancyReport.objects.get()

    client.post(f"/records/reports/{report.pk}/withdraw/")

    report.refresh_from_db()
    assert report.state == ReportState.WITHDRAWN


def test_reports_after_the_correction_deadline_are_refused(
    client_for, world, pdf_upload, deadline_passed
):

    response = _report(client_for(world.alice), world.alice_record, pdf_upload())

    assert "逾期不再办理" in response.content.decode()
    assert not DiscrepancyReport.objects.exists()


def test_the_evidence_file_is_private(client_for, world, pdf_upload):
    _report(client_for(world.alice), world.alice_record, pdf_upload())
    token = DiscrepancyReport.objects.get().evidence.get().token

    assert client_for(world.bob).get(f"/records/evidence/{token}/").status_code == 404
    response = client_for(world.registrar).get(f"/records/evidence/{token}/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")


# Records that are not self-checked (records.self_check): 未注册, 已毕业, and those whose
# 学籍状态 ends the study. The page offers no 正确 / 有误 and says why; the services refuse.

ENDED = [
    RecordStatus.WITHDRAWN,
    RecordStatus.EXPELLED,
    RecordStatus.COMPLETED,
    RecordStatus.INCOMPLETE,
]
NOT_CHECKED = [*ENDED, RecordStatus.UNREGISTERED, RecordStatus.GRADUATED]


def _set_status(record, status):
    EnrollmentRecord.objects.filter(pk=record.pk).update(status=status)


@pytest.mark.parametrize("status", ENDED)
def test_an_ended_record_shows_no_buttons_and_says_why(client_for, world, status):
    _set_status(world.alice_record, status)

    page = client_for(world.alice).get("/records/mine/").content.decode()

    label = RecordStatus(status).label
    assert f"该学籍状态为“{label}”，学籍已终止，无需校对。如有疑问请联系学校学籍管理部门。" in page
    assert f"/records/{world.alice_record.pk}/confirm/" not in page
    assert f"/records/{world.alice_record.pk}/report/" not in page


def test_a_graduated_record_shows_no_buttons_and_says_why(client_for, world):
    _set_status(world.alice_record, RecordStatus.GRADUATED)

    page = client_for(world.alice).get("/records/mine/").content.decode()

    assert "信息已连接到电子学历，无需校对" in page
    assert f"/records/{world.alice_record.pk}/confirm/" not in page


@pytest.mark.parametrize("status", [RecordStatus.SUSPENDED, RecordStatus.RESERVED])
def test_a_suspended_or_reserved_record_keeps_its_buttons(client_for, world, status):
    """休学 and 保留学籍 keep the 学籍: the student still checks it."""
    _set_status(world.alice_record, status)

    page = client_for(world.alice).get("/records/mine/").content.decode()

    assert f"/records/{world.alice_record.pk}/confirm/" in page
    assert "无需校对" not in page


@pytest.mark.parametrize("status", NOT_CHECKED)
def test_confirming_a_record_that_is_not_checked_is_refused_with_the_reason(
    client_for, world, status
):
    _set_status(world.alice_record, status)
    client = client_for(world.alice)

    response = client.post(f"/records/{world.alice_record.pk}/confirm/", follow=True)

    page = response.content.decode()
    assert "无需校对" in page or "注册后才能校对" in page
    assert "已确认：学籍信息正确" not in page
    assert not RecordConfirmation.objects.exists()
    assert not AuditEvent.objects.filter(action="records.confirmed").exists()


@pytest.mark.parametrize("status", NOT_CHECKED)
def test_reporting_a_record_that_is_not_checked_is_refused_with_the_reason(
    client_for, world, pdf_upload, status
):
    _set_status(world.alice_record, status)

    response = _report(client_for(world.alice), world.alice_record, pdf_upload())

    page = response.content.decode()
    assert "无需校对" in page or "注册后才能校对" in page
    assert not DiscrepancyReport.objects.exists()


def test_the_confirm_dialog_of_an_ended_record_says_why_instead(client_for, world):
    _set_status(world.alice_record, RecordStatus.WITHDRAWN)

    response = client_for(world.alice).get(
        f"/records/{world.alice_record.pk}/confirm/", follow=True
    )

    page = response.content.decode()
    assert "确认学籍信息正确？" not in page
    assert "该学籍状态为“退学”，学籍已终止" in page


def test_an_ended_record_is_not_a_todo_on_the_home_page(client_for, world):
    client = client_for(world.alice)
    client.get("/records/mine/")  # she has looked
    _set_status(world.alice_record, RecordStatus.WITHDRAWN)

    page = client.get("/").content.decode()

    assert "请查看并核对本人学籍信息" not in page


def test_her_open_report_names_each_field_she_reported(client_for, world, pdf_upload):
    client = client_for(world.alice)
    _report(client, world.alice_record, pdf_upload())

    page = client.get("/records/mine/").content.decode()

    assert "民族：汉族 → 回族" in page


def test_the_registrar_reads_the_evidence_kind_in_words(client_for, world, pdf_upload, jpeg_upload):
    """户口本（PDF，…） and （图片，…）, not a raw MIME type (the 375 px walk)."""
    _report(client_for(world.alice), world.alice_record, pdf_upload())
    _report(client_for(world.bob), world.bob_record, jpeg_upload())
    registrar = client_for(world.registrar)

    pages = [
        registrar.get(f"/records/queue/{report.pk}/").content.decode()
        for report in DiscrepancyReport.objects.order_by("pk")
    ]

    assert "（PDF，" in pages[0] and "（图片，" in pages[1]
    assert not [page for page in pages if "application/pdf" in page or "image/jpeg" in page]
