"""Every admin page of a person's data leaves the same trail as a staff page
(portal.admin.AccessAuditedAdmin): 有误 reports, photos, photo batches, verifications,
confirmations, feedback sheets and reminders, besides accounts and records."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imaging.models import PhotoBatch, PhotoBatchEntry, PhotoState, PhotoVerification
from notices.models import FeedbackSheet, NoticeAudience, Reminder
from portal.lib.models import AuditEvent
from records.models import DiscrepancyReport, RecordConfirmation
from tests.imaging.conftest import add_photo
from tests.notices.conftest import make_notice

pytestmark = pytest.mark.django_db


def _report(world):
    return DiscrepancyReport.objects.create(record=world.bob_record, user=world.bob)


def _photo(world):
    return add_photo(world.bob_record)


def _batch(world):
    batch = PhotoBatch.objects.create(
        institution=world.institution, kind="diploma", source="新华社江西分社"
    )
    PhotoBatchEntry.objects.create(
        batch=batch,
        position=1,
        name=f"{world.bob_record.id_number}.jpg",
        outcome="added",
        record=world.bob_record,
    )
    return batch


def _verification(world):
    return PhotoVerification.objects.create(
        photo=add_photo(world.bob_record), user=world.bob, result=PhotoState.CONFIRMED
    )


def _confirmation(world):
    return RecordConfirmation.objects.create(record=world.bob_record, user=world.bob)


def _sheet(world):
    notice = make_notice(world)
    NoticeAudience.objects.create(notice=notice, cohort=world.class_a.cohort)
    return FeedbackSheet.objects.create(notice=notice, school_class=world.class_a)


def _reminder(world):
    return Reminder.objects.create(
        notice=make_notice(world),
        record=world.bob_record,
        user=world.bob,
        day=datetime.date(2026, 1, 5),
        channels="sms",
        sent_by=world.registrar,
    )


@pytest.mark.parametrize(
    ("path", "make", "action"),
    [
        ("records/discrepancyreport", _report, "records.admin_viewed"),
        ("records/recordconfirmation", _confirmation, "records.admin_viewed"),
        ("imaging/photo", _photo, "imaging.admin_viewed"),
        ("imaging/photobatch", _batch, "imaging.admin_viewed"),
        ("imaging/photoverification", _verification, "imaging.admin_viewed"),
        ("notices/feedbacksheet", _sheet, "notices.admin_viewed"),
        ("notices/reminder", _reminder, "notices.admin_viewed"),
    ],
)
def test_an_admin_opening_a_persons_data_in_the_admin_is_recorded(
    client_for, world, private_media, path, make, action
):
    obj = make(world)

    response = client_for(world.admin).get(f"/admin/{path}/{obj.pk}/change/")

    assert response.status_code == 200
    event = AuditEvent.objects.get(action=action)
    assert event.actor == world.admin
    named = set(event.subjects.values_list("record_id", "user_id"))
    assert (world.bob_record.pk, world.bob.pk) in named


def test_the_audited_admin_page_loads_its_object_once(client_for, world):
    confirmation = _confirmation(world)
    client = client_for(world.admin)
    table = f'FROM "{RecordConfirmation._meta.db_table}"'

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/admin/records/recordconfirmation/{confirmation.pk}/change/")

    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="records.admin_viewed").count() == 1
    assert sum(table in query["sql"] for query in queries.captured_queries) == 1
