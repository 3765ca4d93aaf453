"""The audit trail never holds a full ID number: a reported one, a corrected one and a
changed real-name identity are stored masked (portal.lib.audit.masked_changes), and /audit/
shows the masked form. Birth dates stay whole: the correction trail needs them."""

import json

import pytest

from portal.lib import idnumbers
from portal.lib.audit import log_access, log_action
from portal.lib.models import AuditEvent
from tests import factories
from tests.clients import csrf_client, csrf_post

pytestmark = pytest.mark.django_db


def test_a_reported_and_corrected_id_number_is_masked_in_the_trail(world, jpeg_upload):
    record = world.alice_record
    old_number = record.id_number
    new_number = factories.id_number(birth=record.birth_date, sex="2")
    student = csrf_client(world.alice, first_page=f"/records/{record.pk}/report/")
    response = csrf_post(
        student,
        f"/records/{record.pk}/report/",
        {
            "wrong_id_number": "on",
            "value_id_number": new_number,
            "explanation": "身份证号码有误",
            "kind_0": "id_card",
            "file_0": jpeg_upload(),
            "kind_1": "hukou",
            "file_1": jpeg_upload(),
        },
    )
    assert response.status_code == 302
    report = record.discrepancy_reports.get()
    registrar = csrf_client(world.registrar, first_page=f"/records/queue/{report.pk}/")

    response = csrf_post(
        registrar,
        f"/records/queue/{report.pk}/",
        {"decision": "accept", "fields_to_apply": ["id_number"]},
    )

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.id_number == new_number
    stored = json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert old_number not in stored
    assert new_number not in stored
    reported = AuditEvent.objects.get(action="records.reported")
    assert reported.changes["id_number"] == [
        idnumbers.mask(old_number),
        idnumbers.mask(new_number),
    ]
    corrected = AuditEvent.objects.get(action="records.corrected")
    assert corrected.changes["id_number"] == [
        idnumbers.mask(old_number),
        idnumbers.mask(new_number),
    ]
    page = registrar.get("/audit/", {"action": "records."}).content.decode()
    assert idnumbers.mask(new_number) in page
    assert new_number not in page
    assert old_number not in page


def test_masking_is_decided_in_log_action_and_log_access_whatever_the_nesting(world):
    number = world.bob_record.id_number
    claimed = factories.id_number()

    action = log_action(
        world.bob_record,
        "records.test",
        changes={
            "id_number": [number, claimed],
            "requested_id_number": claimed,
            "birth_date": ["2005-03-09", "2005-04-09"],
            "items": {"id_number": {"current": number, "claimed": claimed}},
        },
    )
    access = log_access(
        world.registrar, "records.test_viewed", world.bob_record, changes={"id_number": number}
    )

    assert action.changes == {
        "id_number": [idnumbers.mask(number), idnumbers.mask(claimed)],
        "requested_id_number": idnumbers.mask(claimed),
        "birth_date": ["2005-03-09", "2005-04-09"],  # the date stays whole
        "items": {
            "id_number": {"current": idnumbers.mask(number), "claimed": idnumbers.mask(claimed)}
        },
    }
    assert access.changes == {"id_number": idnumbers.mask(number)}
