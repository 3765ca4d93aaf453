"""The notice a 正确 or a 有误 is made under: records asks notices for the current
record-check notice (records.campaign) and notices keeps the link (notices.links); the
correction deadline of that notice refuses a late 有误 in the service itself."""

import datetime

import pytest
from django.utils import timezone

from notices.models import ConfirmationNotice, DiscrepancyNotice, NoticeTask
from records.errors import RecordError
from records.models import DiscrepancyReport, RecordConfirmation
from records.services import checks
from tests import factories
from tests.notices.conftest import make_notice

DAY = datetime.timedelta(days=1)


def _report(client, record, upload):
    data = {
        "wrong_ethnicity": "on",
        "value_ethnicity": "回族",
        "explanation": "户口本为回族",
        "kind_0": "hukou",
        "file_0": upload,
    }
    return client.post(f"/records/{record.pk}/report/", data)


def test_a_confirmation_is_linked_to_the_latest_started_record_check_notice(client_for, world):
    now = timezone.now()
    make_notice(world, number="23-101", task=NoticeTask.RECORD_CHECK, window_start=now - 9 * DAY)
    latest = make_notice(
        world, number="23-106", task=NoticeTask.RECORD_CHECK, window_start=now - 2 * DAY
    )
    make_notice(world, number="23-107", task=NoticeTask.PHOTO_CHECK, window_start=now - DAY)
    make_notice(world, number="23-108", task=NoticeTask.RECORD_CHECK, window_start=now + DAY)

    client_for(world.alice).post(f"/records/{world.alice_record.pk}/confirm/")

    confirmation = RecordConfirmation.objects.get(record=world.alice_record)
    assert ConfirmationNotice.objects.get(confirmation=confirmation).notice == latest


def test_a_confirmation_is_linked_to_the_notice_of_the_record_confirmed(client_for, world):
    """A student with a 学籍 at two schools: her 正确 of one is made under that school's
    notice, not under the other school's newer one."""
    now = timezone.now()
    own = make_notice(
        world, number="23-101", task=NoticeTask.RECORD_CHECK, window_start=now - 9 * DAY
    )
    other_class = factories.school_class(factories.college(world.other_institution))
    factories.record(other_class, owner=world.alice)
    make_notice(
        world,
        institution=world.other_institution,
        number="24-001",
        task=NoticeTask.RECORD_CHECK,
        window_start=now - DAY,
    )

    client_for(world.alice).post(f"/records/{world.alice_record.pk}/confirm/")

    confirmation = RecordConfirmation.objects.get(record=world.alice_record)
    assert ConfirmationNotice.objects.get(confirmation=confirmation).notice == own


def test_without_a_record_check_notice_nothing_is_linked(client_for, world):
    make_notice(world, task=NoticeTask.PHOTO_CHECK)

    client_for(world.alice).post(f"/records/{world.alice_record.pk}/confirm/")

    assert RecordConfirmation.objects.filter(record=world.alice_record).exists()
    assert not ConfirmationNotice.objects.exists()


def test_a_report_is_linked_and_the_registrars_page_shows_the_notice_number(
    client_for, world, pdf_upload, django_assert_max_num_queries
):
    notice = make_notice(
        world, number="23-106", task=NoticeTask.RECORD_CHECK, correction_deadline=None
    )
    _report(client_for(world.alice), world.alice_record, pdf_upload())
    report = DiscrepancyReport.objects.get()
    assert DiscrepancyNotice.objects.get(report=report).notice == notice
    unlinked = DiscrepancyReport.objects.create(record=world.bob_record, user=world.bob)
    client = client_for(world.registrar)
    client.get(f"/records/queue/{unlinked.pk}/")
    with django_assert_max_num_queries(100) as without:
        assert "23-106" not in client.get(f"/records/queue/{unlinked.pk}/").content.decode()

    # The notice comes in the query of the report: no query more than without one.
    with django_assert_max_num_queries(len(without.captured_queries)):
        page = client.get(f"/records/queue/{report.pk}/").content.decode()

    assert " · 依据通知（23-106）</p>" in page


def test_deleting_the_notice_keeps_the_report(client_for, world, pdf_upload):
    notice = make_notice(world, task=NoticeTask.RECORD_CHECK)
    _report(client_for(world.alice), world.alice_record, pdf_upload())

    notice.delete()

    report = DiscrepancyReport.objects.get()
    assert not DiscrepancyNotice.objects.exists()
    assert client_for(world.registrar).get(f"/records/queue/{report.pk}/").status_code == 200


def test_the_service_refuses_a_report_after_the_correction_deadline(
    world, pdf_upload, deadline_passed
):
    """Not only the page: a claim sent straight to the service is refused too."""
    with pytest.raises(RecordError, match="逾期不再办理信息更改手续"):
        checks.discrepancy_report(
            record=world.alice_record,
            by=world.alice,
            claims={"ethnicity": "回族"},
            explanation="户口本为回族",
            evidence=[checks.Evidence(kind="hukou", upload=pdf_upload())],
        )

    assert not DiscrepancyReport.objects.exists()
