"""Bursts past the identity-request limits, on PostgreSQL with real threads (docs/security.md
"Counters are exact under bursts": under TestCase or on SQLite nothing would race)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.errors import AccountError
from accounts.models import IdentityRequest, RequestKind, RequestState
from accounts.services import identity_requests
from tests import factories
from tests.accounts.helpers import jpeg_bytes, upload
from tests.threads import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="races need PostgreSQL: SQLite serialises every write, so nothing would race",
    ),
    pytest.mark.django_db(transaction=True),
]


def refusals(results: list[object]) -> list[BaseException]:
    """Every call that did not succeed raised the domain error the page shows."""
    failures = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(r, AccountError) for r in failures), failures
    return failures


def test_a_burst_of_photo_uploads_stores_3_a_day():
    user = factories.user(username="pend.burst", id_number=factories.id_number(), state="pending")
    data = jpeg_bytes()

    def submit():
        return identity_requests.id_photos_submit(user=user, front=upload(data), back=upload(data))

    results = run_together([submit] * 8)

    assert len(refusals(results)) == 5
    assert IdentityRequest.objects.filter(user=user, kind=RequestKind.DUPLICATE_ID).count() == 3


@pytest.mark.parametrize("kind", [RequestKind.PHONE, RequestKind.REAL_NAME])
def test_a_burst_of_requests_leaves_one_pending(kind):
    user = factories.user(username="act.burst", id_number=factories.id_number())
    data = jpeg_bytes()

    def submit():
        if kind == RequestKind.PHONE:
            return identity_requests.phone_request_submit(
                user=user, phone="13900009999", front=upload(data)
            )
        return identity_requests.real_name_change_submit(
            user=user, real_name="王新名", id_number=user.id_number, scan=upload(data)
        )

    results = run_together([submit] * 6)

    assert len(refusals(results)) == 5
    assert (
        IdentityRequest.objects.filter(user=user, kind=kind, state=RequestState.PENDING).count()
        == 1
    )
