"""The identity reviewers' queue (/accounts/identity-queue/): pending requests oldest first
with their age, each with its images beside the account data, approved or rejected with
a reason, every decision audited; identity images reachable by owner and reviewers only."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import (
    AccountState,
    ClaimState,
    IdentityClaim,
    IdentityRequest,
    RejectReason,
    RequestKind,
    RequestState,
)
from accounts.services import claims
from portal.lib.models import AuditEvent
from tests import factories
from tests.accounts.helpers import (
    csrf_client,
    csrf_post,
    jpeg_bytes,
    page_text,
    phone_request_of,
    photo_request,
    texts_to,
    upload,
)

QUEUE = "/accounts/identity-queue/"


def detail(req) -> str:
    return f"{QUEUE}{req.pk}/"


def image_url(req, side: str = "front") -> str:
    return f"/accounts/identity-images/{req.token}/{side}/"


def decide(reviewer, req, **form):
    return csrf_post(csrf_client(reviewer), detail(req), form)


def days_ago(days: int):
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def request_of_twin(twin):
    return photo_request(twin, created_at=days_ago(2))


# The queue -------------------------------------------------------------------------------


def test_the_queue_lists_pending_requests_oldest_first_with_their_age(world, twin):
    newer = photo_request(twin, created_at=days_ago(1))
    older = photo_request(
        factories.user(username="zhou_old", real_name="周某"), created_at=days_ago(4)
    )

    page = page_text(csrf_client(world.reviewer).get(QUEUE))

    assert page.index(detail(older)) < page.index(detail(newer))
    assert re.search(r"<td>4\s日</td>", page) and re.search(r"<td>1\s日</td>", page)


def test_the_queue_leaves_out_decided_requests(world, twin):
    done = photo_request(twin, state=RequestState.REJECTED)

    page = page_text(csrf_client(world.reviewer).get(QUEUE))

    assert detail(done) not in page
    assert "暂无待审核的申请" in page


def test_the_queue_masks_id_numbers(world, request_of_twin, twin):
    page = page_text(csrf_client(world.reviewer).get(QUEUE))

    assert twin.masked_id_number in page
    assert twin.id_number not in page


def test_the_queue_costs_the_same_queries_for_one_request_and_for_many(
    world, twin, django_assert_num_queries
):
    photo_request(twin)
    client = csrf_client(world.reviewer)
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as one:
        client.get(QUEUE)
    for n in range(5):
        photo_request(factories.user(username=f"queue{n}"))

    with django_assert_num_queries(len(one.captured_queries)):
        client.get(QUEUE)


@pytest.mark.parametrize("persona", ["alice", "registrar", "counselor", "admin_less_student"])
def test_people_who_are_not_reviewers_are_refused_the_queue(world, twin, persona):
    user = twin if persona == "admin_less_student" else world.persona(persona)

    response = csrf_client(user).get(QUEUE)

    assert response.status_code in (302, 403)
    assert "身份核验队列" not in page_text(response)


def test_anonymous_people_are_sent_to_log_in(client, world):
    assert client.get(QUEUE)["Location"].startswith("/accounts/login/")


# A request -------------------------------------------------------------------------------


def test_a_request_shows_both_images_beside_the_account_data(world, twin, request_of_twin):
    page = page_text(csrf_client(world.reviewer).get(detail(request_of_twin)))

    assert image_url(request_of_twin, "front") in page
    assert image_url(request_of_twin, "back") in page
    assert twin.username in page and twin.id_number in page and twin.phone in page


def test_opening_a_request_is_recorded_as_staff_access(world, twin, request_of_twin):
    csrf_client(world.reviewer).get(detail(request_of_twin))

    event = AuditEvent.objects.get(action="accounts.request_viewed")
    assert (event.actor, event.subject) == (world.reviewer, twin)


def test_a_refused_decision_that_shows_the_request_again_is_recorded_as_staff_access(
    world, twin, request_of_twin
):
    """A POST the form refuses renders the full ID number and the images again: that
    look is recorded too, or a reviewer could read any request by posting an empty form
    (the CSRF token taken from the queue, the request itself never opened by a GET)."""
    reviewer = csrf_client(world.reviewer)
    response = csrf_post(reviewer, detail(request_of_twin), {"note": ""}, page=QUEUE)

    assert twin.id_number in page_text(response)
    event = AuditEvent.objects.get(action="accounts.request_viewed")
    assert (event.actor, event.subject) == (world.reviewer, twin)


def test_a_request_lists_the_accounts_a_completed_claim_would_cancel(world, request_of_twin):
    page = page_text(csrf_client(world.reviewer).get(detail(request_of_twin)))

    # Issue 11: approval tells the holder; she is cancelled only after the window.
    assert "审核通过后通知原账号，等待期满无异议才注销" in page
    assert world.alice.username in page


def test_the_list_of_accounts_a_claim_would_cancel_is_the_claims_own(world, request_of_twin):
    """The page matched the number only: it listed a cancelled account and one of another
    document type, which no claim would touch (the claims key on (type, number), live)."""
    number = world.alice.id_number
    factories.user(username="gone.acct", id_number=number, state=AccountState.CANCELLED)
    factories.user(username="other.type", id_number=number, id_type="passport")

    page = page_text(csrf_client(world.reviewer).get(detail(request_of_twin)))

    assert world.alice.username in page
    assert "gone.acct" not in page and "other.type" not in page


CANCELLED_HEADING = "审核通过后通知原账号，等待期满无异议才注销"


def test_a_request_whose_approval_cancels_nobody_lists_nobody_to_cancel(world, twin):
    """A real-name change approves no identity: the page listed the pending twin as an
    account approval would cancel, while the service cancels nobody."""
    req = IdentityRequest.objects.create(
        user=world.alice,
        kind=RequestKind.REAL_NAME,
        token="realname0000000000000000000000ab",
        requested_real_name="张三丰",
        requested_id_number=world.alice.id_number,
    )

    page = page_text(csrf_client(world.reviewer).get(detail(req)))

    assert CANCELLED_HEADING not in page
    assert twin.username not in page


def test_a_photo_request_of_an_account_no_longer_pending_lists_nobody_to_cancel(
    world, twin, request_of_twin
):
    """Approval refuses once the account is pending no more (cancelled meanwhile): the
    page must not say that approving it would cancel alice."""
    twin.state = AccountState.CANCELLED
    twin.save(update_fields=["state"])

    page = page_text(csrf_client(world.reviewer).get(detail(request_of_twin)))

    assert CANCELLED_HEADING not in page
    assert f"<li>{world.alice.username} ·" not in page


def test_the_page_lists_exactly_the_accounts_approval_cancels(world, twin, request_of_twin):
    """The page and identity_approve ask one function: what the page lists is what the
    completed claim cancels."""
    other = factories.user(
        username="third.acct", id_number=world.alice.id_number, state=AccountState.PENDING
    )
    page = page_text(csrf_client(world.reviewer).get(detail(request_of_twin)))
    listed = {u for u in ("alice", "third.acct") if f"<li>{u} ·" in page}

    claims.claim_complete(
        claim_id=claims.identity_check_passed(user=twin, by=None, route="facts").pk,
        by=world.reviewer,
        how="test",
    )

    cancelled = {
        u.username
        for u in (world.alice, other)
        if type(u).objects.get(pk=u.pk).state == AccountState.CANCELLED
    }
    assert listed == cancelled == {world.alice.username, "third.acct"}


def test_a_decision_sent_without_a_choice_approves_nothing(world, twin, request_of_twin):
    page = page_text(csrf_client(world.reviewer).get(detail(request_of_twin)))
    assert '<option value="" selected>' in page

    response = decide(world.reviewer, request_of_twin, note="")

    assert "请选择审核结果" in page_text(response)
    request_of_twin.refresh_from_db()
    assert request_of_twin.state == RequestState.PENDING
    assert not IdentityClaim.objects.filter(claimant=twin).exists()


def test_approving_a_photo_request_makes_a_claim_not_a_cancellation_and_is_audited(
    world, twin, request_of_twin
):
    # Issue 11: the approval used to cancel alice on the spot; now it makes a ready claim.
    response = decide(world.reviewer, request_of_twin, decision="approve", confirm="1")

    assert response["Location"] == QUEUE
    request_of_twin.refresh_from_db()
    twin.refresh_from_db()
    world.alice.refresh_from_db()
    assert request_of_twin.state == RequestState.APPROVED
    assert request_of_twin.reviewer == world.reviewer
    assert twin.state == AccountState.PENDING
    assert world.alice.state == AccountState.ACTIVE
    claim = IdentityClaim.objects.get(claimant=twin)
    assert (claim.state, claim.route, claim.request) == (
        ClaimState.READY,
        "id_photos",
        request_of_twin,
    )
    event = AuditEvent.objects.get(action="accounts.claim_ready")
    assert (event.actor, event.subject) == (world.reviewer, twin)
    assert not AuditEvent.objects.filter(action="accounts.identity_approved").exists()


def test_rejecting_with_a_reason_of_seed_000_tells_the_student(
    world, twin, request_of_twin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decide(world.reviewer, request_of_twin, decision="reject", reason=RejectReason.UNCLEAR)

    request_of_twin.refresh_from_db()
    assert request_of_twin.state == RequestState.REJECTED
    assert request_of_twin.reject_reason == RejectReason.UNCLEAR
    assert "照片中身份证上信息不清晰" in texts_to(twin.phone)[-1]
    event = AuditEvent.objects.get(action="accounts.request_rejected")
    assert (event.actor, event.subject) == (world.reviewer, twin)
    assert "照片中身份证上信息不清晰" in event.reason


def test_the_student_sees_the_reason_in_the_log(world, twin, request_of_twin):
    decide(world.reviewer, request_of_twin, decision="reject", reason=RejectReason.NO_PORTRAIT)

    page = page_text(csrf_client(twin).get("/accounts/identity/"))

    assert "审核失败" in page and "照片缺少身份证人像照照片" in page


def test_rejecting_for_another_reason_passes_the_free_text_on(
    world, twin, request_of_twin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            world.reviewer,
            request_of_twin,
            decision="reject",
            reason=RejectReason.OTHER,
            note="照片中的证件已过有效期，请使用有效证件重新拍摄",
        )

    assert "照片中的证件已过有效期" in texts_to(twin.phone)[-1]
    assert "照片中的证件已过有效期" in page_text(csrf_client(twin).get("/accounts/identity/"))


def test_rejecting_for_another_reason_needs_the_free_text(world, request_of_twin):
    response = decide(world.reviewer, request_of_twin, decision="reject", reason="other")

    assert "请填写说明" in page_text(response)
    request_of_twin.refresh_from_db()
    assert request_of_twin.state == RequestState.PENDING


def test_rejecting_needs_a_reason(world, request_of_twin):
    response = decide(world.reviewer, request_of_twin, decision="reject")

    assert "请选择审核失败的原因" in page_text(response)
    request_of_twin.refresh_from_db()
    assert request_of_twin.state == RequestState.PENDING


def test_a_decided_request_cannot_be_decided_again(world, twin, request_of_twin):
    decide(world.reviewer, request_of_twin, decision="reject", reason=RejectReason.UNCLEAR)

    response = decide(world.reviewer, request_of_twin, decision="approve", confirm="1")

    assert "该申请已处理" in page_text(response) or "提交审核结果" not in page_text(response)
    twin.refresh_from_db()
    assert twin.state == AccountState.PENDING


def test_a_photo_request_of_an_account_approved_meanwhile_has_left_the_queue(
    world, twin, request_of_twin, django_capture_on_commit_callbacks
):
    facts = {
        "school": world.institution.name,
        "student_number": world.alice_record.student_number,
        "level": world.alice_record.level,
    }
    with django_capture_on_commit_callbacks(execute=True):
        csrf_post(csrf_client(twin), "/accounts/identity/facts/", facts, page="/accounts/identity/")
        # Issue 11: the facts make a claim; it completes when the holder confirms it.
        claim = IdentityClaim.objects.get(claimant=twin)
        claims.claim_confirm_by_holder(claim_id=claim.pk, holder=world.alice)

    assert detail(request_of_twin) not in page_text(csrf_client(world.reviewer).get(QUEUE))


# Phone and real-name requests -----------------------------------------------------------


def test_approving_a_phone_request_moves_the_phone(world, django_capture_on_commit_callbacks):
    world.bob.phone, world.bob.email = "13655556666", "bob@example.com"
    world.bob.save()
    world.alice.email = "alice@example.com"
    world.alice.save()
    req = phone_request_of(world.alice, "13655556666")

    with django_capture_on_commit_callbacks(execute=True):
        decide(world.reviewer, req, decision="approve", confirm="1")
    # Issue 11: bob keeps the phone until the window has passed without his objection.
    world.bob.refresh_from_db()
    assert world.bob.phone == "13655556666"
    claim = IdentityClaim.objects.get(claimant=world.alice, holder=world.bob)
    IdentityClaim.objects.filter(pk=claim.pk).update(takes_effect_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("complete_claims")

    world.alice.refresh_from_db()
    world.bob.refresh_from_db()
    assert (world.alice.phone, world.bob.phone) == ("13655556666", "")
    assert AuditEvent.objects.filter(action="accounts.phone_released", subject=world.bob).exists()


def test_an_approved_phone_request_is_told_to_the_student(
    world, django_capture_on_commit_callbacks
):
    req = phone_request_of(world.alice, "13655556666")

    with django_capture_on_commit_callbacks(execute=True):
        decide(world.reviewer, req, decision="approve", confirm="1")

    assert "审核已通过" in texts_to("13655556666")[-1]


def real_name_request_of(
    user, real_name: str, id_number: str, id_type: str = "resident_id"
) -> IdentityRequest:
    csrf_post(
        csrf_client(user),
        "/accounts/me/real-name/",
        {
            "real_name": real_name,
            "id_type": id_type,
            "id_number": id_number,
            "scan": upload(jpeg_bytes()),
        },
    )
    return IdentityRequest.objects.get(user=user, kind=RequestKind.REAL_NAME)


def test_approving_a_real_name_request_changes_name_and_id_number(world):
    number = factories.id_number()
    req = real_name_request_of(world.alice, "李晓玫", number)

    decide(world.reviewer, req, decision="approve", confirm="1")

    world.alice.refresh_from_db()
    assert (world.alice.real_name, world.alice.id_number) == ("李晓玫", number)
    event = AuditEvent.objects.get(action="accounts.real_name_changed")
    assert event.changes["real_name"] == ["李晓梅", "李晓玫"]
    assert event.actor == world.reviewer


def test_a_real_name_request_can_change_the_document_type(world):
    """A student who registered with a passport and now holds a 身份证 (or the reverse):
    the type changes with the number, and the reviewer sees which type is asked for."""
    holder = factories.user(
        username="kim.j", real_name="金敏", id_type="passport", id_number="E12345678"
    )
    number = factories.id_number()
    req = real_name_request_of(holder, "金敏", number, id_type="resident_id")

    page = page_text(csrf_client(world.reviewer).get(detail(req)))
    decide(world.reviewer, req, decision="approve", confirm="1")

    assert "<dt>申请证件类型</dt><dd>居民身份证</dd>" in page
    holder.refresh_from_db()
    assert (holder.id_type, holder.id_number) == ("resident_id", number)
    event = AuditEvent.objects.get(action="accounts.real_name_changed")
    assert event.changes["id_type"] == ["passport", "resident_id"]
    assert "real_name" not in event.changes


def test_a_change_of_the_document_type_alone_is_a_change(world):
    holder = factories.user(username="kim.j", id_type="passport", id_number="E12345678")

    req = real_name_request_of(holder, holder.real_name, "E12345678", id_type="hkmo_pass")

    assert req.requested_id_type == "hkmo_pass"


def test_a_request_filed_before_the_document_type_rule_is_checked_at_approval(world):
    """Third review: a request filed before validate_for_type (a resident ID number as a
    passport) would be approved as it stood."""
    req = IdentityRequest.objects.create(
        user=world.bob,
        kind=RequestKind.REAL_NAME,
        token="old-request-token-1",
        requested_real_name=world.bob.real_name,
        requested_id_type="passport",
        requested_id_number=world.alice.id_number,
    )

    response = decide(world.reviewer, req, decision="approve", confirm="1")

    assert "申请的证件号码不符合证件类型" in page_text(response)
    world.bob.refresh_from_db()
    assert world.bob.id_type == "resident_id"


def test_a_real_name_request_for_an_id_number_of_another_account_is_not_approved(world):
    req = real_name_request_of(world.alice, "王强", world.bob.id_number)

    response = decide(world.reviewer, req, decision="approve", confirm="1")

    assert "申请的证件号码已被其他账号使用" in page_text(response)
    req.refresh_from_db()
    world.alice.refresh_from_db()
    assert req.state == RequestState.PENDING
    assert world.alice.real_name == "李晓梅"


# Identity images ----------------------------------------------------------------------


def test_the_owner_can_fetch_their_own_images(twin, request_of_twin):
    response = csrf_client(twin).get(image_url(request_of_twin))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_reviewer_can_fetch_the_images(world, request_of_twin):
    response = csrf_client(world.reviewer).get(image_url(request_of_twin, "back"))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


@pytest.mark.parametrize("persona", ["alice", "bob", "registrar", "counselor"])
def test_anyone_else_gets_404_for_the_images(world, request_of_twin, persona):
    response = csrf_client(world.persona(persona)).get(image_url(request_of_twin))

    assert response.status_code == 404


def test_anonymous_people_are_sent_to_log_in_for_the_images(client, request_of_twin):
    assert client.get(image_url(request_of_twin))["Location"].startswith("/accounts/login/")


def test_approving_a_request_that_cancels_an_account_asks_for_confirmation_first(
    world, twin, request_of_twin
):
    """Issue 15: approval cancels the other account of the ID number; the first 通过
    only asks again, naming the account, and changes nothing."""
    response = decide(world.reviewer, request_of_twin, decision="approve", note="")

    page = page_text(response)
    assert "确认通过？" in page and f"<li>{world.alice.username} ·" in page
    assert 'name="confirm" value="1"' in page
    request_of_twin.refresh_from_db()
    assert request_of_twin.state == RequestState.PENDING
    assert not IdentityClaim.objects.filter(claimant=twin).exists()

    confirmed = decide(world.reviewer, request_of_twin, decision="approve", confirm="1")

    assert confirmed.status_code == 302
    request_of_twin.refresh_from_db()
    assert request_of_twin.state != RequestState.PENDING


def test_rejecting_needs_no_confirmation(world, twin, request_of_twin):
    response = decide(
        world.reviewer, request_of_twin, decision="reject", reason=RejectReason.UNCLEAR, note=""
    )

    assert response.status_code == 302
    request_of_twin.refresh_from_db()
    assert request_of_twin.state == RequestState.REJECTED
