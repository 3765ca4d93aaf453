"""Identity claims (issue 11 items 1-3): a passed check never cancels a holder on the spot.

The takeover of the issue driven through HTTP; the dispute window completed by the
command, the worker's task and the claimant's own page; the holder's objection and her own
confirmation; staff holders; the 客服 phone route; the move of everything an account held."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import sms
from accounts.models import (
    AccountState,
    AssistState,
    ClaimRoute,
    ClaimState,
    ClassmateAssist,
    IdentityClaim,
    RequestState,
    Role,
    User,
)
from accounts.services import claim_review, claims, identity, identity_requests
from imaging.models import Photo, PhotoKind, PhotoState, PhotoVerification
from notices.models import Notice, NoticeState, Reminder
from portal.lib.models import AuditEvent
from records.identity import services as identity_proof
from records.models import (
    DiscrepancyEvidence,
    DiscrepancyReport,
    OnlineReport,
    RecordConfirmation,
)
from records.online_reports.services import code_generate
from tests import factories
from tests.accounts.helpers import (
    csrf_client,
    csrf_post,
    degree,
    jpeg_bytes,
    mails_to,
    page_text,
    phone_request_of,
    photo_request,
    sms_code,
    texts_to,
    upload,
)

ALICE_PHONE, ALICE_MAIL = "13711112222", "alice@example.com"
THIEF_PHONE = "13800001111"
IDENTITY = "/accounts/identity/"
QUEUE = "/accounts/identity-queue/"


@pytest.fixture
def alice(world):
    """The holder, with every channel: phone, e-mail, and a browser session."""
    world.alice.phone, world.alice.email = ALICE_PHONE, ALICE_MAIL
    world.alice.save()
    return world.alice


def facts_of(record) -> dict:
    """What 提供学籍或学历信息 asks: facts on any class list."""
    return {
        "school": record.institution.name,
        "student_number": record.student_number,
        "level": record.level,
    }


def alice_facts(world) -> dict:
    return facts_of(world.alice_record)


def pending_twin(of, username: str):
    """Another 我要重新注册 account with the name and ID number of `of`."""
    return factories.user(
        username=username, real_name=of.real_name, id_number=of.id_number, state="pending"
    )


def thief_registers(world) -> tuple:
    """我要重新注册 with alice's name and ID number and the thief's own phone, then
    提供学籍或学历信息 with the facts of any class list: the four requests of the issue."""
    client = csrf_client()
    data = {
        "real_name": world.alice.real_name,
        "id_type": "resident_id",
        "id_number": world.alice.id_number,
        "phone": THIEF_PHONE,
        "email": "",
        "username": "thief",
        "password1": "bamboo-lantern-river-42",
        "password2": "bamboo-lantern-river-42",
        "accept_terms": "on",
        "reregister": "on",
    }
    csrf_post(client, "/accounts/register/", {**data, "action": "send_code"})
    response = csrf_post(
        client,
        "/accounts/register/",
        {**data, "action": "register", "code": sms_code(THIEF_PHONE)},
    )
    assert response["Location"] == IDENTITY
    response = csrf_post(client, "/accounts/identity/facts/", alice_facts(world), page=IDENTITY)
    return client, User.objects.get(username="thief"), response


def make_due(claim: IdentityClaim) -> None:
    """The window has passed: the claim's dates moved back instead of sleeping."""
    past = timezone.now() - datetime.timedelta(seconds=1)
    IdentityClaim.objects.filter(pk=claim.pk).update(
        ready_at=past - datetime.timedelta(hours=72), takes_effect_at=past
    )


def facts_claim(world, twin, capture) -> IdentityClaim:
    with capture(execute=True):
        csrf_post(csrf_client(twin), "/accounts/identity/facts/", alice_facts(world), page=IDENTITY)
    return IdentityClaim.objects.get(claimant=twin)


@pytest.fixture
def claim(world, alice, twin, django_capture_on_commit_callbacks) -> IdentityClaim:
    """The twin's claim on alice's number by enrollment facts: ready, alice told by every
    channel, her window to object running."""
    return facts_claim(world, twin, django_capture_on_commit_callbacks)


# The takeover of the issue ------------------------------------------------------------------


