"""Races, on PostgreSQL with real threads: each thread calls the service directly on its
own connection, and all start together behind a Barrier (docs/quality.md: under TestCase,
select_for_update and races pass by accident; SQLite serialises every write)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.errors import AccountError, PhoneInUse
from accounts.models import (
    AccountState,
    ClaimState,
    CodePurpose,
    IdentityClaim,
    IdentityRequest,
    IdType,
    RequestKind,
    RequestState,
    User,
)
from accounts.services import claims, identity_requests, registration, selfservice
from accounts.services.codes import code_send
from accounts.services.registration import Registration, account_register
from portal.lib.models import AuditEvent
from records.identity import services as identity_proof
from records.models import EnrollmentRecord
from tests import factories
from tests.accounts.helpers import mail_code, sms_code
from tests.threads import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="races need PostgreSQL: SQLite serialises every write, so nothing would race",
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 20
PHONE = "13800005555"


def outcomes(results: list[object]) -> Counter:
    return Counter("ok" if not isinstance(r, BaseException) else type(r).__name__ for r in results)


def assert_one_succeeded_and_the_rest_were_told(results: list[object]) -> None:
    """One call succeeded; every other one raised the domain error that the page shows
    (whichever check caught it first), never a database error."""
    assert outcomes(results)["ok"] == 1, outcomes(results)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(r, AccountError) for r in failures), outcomes(results)


def newcomer(n: int, **fields) -> Registration:
    values = {
        "real_name": "张小红",
        "id_type": IdType.RESIDENT_ID,
        "id_number": factories.id_number(),
        "phone": "",
        "email": f"racer{n}@example.com",
        "username": f"racer{n}",
        "password": "bamboo-lantern-river-42",
    }
    values.update(fields)
    return Registration(**values)


def code_for(destination: str, purpose: str = CodePurpose.REGISTER) -> str:
    code_send(purpose=purpose, destination=destination)
    return mail_code(destination) if "@" in destination else sms_code(destination)


# Registration ----------------------------------------------------------------------------


def test_twenty_registrations_of_one_id_number_leave_one_active_account():
    number = factories.id_number()
    people = [newcomer(n, id_number=number) for n in range(THREADS)]
    codes = [code_for(person.email) for person in people]

    results = run_together(
        [
            lambda p=person, c=code: account_register(data=p, code=c)
            for person, code in zip(people, codes, strict=True)
        ]
    )

    assert outcomes(results) == {"ok": 1, "DuplicateIdNumber": THREADS - 1}
    assert User.objects.filter(id_number=number).count() == 1
    assert User.objects.filter(id_number=number, state=AccountState.ACTIVE).count() == 1


def test_twenty_registrations_with_one_phone_and_its_code_leave_one_account():
    code = code_for(PHONE)

    results = run_together(
        [
            lambda n=n: account_register(data=newcomer(n, phone=PHONE, email=""), code=code)
            for n in range(THREADS)
        ]
    )

    assert_one_succeeded_and_the_rest_were_told(results)
    assert User.objects.filter(phone=PHONE).count() == 1


def test_twenty_registrations_of_one_phone_leave_one_live_account_even_without_codes(
    monkeypatch,
):
    # A code is single use, so with codes only one registration could get this far:
    # without the check, the database constraint alone must keep the phone unique.
    monkeypatch.setattr(registration, "code_verify", lambda **kwargs: None)
    monkeypatch.setattr(registration, "code_use", lambda row: None)

    results = run_together(
        [
            lambda n=n: account_register(data=newcomer(n, phone=PHONE), code="")
            for n in range(THREADS)
        ]
    )

    # Each loser is told 手机号已使用, or, once the phone has been told so 10 times today
    # (registration.REVEALS_PER_DESTINATION), to wait: which, depends on timing.
    told = outcomes(results)
    assert told["ok"] == 1, told
    assert told["PhoneInUse"] + told["Throttled"] == THREADS - 1, told
    assert told["PhoneInUse"] >= registration.REVEALS_PER_DESTINATION.max, told
    assert User.objects.exclude(state=AccountState.CANCELLED).filter(phone=PHONE).count() == 1


# Approvals of competing claims ------------------------------------------------------------


def competing_claims() -> tuple[User, list[User], EnrollmentRecord]:
    """An active account bound to a record, and 20 pending accounts claiming its number."""
    klass = factories.school_class(factories.college(factories.institution()))
    old, record = factories.student(klass, real_name="李晓梅")
    # A holder the portal can tell (e-mail): one nobody can reach goes to the reviewers,
    # never to the window (accounts.services.claims.identity_check_passed).
    old.email = "holder@example.com"
    old.save(update_fields=["email"])
    claims = [
        factories.user(
            username=f"claim{n}",
            real_name="李晓梅",
            id_number=old.id_number,
            state=AccountState.PENDING,
        )
        for n in range(THREADS)
    ]
    return old, claims, record


def assert_one_winner(old: User, claims: list[User], record: EnrollmentRecord) -> User:
    holders = User.objects.filter(id_number=old.id_number)
    assert holders.filter(state=AccountState.ACTIVE).count() == 1
    assert holders.filter(state=AccountState.PENDING).count() == 0
    winner = holders.get(state=AccountState.ACTIVE)
    assert winner.pk in {claim.pk for claim in claims}
    record.refresh_from_db()
    assert record.user_id == winner.pk
    assert AuditEvent.objects.filter(action="accounts.identity_approved").count() == 1
    assert AuditEvent.objects.filter(action="accounts.cancelled").count() == THREADS
    return winner


def complete_all_at_once(claimants: list[User]) -> list[object]:
    """Every ready claim of `claimants` due now, completed by 20 sweeps at once."""
    ready = IdentityClaim.objects.filter(claimant__in=claimants, state=ClaimState.READY)
    assert ready.count() == len(claimants)
    ready.update(takes_effect_at=timezone.now() - timedelta(seconds=1))
    return run_together(
        [
            lambda c=c: claims.claim_complete_if_due(claim_id=c)
            for c in ready.values_list("pk", flat=True)
        ]
    )


def assert_claims_settled(winner: User) -> None:
    assert IdentityClaim.objects.get(state=ClaimState.COMPLETED).claimant == winner
    assert IdentityClaim.objects.filter(state=ClaimState.CANCELLED).count() == THREADS - 1


def test_twenty_reviewers_approving_competing_claims_leave_one_winner():
    # Issue 11: approvals make claims, never a cancellation; the window decides once.
    old, claimants, record = competing_claims()
    reviewer = factories.user(role="identity_reviewer", username="reviewer")
    requests = [
        IdentityRequest.objects.create(
            user=claim, kind=RequestKind.DUPLICATE_ID, token=factories.token()
        )
        for claim in claimants
    ]

    results = run_together(
        [
            lambda r=req: identity_requests.identity_request_approve(req=r, by=reviewer)
            for req in requests
        ]
    )

    assert outcomes(results) == {"ok": THREADS}
    old.refresh_from_db()
    assert old.state == AccountState.ACTIVE
    assert not AuditEvent.objects.filter(action="accounts.cancelled").exists()
    assert outcomes(complete_all_at_once(claimants)) == {"ok": THREADS}
    winner = assert_one_winner(old, claimants, record)
    assert_claims_settled(winner)
    approved = IdentityRequest.objects.get(user=winner)
    assert approved.state == RequestState.APPROVED
    assert not IdentityRequest.objects.filter(state=RequestState.PENDING).exists()


def test_twenty_claims_proving_the_same_enrollment_facts_leave_one_winner():
    old, claimants, record = competing_claims()
    facts = {
        "school": record.institution.name,
        "student_number": record.student_number,
        "level": record.level,
    }

    results = run_together(
        [
            lambda c=claim: identity_proof.identity_facts_check(user=c, **facts)
            for claim in claimants
        ]
    )

    assert outcomes(results) == {"ok": THREADS}
    assert outcomes(complete_all_at_once(claimants)) == {"ok": THREADS}
    winner = assert_one_winner(old, claimants, record)
    assert_claims_settled(winner)


def test_twenty_approvals_of_one_request_decide_it_once():
    old, claimants, record = competing_claims()
    reviewer = factories.user(role="identity_reviewer", username="reviewer")
    req = IdentityRequest.objects.create(
        user=claimants[0], kind=RequestKind.DUPLICATE_ID, token=factories.token()
    )

    results = run_together(
        [lambda: identity_requests.identity_request_approve(req=req, by=reviewer)] * THREADS
    )

    assert outcomes(results) == {"ok": 1, "AccountError": THREADS - 1}
    assert IdentityClaim.objects.get().claimant == claimants[0]
    assert AuditEvent.objects.filter(action="accounts.claim_ready").count() == 1


def test_an_objection_racing_the_sweep_is_either_in_time_or_too_late_never_both():
    old, claimants, record = competing_claims()
    claimant = claimants[0]
    facts = {
        "school": record.institution.name,
        "student_number": record.student_number,
        "level": record.level,
    }
    claim = identity_proof.identity_facts_check(user=claimant, **facts)
    IdentityClaim.objects.filter(pk=claim.pk).update(
        takes_effect_at=timezone.now() - timedelta(seconds=1)
    )

    results = run_together(
        [
            lambda: claims.claim_object(claim_id=claim.pk, holder=old),
            lambda: claims.claim_complete_if_due(claim_id=claim.pk),
        ]
    )

    claim.refresh_from_db()
    old.refresh_from_db()
    if claim.state == ClaimState.DISPUTED:
        assert old.state == AccountState.ACTIVE
        assert not isinstance(results[0], BaseException)
    else:
        assert claim.state == ClaimState.COMPLETED
        assert old.state == AccountState.CANCELLED
        assert isinstance(results[0], AccountError)  # told the claim is settled


# A phone taken while a change is under way -------------------------------------------------


def test_a_phone_taken_while_a_change_is_under_way_is_a_clear_error_not_a_crash():
    alice = factories.user(username="alice", phone="13711112222")
    bob = factories.user(username="bob")
    code = code_for(PHONE, CodePurpose.CHANGE_PHONE)
    holding, release = threading.Event(), threading.Event()

    def bob_takes_the_phone_and_commits_late():
        try:
            with transaction.atomic():
                User.objects.filter(pk=bob.pk).update(phone=PHONE)
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    other = threading.Thread(target=bob_takes_the_phone_and_commits_late)
    other.start()
    assert holding.wait(timeout=30)
    # Bob commits while alice's save waits on the unique index behind his row.
    threading.Timer(0.5, release.set).start()

    with pytest.raises(PhoneInUse):
        selfservice.phone_change(user=alice, phone=PHONE, code=code)
    other.join(timeout=30)

    alice.refresh_from_db()
    assert alice.phone == "13711112222"
    assert User.objects.get(phone=PHONE) == bob


def test_a_burst_of_code_requests_for_one_phone_sends_one_text():
    """Twenty requests for a code to one phone, released together: every one used to read
    "no code this minute" before any wrote one, and each sent a text (cost, SMS bombing)."""
    from accounts import sms

    sms.outbox.clear()
    results = run_together(
        [
            lambda: code_send(purpose=CodePurpose.REGISTER, destination="13800006666")
            for _ in range(THREADS)
        ]
    )

    assert outcomes(results)["ok"] == 1, outcomes(results)
    assert len([m for m in sms.outbox if m.phone == "13800006666"]) == 1
