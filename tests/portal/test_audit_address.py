"""Services take the client's address (`ip=`), never the request: the view reads it
(portal.lib.throttle.client_ip) and the audit row holds it, as before."""

import pytest
from django.test import override_settings

from imaging.models import Photo, PhotoKind
from notices.services.sheets import sheet_sign
from portal.lib.audit import log_access, log_action
from portal.lib.models import AuditEvent
from tests.clients import csrf_client, csrf_post
from tests.imaging.conftest import add_photo

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


def test_log_action_and_log_access_take_the_address(world):
    log_action(world.alice_record, "records.viewed", ip="203.0.113.9")
    log_access(world.registrar, "records.viewed", world.alice_record, ip="203.0.113.10")
    log_action(world.alice_record, "records.viewed", ip="")

    addresses = list(AuditEvent.objects.order_by("pk").values_list("ip_address", flat=True))
    assert addresses == ["203.0.113.9", "203.0.113.10", None]


def test_a_service_writes_the_address_it_is_given(world, sheet):
    sheet_sign(sheet=sheet, by=world.counselor, ip="198.51.100.4", acknowledged=True)

    assert AuditEvent.objects.get(action="notices.sheet_signed").ip_address == "198.51.100.4"


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_a_view_passes_the_client_behind_the_proxy(world, sheet):
    client = csrf_client(world.counselor, first_page="/notices/")

    csrf_post(
        client,
        f"/notices/sheets/{sheet.pk}/sign/",
        {"acknowledged": "1"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5",
    )

    assert AuditEvent.objects.get(action="notices.sheet_signed").ip_address == "203.0.113.5"


def test_the_students_photo_check_is_audited_with_her_address(world, private_media):
    photo: Photo = add_photo(world.alice_record, PhotoKind.ENROLLMENT)
    client = csrf_client(world.alice, first_page="/")

    csrf_post(client, f"/photos/{photo.token}/confirm/", REMOTE_ADDR="198.51.100.8")

    event = AuditEvent.objects.get(action="imaging.photo_confirmed")
    assert (event.ip_address, event.actor) == ("198.51.100.8", world.alice)