def test_the_takeover_of_the_issue_leaves_the_holder_in_place_told_and_able_to_object(
    world, alice, django_capture_on_commit_callbacks
):
    session = csrf_client(alice)
    assert session.get("/records/mine/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        thief_client, thief, response = thief_registers(world)

    # Nothing is taken: the holder stays active, keeps her records and her session.
    assert response["Location"] == IDENTITY
    alice.refresh_from_db()
    thief.refresh_from_db()
    world.alice_record.refresh_from_db()
    assert (alice.state, alice.is_active) == (AccountState.ACTIVE, True)
    assert thief.state == AccountState.PENDING
    assert world.alice_record.user == alice
    assert session.get("/records/mine/").status_code == 200
    assert thief_client.get("/records/mine/").status_code in (302, 403)
    claim = IdentityClaim.objects.get(claimant=thief)
    assert (claim.holder, claim.state, claim.route) == (alice, ClaimState.READY, "facts")
    window = claim.takes_effect_at - claim.ready_at
    assert window == datetime.timedelta(hours=72)

    # She is told at once, by every channel, who claims (masked phone), when, how.
    for text in (texts_to(ALICE_PHONE)[-1], mails_to(ALICE_MAIL)[-1]):
        assert "138****1111" in text
        assert "提供学籍或学历信息" in text
        assert "不是我本人操作" in text
        assert THIEF_PHONE not in text
    page = page_text(session.get("/records/mine/"))
    assert "有人申领您账号的证件号码" in page
    assert "138****1111" in page
    assert "不是我本人操作" in page
    assert f"/accounts/claims/{claim.pk}/object/" in page

    # 不是我本人操作 freezes the claim and sends both sides to the 客服 queue.
    response = csrf_post(session, f"/accounts/claims/{claim.pk}/object/", {}, page="/")
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.DISPUTED
    assert claim.objected_at is not None
    event = AuditEvent.objects.get(action="accounts.claim_objected")
    assert (event.actor, event.subject) == (alice, alice)
    queue = page_text(csrf_client(world.reviewer).get(QUEUE))
    assert f"/accounts/identity-claims/{claim.pk}/" in queue

    # A frozen claim never completes by the window.
    make_due(claim)
    call_command("complete_claims")
    alice.refresh_from_db()
    assert alice.state == AccountState.ACTIVE
    assert IdentityClaim.objects.get(pk=claim.pk).state == ClaimState.DISPUTED
    assert "客服正在核实" in page_text(session.get("/records/mine/"))


def test_the_reviewer_sees_both_accounts_side_by_side_and_rejects_the_claim(
    world, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _, thief, _ = thief_registers(world)
        claim = IdentityClaim.objects.get(claimant=thief)
        csrf_post(csrf_client(alice), f"/accounts/claims/{claim.pk}/object/", {}, page="/")
    reviewer = csrf_client(world.reviewer)
    url = f"/accounts/identity-claims/{claim.pk}/"

    page = page_text(reviewer.get(url))

    assert "thief" in page and alice.username in page
    assert "申领账号" in page and "原账号" in page
    assert "accounts.registered" in page  # the claimant's history
    assert "accounts.claim_objected" in page  # the holder's history
    assert world.alice_record.student_number in page  # her bindings
    assert AuditEvent.objects.filter(action="accounts.claim_viewed", actor=world.reviewer)

    viewed = AuditEvent.objects.filter(action="accounts.claim_viewed").count()
    refused = csrf_post(reviewer, url, {"decision": "reject", "note": ""}, page=QUEUE)
    assert "驳回时请填写说明" in page_text(refused)
    # The refused POST showed both accounts again: that look is recorded as well.
    assert AuditEvent.objects.filter(action="accounts.claim_viewed").count() == viewed + 1
    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_post(reviewer, url, {"decision": "reject", "note": "原账号本人已核实"})

    assert response["Location"] == QUEUE
    claim.refresh_from_db()
    thief.refresh_from_db()
    alice.refresh_from_db()
    assert claim.state == ClaimState.CANCELLED
    assert claim.decided_by == world.reviewer
    assert (thief.state, alice.state) == (AccountState.PENDING, AccountState.ACTIVE)
    assert alice.claim_alert_at is None
    assert "有人申领" not in page_text(csrf_client(alice).get("/records/mine/"))
    assert "原账号本人已核实" in texts_to(THIEF_PHONE)[-1]


def test_the_reviewer_finds_a_disputed_claim_from_her_home_and_must_choose(
    world, alice, django_capture_on_commit_callbacks
):
    """Her home counted photo requests only, the queue drew the disputes inside the page
    title, and a decision sent without a choice approved the claim."""
    with django_capture_on_commit_callbacks(execute=True):
        _, thief, _ = thief_registers(world)
        claim = IdentityClaim.objects.get(claimant=thief)
        csrf_post(csrf_client(alice), f"/accounts/claims/{claim.pk}/object/", {}, page="/")
    reviewer = csrf_client(world.reviewer)
    url = f"/accounts/identity-claims/{claim.pk}/"

    assert "待处理的申领争议：1 件" in page_text(reviewer.get("/"))
    queue = page_text(reviewer.get(QUEUE))
    title = queue[queue.index("<title>") : queue.index("</title>")]
    assert "<" not in title[len("<title>") :] and "申领争议" not in title
    assert queue.count("申领争议与工作人员账号申领") == 1
    assert f'href="{url}"' in queue
    page = page_text(reviewer.get(url))
    assert '<option value="" selected>' in page

    response = csrf_post(reviewer, url, {"note": ""})

    assert "请选择处理结果" in page_text(response)
    assert IdentityClaim.objects.get(pk=claim.pk).state == ClaimState.DISPUTED


def test_the_claimant_page_says_where_her_claim_stands_at_each_step(
    world, alice, django_capture_on_commit_callbacks
):
    """After passing, the three routes were still offered; after an objection the page
    could not say which of two things had happened; after a refusal it said nothing."""
    with django_capture_on_commit_callbacks(execute=True):
        thief_client, thief, _ = thief_registers(world)
    claim = IdentityClaim.objects.get(claimant=thief)

    page = page_text(thief_client.get(IDENTITY))
    assert "身份核验已通过，等待生效" in page and "途径一" not in page
    assert "可通过以下任一途径验证" not in page

    with django_capture_on_commit_callbacks(execute=True):
        csrf_post(csrf_client(alice), f"/accounts/claims/{claim.pk}/object/", {}, page="/")
    page = page_text(thief_client.get(IDENTITY))
    assert "原账号持有人提出了异议" in page and "等待生效" not in page and "途径一" not in page

    reviewer = csrf_client(world.reviewer)
    url = f"/accounts/identity-claims/{claim.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        csrf_post(reviewer, url, {"decision": "reject", "note": "原账号本人已到校核实。"})
    page = page_text(thief_client.get(IDENTITY))
    assert "上一次申领未通过" in page and "原账号本人已到校核实" in page and "途径一" in page
    told = [m.text for m in sms.outbox if m.phone == THIEF_PHONE][-1]
    assert "您通过“提供学籍或学历信息”提出的申领" in told and "。。" not in told


def test_the_reviewer_sees_who_looked_at_the_holders_record_too(world, alice, claim):
    """Her history showed only events with her as subject, not the accesses that name
    her among their students (issue 11 item 9)."""
    claims.claim_object(claim_id=claim.pk, holder=alice)
    from portal.lib.audit import log_access

    # An export of her class names her among others (no single subject).
    log_access(
        world.counselor,
        "notices.sheet_exported",
        None,
        students=[world.alice_record, world.bob_record],
    )

    page = page_text(csrf_client(world.reviewer).get(f"/accounts/identity-claims/{claim.pk}/"))

    assert "notices.sheet_exported" in page


def test_a_claim_the_reviewers_refused_goes_to_them_again_not_to_the_window(
    world, alice, twin, claim, django_capture_on_commit_callbacks
):
    claims.claim_object(claim_id=claim.pk, holder=alice)
    with django_capture_on_commit_callbacks(execute=True):
        claim_review.claim_review_reject(claim=claim, by=world.reviewer, note="原账号本人已核实")

    with django_capture_on_commit_callbacks(execute=True):
        again = identity_proof.identity_facts_check(user=twin, **alice_facts(world))

    assert (again.state, again.takes_effect_at) == (ClaimState.REVIEW, None)
    make_due(again)
    call_command("complete_claims")
    alice.refresh_from_db()
    assert alice.state == AccountState.ACTIVE


def test_a_holder_no_text_or_mail_can_reach_is_never_cancelled_by_the_window(
    world, django_capture_on_commit_callbacks
):
    """Her phone was taken over and she gave no e-mail: only the banner would tell her,
    and only if she happened to log in. Public facts alone must not cancel her account
    when she cannot be told: the claim goes to the reviewers instead of the window."""
    holder = world.alice
    holder.phone, holder.email = "", ""
    holder.save()

    with django_capture_on_commit_callbacks(execute=True):
        _, thief, _ = thief_registers(world)

    claim = IdentityClaim.objects.get(claimant=thief)
    assert (claim.state, claim.takes_effect_at) == (ClaimState.REVIEW, None)
    make_due(claim)
    call_command("complete_claims")
    holder.refresh_from_db()
    world.alice_record.refresh_from_db()
    assert holder.state == AccountState.ACTIVE
    assert world.alice_record.user == holder


def test_once_the_holder_objected_a_new_pending_account_gets_no_fresh_window(
    world, alice, claim, django_capture_on_commit_callbacks
):
    """Issue 11 review: after her objection, another pending account with her facts got
    a new ready claim and 72 hours: she had to object every time."""
    claims.claim_object(claim_id=claim.pk, holder=alice)
    another = pending_twin(alice, "another_new")

    with django_capture_on_commit_callbacks(execute=True):
        later = identity_proof.identity_facts_check(user=another, **alice_facts(world))

    assert (later.state, later.takes_effect_at) == (ClaimState.REVIEW, None)
    make_due(later)
    call_command("complete_claims")
    alice.refresh_from_db()
    assert alice.state == AccountState.ACTIVE


def test_the_claimant_is_not_told_why_her_claim_went_to_the_reviewers(twin, claim):
    """The review text said "原账号为工作人员账号": it told a stranger the holder is staff."""
    IdentityClaim.objects.filter(pk=claim.pk).update(state=ClaimState.REVIEW, takes_effect_at=None)

    page = page_text(csrf_client(twin).get(IDENTITY))

    assert "该申领需由客服核实" in page and "工作人员" not in page


def test_one_objection_stops_every_claim_on_her_number_waiting_out_its_window(
    world, alice, twin, django_capture_on_commit_callbacks
):
    """Second review: two pending accounts, two ready claims; she objected to one, the
    other completed at the end of its window and cancelled her."""
    first = facts_claim(world, twin, django_capture_on_commit_callbacks)
    another = pending_twin(alice, "another_new")
    with django_capture_on_commit_callbacks(execute=True):
        second = identity_proof.identity_facts_check(user=another, **alice_facts(world))
    assert second.state == ClaimState.READY

    claims.claim_object(claim_id=first.pk, holder=alice)

    second.refresh_from_db()
    assert (second.state, second.takes_effect_at) == (ClaimState.REVIEW, None)
    make_due(second)
    call_command("complete_claims")
    alice.refresh_from_db()
    assert alice.state == AccountState.ACTIVE
    assert IdentityClaim.objects.get(pk=first.pk).state == ClaimState.DISPUTED


def test_the_reviewer_approving_a_disputed_claim_moves_the_account(
    world, alice, twin, claim, django_capture_on_commit_callbacks
):
    claims.claim_object(claim_id=claim.pk, holder=alice)

    with django_capture_on_commit_callbacks(execute=True):
        csrf_post(
            csrf_client(world.reviewer),
            f"/accounts/identity-claims/{claim.pk}/",
            {"decision": "approve", "confirm": "1"},
        )

    twin.refresh_from_db()
    alice.refresh_from_db()
    assert (twin.state, alice.state) == (AccountState.ACTIVE, AccountState.CANCELLED)
    assert IdentityClaim.objects.get(pk=claim.pk).decided_by == world.reviewer


# The window ------------------------------------------------------------------------------------


def test_an_unopposed_claim_completes_after_the_window_by_the_command(
    world, alice, twin, django_capture_on_commit_callbacks
):
    session = csrf_client(alice)
    claim = facts_claim(world, twin, django_capture_on_commit_callbacks)

    call_command("complete_claims")  # not due yet: nothing happens
    assert IdentityClaim.objects.get(pk=claim.pk).state == ClaimState.READY
    make_due(claim)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("complete_claims")

    claim.refresh_from_db()
    twin.refresh_from_db()
    alice.refresh_from_db()
    world.alice_record.refresh_from_db()
    assert claim.state == ClaimState.COMPLETED
    assert (twin.state, alice.state, alice.is_active) == (
        AccountState.ACTIVE,
        AccountState.CANCELLED,
        False,
    )
    assert world.alice_record.user == twin
    assert alice.claim_alert_at is None
    assert session.get("/records/mine/")["Location"].startswith("/accounts/login/")
    event = AuditEvent.objects.get(action="accounts.claim_completed")
    assert event.actor is None and "等待期满" in event.reason
    call_command("complete_claims")  # again: nothing more happens
    assert AuditEvent.objects.filter(action="accounts.claim_completed").count() == 1


@override_settings(IDENTITY_DISPUTE_WINDOW=60)
def test_the_window_is_a_setting(world, twin, django_capture_on_commit_callbacks):
    claim = facts_claim(world, twin, django_capture_on_commit_callbacks)

    assert claim.takes_effect_at - claim.ready_at == datetime.timedelta(seconds=60)


DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks
@override_settings(TASKS=DATABASE_QUEUE)
def test_the_worker_completes_the_claim_when_its_deferred_task_falls_due(
    world, alice, twin, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    claim = facts_claim(world, twin, django_capture_on_commit_callbacks)
    queued = DBTaskResult.objects.get(task_path="accounts.tasks.complete_claim")
    assert queued.run_after == claim.takes_effect_at
    assert queued.args_kwargs["kwargs"] == {"claim_id": claim.pk}

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert IdentityClaim.objects.get(pk=claim.pk).state == ClaimState.READY  # not yet due

    make_due(claim)
    DBTaskResult.objects.update(run_after=timezone.now() - datetime.timedelta(seconds=1))
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    claim.refresh_from_db()
    twin.refresh_from_db()
    assert claim.state == ClaimState.COMPLETED
    assert twin.state == AccountState.ACTIVE


def test_one_task_completes_every_claim_that_is_due(
    world, alice, twin, django_capture_on_commit_callbacks
):
    """A task lost with its worker is made good by the next one that runs."""
    from accounts.tasks import complete_claim

    first = facts_claim(world, twin, django_capture_on_commit_callbacks)
    world.bob.email = "bob@example.com"  # a holder who can be told: her claim has a window
    world.bob.save(update_fields=["email"])
    bob_twin = pending_twin(world.bob, "bob_new")
    with django_capture_on_commit_callbacks(execute=True):
        second = identity_proof.identity_facts_check(user=bob_twin, **facts_of(world.bob_record))
    make_due(first)
    make_due(second)

    with django_capture_on_commit_callbacks(execute=True):
        complete_claim.call(first.pk)

    second.refresh_from_db()
    assert second.state == ClaimState.COMPLETED
    world.bob.refresh_from_db()
    assert world.bob.state == AccountState.CANCELLED


def test_the_task_leaves_a_claim_objected_to_meanwhile(
    world, alice, twin, django_capture_on_commit_callbacks
):
    from accounts.tasks import complete_claim

    claim = facts_claim(world, twin, django_capture_on_commit_callbacks)
    claims.claim_object(claim_id=claim.pk, holder=alice)
    make_due(claim)

    complete_claim.call(claim_id=claim.pk)

    alice.refresh_from_db()
    assert alice.state == AccountState.ACTIVE
    assert IdentityClaim.objects.get(pk=claim.pk).state == ClaimState.DISPUTED


def test_the_claimant_opening_her_page_after_the_window_completes_it(twin, claim):
    client = csrf_client(twin)
    assert "如无异议，将于" in page_text(client.get(IDENTITY))
    make_due(claim)

    response = client.get(IDENTITY)

    assert response["Location"] == "/"
    twin.refresh_from_db()
    assert twin.state == AccountState.ACTIVE


# The holder's own confirmation --------------------------------------------------------------------


def test_the_holders_own_confirmation_completes_the_claim_at_once(
    alice, twin, claim, django_capture_on_commit_callbacks
):
    session = csrf_client(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_post(
            session,
            f"/accounts/claims/{claim.pk}/confirm/",
            {"password": factories.PASSWORD},
            page="/",
        )

    assert response["Location"] == "/accounts/login/"
    claim.refresh_from_db()
    twin.refresh_from_db()
    alice.refresh_from_db()
    assert claim.state == ClaimState.COMPLETED
    assert claim.decided_by == alice
    assert (twin.state, alice.state) == (AccountState.ACTIVE, AccountState.CANCELLED)
    event = AuditEvent.objects.get(action="accounts.claim_completed")
    assert event.actor == alice and "原账号持有人确认" in event.reason


def test_the_banner_asks_before_the_holder_gives_her_account_away(alice, claim):
    """One tap on the banner must not cancel her account: it opens a page that says what
    confirming does, and only its POST completes the claim."""
    session = csrf_client(alice)
    url = f"/accounts/claims/{claim.pk}/confirm/"
    assert f'href="{url}"' in page_text(session.get("/"))

    page = page_text(session.get(url))

    assert "本账号将立即注销，不能恢复" in page and "不是我本人操作" in page
    assert f'href="{url}"' not in page  # no banner leading back to this very page
    assert IdentityClaim.objects.get(pk=claim.pk).state == ClaimState.READY
    alice.refresh_from_db()
    assert alice.state == AccountState.ACTIVE


def test_giving_the_account_away_asks_for_her_password(alice, claim):
    """Issue 11 review: anyone at her open session (a lab computer) could give it away."""
    session = csrf_client(alice)
    url = f"/accounts/claims/{claim.pk}/confirm/"

    for typed in ("", "not-her-password"):
        page = page_text(csrf_post(session, url, {"password": typed}, page=url))
        assert "密码" in page and IdentityClaim.objects.get(pk=claim.pk).is_open
    assert "密码不正确" in page
    for _ in range(4):
        csrf_post(session, url, {"password": "not-her-password"}, page=url)
    throttled = page_text(csrf_post(session, url, {"password": factories.PASSWORD}, page=url))

    assert "后再试" in throttled
    alice.refresh_from_db()
    assert alice.state == AccountState.ACTIVE


def test_only_the_holder_may_answer_a_claim(world, claim):
    for other in (world.bob, world.reviewer):
        for action in ("object", "confirm"):
            response = csrf_post(
                csrf_client(other), f"/accounts/claims/{claim.pk}/{action}/", {}, page="/"
            )
            assert response.status_code == 404
    assert IdentityClaim.objects.get(pk=claim.pk).state == ClaimState.READY


def test_an_answer_without_the_csrf_token_is_refused(alice, claim):
    response = csrf_client(alice).post(f"/accounts/claims/{claim.pk}/confirm/")

    assert response.status_code == 403
    assert IdentityClaim.objects.get(pk=claim.pk).state == ClaimState.READY


def test_objecting_twice_says_the_claim_is_already_with_the_reviewers(alice, claim):
    session = csrf_client(alice)
    csrf_post(session, f"/accounts/claims/{claim.pk}/object/", {}, page="/")

    response = csrf_post(session, f"/accounts/claims/{claim.pk}/object/", {}, page="/")

    assert "您已提出异议，客服正在处理" in page_text(session.get(response["Location"]))


# Every route makes a claim, never a cancellation ---------------------------------------------------


def test_the_classmate_sees_who_asks_and_is_warned_to_confirm_in_person(world, twin):
    csrf_post(
        csrf_client(twin),
        "/accounts/identity/classmate/",
        {"name": "王强", "student_number": world.bob_record.student_number},
        page=IDENTITY,
    )

    page = page_text(csrf_client(world.bob).get("/accounts/me/"))

    assert "139****0001" in page  # twin's phone, masked
    assert timezone.localtime(ClassmateAssist.objects.get().created_at).strftime("%Y-%m-%d") in page
    assert "当面" in page


def test_a_classmates_confirmation_makes_a_claim_and_stale_assists_close_with_it(
    world, alice, twin, django_capture_on_commit_callbacks
):
    csrf_post(
        csrf_client(twin),
        "/accounts/identity/classmate/",
        {"name": "王强", "student_number": world.bob_record.student_number},
        page=IDENTITY,
    )
    stale = ClassmateAssist.objects.create(requester=twin, classmate=world.dave)
    assist = ClassmateAssist.objects.get(classmate=world.bob)

    with django_capture_on_commit_callbacks(execute=True):
        csrf_post(
            csrf_client(world.bob),
            f"/accounts/assists/{assist.pk}/decide/",
            {"confirm": "yes"},
            page="/accounts/me/",
        )

    alice.refresh_from_db()
    assert alice.state == AccountState.ACTIVE
    claim = IdentityClaim.objects.get(claimant=twin)
    assert (claim.route, claim.state) == (ClaimRoute.CLASSMATE, ClaimState.READY)
    assert "大学同班同学协助" in mails_to(ALICE_MAIL)[-1]

    with django_capture_on_commit_callbacks(execute=True):
        claims.claim_confirm_by_holder(claim_id=claim.pk, holder=alice)

    stale.refresh_from_db()
    assert stale.state == AssistState.CLOSED


def test_a_reviewers_approval_of_the_photos_makes_a_claim(
    world, alice, twin, django_capture_on_commit_callbacks
):
    req = photo_request(twin)

    with django_capture_on_commit_callbacks(execute=True):
        csrf_post(
            csrf_client(world.reviewer),
            f"{QUEUE}{req.pk}/",
            {"decision": "approve", "confirm": "1"},
        )

    req.refresh_from_db()
    alice.refresh_from_db()
    assert req.state == RequestState.APPROVED
    assert alice.state == AccountState.ACTIVE
    claim = IdentityClaim.objects.get(claimant=twin)
    assert (claim.route, claim.state, claim.request) == ("id_photos", ClaimState.READY, req)


def test_with_no_active_holder_the_account_is_approved_at_once(world, twin):
    world.alice.state, world.alice.is_active = AccountState.CANCELLED, False
    world.alice.save()

    response = csrf_post(
        csrf_client(twin), "/accounts/identity/facts/", alice_facts(world), page=IDENTITY
    )

    assert response["Location"] == "/"
    twin.refresh_from_db()
    assert twin.state == AccountState.ACTIVE
    assert not IdentityClaim.objects.exists()


# A staff holder is never cancelled by a claim ----------------------------------------------------


@pytest.mark.parametrize("role", [Role.COUNSELOR, Role.REGISTRAR, Role.IDENTITY_REVIEWER])
def test_a_claim_on_a_staff_account_goes_to_the_reviewers_never_cancels_it(
    world, role, django_capture_on_commit_callbacks
):
    number = factories.id_number()
    staff = factories.user(role, real_name="周老师", email="staff@example.com", id_number=number)
    staff_record = factories.record(world.class_a, name="周老师", id_number=number)
    claimant = factories.user(
        real_name="周老师", id_number=staff.id_number, state=AccountState.PENDING
    )
    facts = {
        "school": staff_record.institution.name,
        "student_number": staff_record.student_number,
        "level": staff_record.level,
    }

    with django_capture_on_commit_callbacks(execute=True):
        csrf_post(csrf_client(claimant), "/accounts/identity/facts/", facts, page=IDENTITY)

    claim = IdentityClaim.objects.get(claimant=claimant)
    assert claim.state == ClaimState.REVIEW
    assert claim.takes_effect_at is None
    assert "不会因此自动注销" in mails_to("staff@example.com")[-1]
    call_command("complete_claims")
    reviewer = csrf_client(world.reviewer)
    url = f"/accounts/identity-claims/{claim.pk}/"
    assert url in page_text(reviewer.get(QUEUE))
    response = csrf_post(reviewer, url, {"decision": "approve", "confirm": "1"})
    assert "不能因身份核验或申领被注销" in page_text(response)  # identity_approve's message now
    with pytest.raises(Exception, match="工作人员账号"):
        identity.identity_approve(user=claimant, by=world.reviewer, route="facts")
    staff.refresh_from_db()
    claimant.refresh_from_db()
    assert (staff.state, staff.is_active) == (AccountState.ACTIVE, True)
    assert claimant.state == AccountState.PENDING


# The 客服 phone route ----------------------------------------------------------------------------


def test_the_phone_route_shows_the_holder_tells_her_and_moves_only_after_the_window(
    world, alice, django_capture_on_commit_callbacks
):
    req = phone_request_of(world.bob, ALICE_PHONE)
    reviewer = csrf_client(world.reviewer)

    page = page_text(reviewer.get(f"{QUEUE}{req.pk}/"))
    assert "该手机号目前的持有账号" in page
    assert alice.username in page
    with django_capture_on_commit_callbacks(execute=True):
        csrf_post(reviewer, f"{QUEUE}{req.pk}/", {"decision": "approve", "confirm": "1"})

    alice.refresh_from_db()
    world.bob.refresh_from_db()
    assert (alice.phone, world.bob.phone) == (ALICE_PHONE, "")
    claim = IdentityClaim.objects.get(route=ClaimRoute.PHONE)
    assert (claim.holder, claim.claimant, claim.state) == (alice, world.bob, ClaimState.READY)
    # Told by e-mail and the banner, not only by SMS to the very number claimed.
    assert "137****2222" in mails_to(ALICE_MAIL)[-1]
    assert "不是我本人操作" in mails_to(ALICE_MAIL)[-1]
    # The requester's own log says the phone is still to come, and when.
    log = page_text(csrf_client(world.bob).get("/accounts/me/"))
    assert "等待原持有人确认；无异议将于" in log
    banner = page_text(csrf_client(alice).get("/records/mine/"))
    assert "有人申请您账号绑定的手机号" in banner
    # What is asked of her: her phone 137****2222 moves (not "a new account" of hers).
    assert "申请将您账号绑定的手机号 137****2222 转入该账号" in banner
    assert "同意转出该手机号" in banner and "新账号" not in banner

    make_due(claim)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("complete_claims")

    alice.refresh_from_db()
    world.bob.refresh_from_db()
    assert (alice.phone, world.bob.phone) == ("", ALICE_PHONE)
    assert alice.state == AccountState.ACTIVE
    assert AuditEvent.objects.filter(action="accounts.phone_released", subject=alice).exists()


def test_the_phone_holder_objecting_keeps_her_phone(
    world, alice, django_capture_on_commit_callbacks
):
    req = phone_request_of(world.bob, ALICE_PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        identity_requests.identity_request_approve(req=req, by=world.reviewer)
    claim = IdentityClaim.objects.get(route=ClaimRoute.PHONE)

    csrf_post(csrf_client(alice), f"/accounts/claims/{claim.pk}/object/", {}, page="/")
    make_due(claim)
    call_command("complete_claims")

    alice.refresh_from_db()
    assert alice.phone == ALICE_PHONE
    assert IdentityClaim.objects.get(pk=claim.pk).state == ClaimState.DISPUTED


def test_after_she_objected_a_new_claim_on_her_phone_goes_to_the_reviewers(
    world, alice, django_capture_on_commit_callbacks
):
    req = phone_request_of(world.bob, ALICE_PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        identity_requests.identity_request_approve(req=req, by=world.reviewer)
    first = IdentityClaim.objects.get(route=ClaimRoute.PHONE)
    claims.claim_object(claim_id=first.pk, holder=alice)

    again = phone_request_of(world.carol, ALICE_PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        identity_requests.identity_request_approve(req=again, by=world.reviewer)

    later = IdentityClaim.objects.get(route=ClaimRoute.PHONE, claimant=world.carol)
    assert (later.state, later.takes_effect_at) == (ClaimState.REVIEW, None)


# The move covers everything the old account held -----------------------------------------------------


def test_completion_moves_every_object_kind_and_the_monitor_role_in_one_audited_step(
    world, alice, twin, django_capture_on_commit_callbacks
):
    record = world.alice_record
    diploma = degree(record, user=alice)
    photo = Photo(record=record, kind=PhotoKind.ENROLLMENT, token=factories.token())
    photo.width, photo.height, photo.sha256 = 36, 44, "0" * 64
    photo.image.save("p.jpg", upload(jpeg_bytes()), save=False)
    photo.save()
    verification = PhotoVerification.objects.create(
        photo=photo, user=alice, result=PhotoState.CONFIRMED
    )
    confirmation = RecordConfirmation.objects.create(record=record, user=alice)
    report = DiscrepancyReport.objects.create(record=record, user=alice, explanation="民族有误")
    evidence = DiscrepancyEvidence(
        report=report, kind="hukou", token=factories.token(), extension=".jpg",
        content_type="image/jpeg", size=10,
    )  # fmt: skip
    evidence.file.save("e.jpg", upload(jpeg_bytes()), save=False)
    evidence.save()
    online = OnlineReport.objects.create(
        record=record,
        user=alice,
        code=code_generate(),
        valid_until=timezone.now() + datetime.timedelta(days=30),
    )
    notice = Notice.objects.create(
        institution=world.institution, number="N-9", title="通知", issuing_office="教务处",
        issue_date="2026-10-23", body="正文", state=NoticeState.PUBLISHED,
        created_by=world.registrar,
    )  # fmt: skip
    reminder = Reminder.objects.create(
        notice=notice, record=record, user=alice, day=datetime.date.today(), channels="sms",
        sent_by=world.counselor,
    )  # fmt: skip
    assert record.school_class.monitor == alice
    claim = facts_claim(world, twin, django_capture_on_commit_callbacks)
    make_due(claim)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("complete_claims")

    for obj in (record, diploma, verification, confirmation, report, online, reminder):
        obj.refresh_from_db()
        assert obj.user == twin, type(obj).__name__
    evidence.refresh_from_db()
    assert evidence.report.user == twin
    photo.refresh_from_db()
    assert photo.record.user == twin
    record.school_class.refresh_from_db()
    assert record.school_class.monitor == twin  # a cancelled monitor no longer monitors
    moved = AuditEvent.objects.get(action="accounts.holdings_moved")
    assert moved.subject == twin and alice.username in moved.reason
    assert set(moved.changes) >= {
        "enrollment_records", "degree_records", "confirmations", "discrepancy_reports",
        "online_reports", "monitored_classes", "photo_verifications", "reminders",
    }  # fmt: skip


def test_a_failed_completion_leaves_nothing_half_moved(
    world, alice, twin, django_capture_on_commit_callbacks, monkeypatch
):
    from accounts import transfer

    claim = facts_claim(world, twin, django_capture_on_commit_callbacks)
    make_due(claim)

    def broken(*, old, new, now):
        raise RuntimeError("disk full")

    monkeypatch.setattr(transfer, "_movers", [*transfer._movers, broken])
    with pytest.raises(RuntimeError):
        claims.claim_complete(claim_id=claim.pk, by=None, how="test")

    alice.refresh_from_db()
    world.alice_record.refresh_from_db()
    assert alice.state == AccountState.ACTIVE
    assert world.alice_record.user == alice
    assert world.alice_record.school_class.monitor == alice
    assert IdentityClaim.objects.get(pk=claim.pk).state == ClaimState.READY


# The banner costs nothing to people without a claim ----------------------------------------------------


def test_the_banner_adds_no_query_to_the_pages_of_everyone_else(
    world, alice, twin, django_capture_on_commit_callbacks
):
    bob = csrf_client(world.bob)
    bob.get("/records/mine/")
    with CaptureQueriesContext(connection) as before:
        bob.get("/records/mine/")

    facts_claim(world, twin, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as after:
        page = page_text(bob.get("/records/mine/"))

    assert len(after.captured_queries) == len(before.captured_queries)
    assert "不是我本人操作" not in page


def test_nothing_is_sent_before_the_claim_commits(world, alice, twin):
    mail.outbox.clear()
    sms.outbox.clear()
    with pytest.raises(RuntimeError):
        from django.db import transaction

        with transaction.atomic():
            identity_proof.identity_facts_check(user=twin, **alice_facts(world))
            raise RuntimeError("rolled back")

    assert not mails_to(ALICE_MAIL)
    assert not IdentityClaim.objects.exists()


def test_the_reviewer_approving_a_claim_is_asked_to_confirm_the_cancellation_first(
    world, alice, twin, claim
):
    """Issue 15: approval cancels the holder's account; the first 通过 names it and asks."""
    claims.claim_object(claim_id=claim.pk, holder=alice)
    url = f"/accounts/identity-claims/{claim.pk}/"

    page = page_text(csrf_post(csrf_client(world.reviewer), url, {"decision": "approve"}))

    assert "确认通过？" in page and f"<li>{alice.username} ·" in page
    alice.refresh_from_db()
    assert alice.state == AccountState.ACTIVE
    assert IdentityClaim.objects.get(pk=claim.pk).state == ClaimState.DISPUTED
