"""Bursts past the identity-request limits, on PostgreSQL with real threads (docs/security.md
"Counters are exact under bursts": under TestCase or on SQLite nothing would race)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.errors import AccountError
from accounts.models import IdentityRequest, RequestKind, RequestState
from accounts.services import identity_requests
from tests import factories
from tests.accounts.helpers import jpeg_bytes, photo_bytes, upload
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


@pytest.mark.parametrize("same_form", [False, True])
def test_a_burst_of_photo_uploads_stores_one_request(same_form):
    """Issue 15: one request waits for the reviewers at a time, and a form sent again (a
    double tap) is the same request: a burst spends one try."""
    user = factories.user(username="pend.burst", id_number=factories.id_number(), state="pending")
    data = photo_bytes()
    keys = iter([f"{n:032x}" for n in range(8)])

    def submit():
        key = "a" * 32 if same_form else next(keys)
        return identity_requests.id_photos_submit(
            user=user, front=upload(data), back=upload(data), submission=key
        )

    results = run_together([submit] * 8)

    assert len(refusals(results)) == 7
    assert IdentityRequest.objects.filter(user=user, kind=RequestKind.DUPLICATE_ID).count() == 1
    assert identity_requests.uploads_left(user) == (2, 4)


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
