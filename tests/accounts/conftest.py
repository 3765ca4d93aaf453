"""Fixtures of the accounts tests: clean throttles and outboxes, private media in a
temporary folder, and a pending account that re-registered with alice's ID number."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts import sms
from accounts.models import AccountState, User
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_throttles_and_outboxes():
    """The locmem cache lives as long as the process: nothing cached may leak (throttle
    counters are database rows, rolled back with each test)."""
    cache.clear()
    sms.outbox.clear()
    yield
    cache.clear()
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def media_root(private_media):
    """Identity images go to a folder of this test only."""
    return private_media


@pytest.fixture
def twin(world) -> User:
    """A pending account that re-registered with alice's name and ID number. Alice, the
    holder its claims are made against, can be told of them: she has an e-mail address
    (a holder nothing can reach has her claims sent to the reviewers instead)."""
    if not (world.alice.phone or world.alice.email):
        world.alice.email = "alice.holder@example.com"
        world.alice.save(update_fields=["email"])
    return factories.user(
        username="alice_new",
        real_name=world.alice.real_name,
        id_number=world.alice.id_number,
        phone="13900000001",
        state=AccountState.PENDING,
    )
