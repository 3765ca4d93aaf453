"""accounts.services.identity.identity_approve, the step a completed identity claim ends
with (issue 11: a passed check alone never calls it while another account is active): the
pending account becomes the one active holder of its ID number; in one transaction every
other account with that number is cancelled, its record bindings move, its sessions end,
it is told, and all is audited."""

import pytest
from django.test import Client

from accounts.errors import AccountError
from accounts.models import (
    AccountState,
    IdentityRequest,
    RejectReason,
    RequestKind,
    RequestState,
)
from accounts.services import identity
from portal.lib.models import AuditEvent
from tests import factories
from tests.accounts.helpers import degree, mails_to, photo_request, texts_to


def approve(user, by=None, route="id_photos"):
    return identity.identity_approve(user=user, by=by, route=route)


@pytest.fixture
def second_twin(world):
    """Another pending claim on alice's ID number."""
    return factories.user(
        username="alice_third",
        real_name=world.alice.real_name,
        id_number=world.alice.id_number,
        state=AccountState.PENDING,
    )


def test_the_pending_account_becomes_active(world, twin):
    approve(twin, by=world.reviewer)

    twin.refresh_from_db()
    assert twin.state == AccountState.ACTIVE
    assert twin.identity_verified_at is not None


def test_every_other_account_with_the_id_number_is_cancelled(world, twin, second_twin):
    approve(twin, by=world.reviewer)

    for other in (world.alice, second_twin):
        other.refresh_from_db()
        assert other.state == AccountState.CANCELLED
        assert other.is_active is False
        assert other.cancelled_at is not None


def test_accounts_with_other_id_numbers_are_untouched(world, twin):
    approve(twin, by=world.reviewer)

    world.bob.refresh_from_db()
    assert world.bob.state == AccountState.ACTIVE


def test_enrollment_and_degree_bindings_move_to_the_approved_account(world, twin):
    diploma = degree(world.alice_record, user=world.alice)

    approve(twin, by=world.reviewer)

    world.alice_record.refresh_from_db()
    diploma.refresh_from_db()
    assert world.alice_record.user == twin
    assert diploma.user == twin


def test_the_sessions_of_the_cancelled_account_end(world, twin):
    old_session = Client()
    old_session.force_login(world.alice)
    assert old_session.get("/records/mine/").status_code == 200

    approve(twin, by=world.reviewer)

    assert old_session.get("/records/mine/")["Location"].startswith("/accounts/login/")


def test_the_cancelled_account_is_told(world, twin, django_capture_on_commit_callbacks):
    world.alice.phone, world.alice.email = "13711112222", "alice@example.com"
    world.alice.save()

    with django_capture_on_commit_callbacks(execute=True):
        approve(twin, by=world.reviewer)

    assert "被注销" in texts_to("13711112222")[-1]
    assert "被注销" in mails_to("alice@example.com")[-1]


def test_the_approved_account_is_told(world, twin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        approve(twin, by=world.reviewer)

    assert "已通过身份核验" in texts_to(twin.phone)[-1]


def test_the_approval_and_each_cancellation_are_audited(world, twin, second_twin):
    approve(twin, by=world.reviewer, route="classmate")

    approved = AuditEvent.objects.get(action="accounts.identity_approved")
    assert (approved.subject, approved.actor, approved.reason) == (
        twin,
        world.reviewer,
        "classmate",
    )
    assert approved.changes == {"state": ["pending", "active"]}
    cancelled = AuditEvent.objects.filter(action="accounts.cancelled")
    assert {e.subject for e in cancelled} == {world.alice, second_twin}
    assert all("alice_new" in e.reason for e in cancelled)


def test_nothing_changes_when_a_step_of_the_approval_fails(world, twin, monkeypatch):
    def broken_audit(obj, action, **kwargs):
        if action == "accounts.identity_approved":
            raise RuntimeError("audit store unavailable")
        return real_log_action(obj, action, **kwargs)

    real_log_action = identity.log_action
    monkeypatch.setattr(identity, "log_action", broken_audit)

    with pytest.raises(RuntimeError):
        approve(twin, by=world.reviewer)

    world.alice.refresh_from_db()
    twin.refresh_from_db()
    world.alice_record.refresh_from_db()
    assert (world.alice.state, twin.state) == (AccountState.ACTIVE, AccountState.PENDING)
    assert world.alice_record.user == world.alice
    assert not AuditEvent.objects.filter(action="accounts.cancelled").exists()


def test_an_account_that_is_not_pending_cannot_be_approved(world):
    with pytest.raises(AccountError, match="该账号已不在待核验状态"):
        approve(world.alice, by=world.reviewer)


def test_a_cancelled_claim_cannot_be_approved_afterwards(world, twin, second_twin):
    approve(twin, by=world.reviewer)

    with pytest.raises(AccountError, match="该账号已不在待核验状态"):
        approve(second_twin, by=world.reviewer)
    twin.refresh_from_db()
    assert twin.state == AccountState.ACTIVE


def test_the_photo_request_of_an_account_approved_another_way_is_closed_as_passed(
    world, twin, django_capture_on_commit_callbacks
):
    req = photo_request(twin)

    with django_capture_on_commit_callbacks(execute=True):
        approve(twin, by=None, route="facts")

    req.refresh_from_db()
    assert req.state == RequestState.APPROVED
    assert req.decided_at is not None


def test_the_requests_of_the_cancelled_accounts_leave_the_queue_as_refused(
    world, twin, second_twin, django_capture_on_commit_callbacks
):
    theirs = photo_request(second_twin)
    phone = IdentityRequest.objects.create(
        user=world.alice, kind=RequestKind.PHONE, token=factories.token(), phone="13600000000"
    )

    with django_capture_on_commit_callbacks(execute=True):
        approve(twin, by=world.reviewer)

    for req in (theirs, phone):
        req.refresh_from_db()
        assert req.state == RequestState.REJECTED
        assert req.reject_reason == RejectReason.OTHER
        assert "已注销" in req.reject_note
    assert not IdentityRequest.objects.filter(state=RequestState.PENDING).exists()
