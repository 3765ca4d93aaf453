"""The services take the client's address as `ip=` from the view, never the request: the
address still reaches the audit trail and the per-address limits."""

from django.test import Client

from portal.lib.models import AuditEvent
from records.identity.services import FACT_GUESSES_PER_IP
from tests.accounts.helpers import csrf_post, photo_request

ADDRESS = "203.0.113.77"


def client_at(user, address: str = ADDRESS) -> Client:
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
    client.force_login(user)
    return client


def test_a_user_name_change_is_audited_with_the_client_address(world):
    csrf_post(
        client_at(world.alice),
        "/accounts/me/username/",
        {"username": "alice.li"},
        page="/accounts/me/",
    )

    event = AuditEvent.objects.get(action="accounts.username_changed")
    assert event.ip_address == ADDRESS


def test_a_reviewers_decision_is_audited_with_the_client_address(world, twin):
    req = photo_request(twin)

    csrf_post(
        client_at(world.reviewer),
        f"/accounts/identity-queue/{req.pk}/",
        {"decision": "approve", "confirm": "1"},
    )

    viewed = AuditEvent.objects.get(action="accounts.request_viewed")
    ready = AuditEvent.objects.get(action="accounts.claim_ready")
    assert viewed.ip_address == ready.ip_address == ADDRESS


def test_wrong_facts_count_against_the_client_address(world, twin):
    facts = {"school": "不存在的学校", "student_number": "1", "level": "bachelor"}

    csrf_post(client_at(twin), "/accounts/identity/facts/", facts, page="/accounts/identity/")

    assert FACT_GUESSES_PER_IP.count(ADDRESS) == 1
    assert FACT_GUESSES_PER_IP.count("203.0.113.78") == 0
