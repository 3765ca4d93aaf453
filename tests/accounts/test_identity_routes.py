"""/accounts/identity/: what a pending account (我要重新注册) sees and its three routes to
approval: hand-held ID photos, a classmate's help, enrollment or degree facts."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import (
    AccountState,
    AssistState,
    ClaimState,
    ClassmateAssist,
    IdentityClaim,
    IdentityRequest,
    RejectReason,
    RequestKind,
    RequestState,
)
from accounts.services import claims
from portal.lib.models import AuditEvent
from records.models import Level
from tests import factories
from tests.accounts.helpers import (
    csrf_client,
    csrf_post,
    degree,
    page_text,
    photo_bytes,
    photo_request,
    texts_to,
    upload,
)

PAGE = "/accounts/identity/"


def post_photos(client, front: bytes | None = None, back: bytes | None = None):
    files = {
        "front": upload(front or photo_bytes(), "front.jpg"),
        "back": upload(back or photo_bytes("PNG", flip=True), "back.png", "image/png"),
    }
    return csrf_post(client, "/accounts/identity/photos/", files, page=PAGE)


def post_facts(client, **facts):
    return csrf_post(client, "/accounts/identity/facts/", facts, page=PAGE)


def alice_facts(world, **overrides) -> dict:
    record = world.alice_record
    facts = {
        "school": record.institution.name,
        "student_number": record.student_number,
        "level": record.level,
    }
    facts.update(overrides)
    return facts


def claim_of(user) -> IdentityClaim:
    """The ready claim a passed check made (issue 11: never an instant cancellation)."""
    return IdentityClaim.objects.get(claimant=user, state=ClaimState.READY)


def older_photo_request(user, days: int, **fields):
    return photo_request(user, created_at=timezone.now() - datetime.timedelta(days=days), **fields)


# The page ----------------------------------------------------------------------------------


def test_the_identity_page_warns_what_approval_does(twin):
    page = page_text(csrf_client(twin).get(PAGE))

    assert "审核通过后，将会注销使用了该证件号码的其他账号" in page
    assert "如果您曾经使用过本网站服务，或者另有其他账号，请慎重此操作" in page


def test_the_identity_page_offers_the_three_routes(twin):
    page = page_text(csrf_client(twin).get(PAGE))

    for route in ("提供学籍或学历信息", "大学同班同学协助", "上传手持身份证照片"):
        assert route in page


def test_the_identity_page_shows_the_masked_id_number(twin):
    page = page_text(csrf_client(twin).get(PAGE))

    assert twin.masked_id_number in page
    assert twin.id_number not in page


@pytest.mark.parametrize("url", ["/", "/accounts/me/"])
def test_a_pending_account_is_sent_to_its_identity_page(twin, url):
    assert csrf_client(twin).get(url)["Location"] == PAGE


@pytest.mark.parametrize("url", ["/records/mine/", "/records/mine/bind/"])
def test_a_pending_account_opening_a_student_page_is_sent_to_its_identity_page(twin, url):
    """Issue 15: 学籍信息 answered 无权访问; it sends her to 身份核验, and shows nothing."""
    response = csrf_client(twin).get(url)

    assert response.status_code == 302 and response["Location"] == PAGE


def test_an_active_account_has_no_identity_page(world):
    assert csrf_client(world.alice).get(PAGE)["Location"] == "/"


# 途径：客服协助验证 (hand-held ID photos) ------------------------------------------------


def test_two_photos_make_a_request_waiting_for_the_reviewers(twin):
    client = csrf_client(twin)

    response = post_photos(client)

    assert response["Location"] == PAGE
    req = IdentityRequest.objects.get(user=twin)
    assert (req.kind, req.state) == (RequestKind.DUPLICATE_ID, RequestState.PENDING)
    assert req.front_image.name.endswith(".jpg") and req.back_image.name.endswith(".png")
    assert AuditEvent.objects.filter(action="accounts.id_photos_submitted", subject=twin).exists()
    assert "待审核" in page_text(client.get(PAGE))


def test_stored_photos_are_named_by_the_portal_not_the_student(twin):
    post_photos(csrf_client(twin))

    req = IdentityRequest.objects.get(user=twin)
    assert "front.jpg" not in req.front_image.name
    assert req.token in req.front_image.name


def test_the_page_shows_how_many_uploads_are_left(twin):
    client = csrf_client(twin)
    assert "今天还可上传 3 次，累计还可上传 5 次" in page_text(client.get(PAGE))

    post_photos(client)

    assert "今天还可上传 2 次，累计还可上传 4 次" in page_text(client.get(PAGE))


def test_a_fourth_upload_in_a_day_is_refused(twin):
    client = csrf_client(twin)
    for _ in range(3):
        post_photos(client)
        IdentityRequest.objects.filter(user=twin).update(state=RequestState.REJECTED)

    response = post_photos(client)

    assert "每天只能上传 3 次，请明天再试" in page_text(response)
    assert IdentityRequest.objects.filter(user=twin).count() == 3
    assert 'action="/accounts/identity/photos/"' not in page_text(client.get(PAGE))


def test_a_sixth_upload_in_all_is_refused(twin):
    for days in (1, 2, 3, 4, 5):
        older_photo_request(twin, days, state=RequestState.REJECTED)

    response = post_photos(csrf_client(twin))

    assert "累计上传已达 5 次，不能再上传" in page_text(response)
    assert IdentityRequest.objects.filter(user=twin).count() == 5


def test_an_oversized_photo_is_refused_with_which_photo_and_what_to_do(twin):
    big = photo_bytes() + b"\0" * (300 * 1024)

    response = post_photos(csrf_client(twin), back=big)

    page = page_text(response)
    assert "手持身份证国徽面照片：图片大小不能超过 300 KB" in page
    assert not IdentityRequest.objects.exists()


def test_a_bad_second_photo_leaves_no_file_of_the_first_on_disk(twin, media_root):
    post_photos(csrf_client(twin), back=b"<html>not an image</html>")

    assert not IdentityRequest.objects.exists()
    assert [p for p in media_root.rglob("*") if p.is_file()] == []


def test_a_rejected_request_shows_its_reason_in_the_log(twin):
    older_photo_request(twin, 1, state=RequestState.REJECTED, reject_reason=RejectReason.MIRRORED)

    page = page_text(csrf_client(twin).get(PAGE))

    assert "审核失败" in page
    assert "照片中身份证信息为反向" in page


# 途径：大学同班同学协助 ------------------------------------------------------------------


def ask_classmate(client, name: str, student_number: str):
    return csrf_post(
        client,
        "/accounts/identity/classmate/",
        {"name": name, "student_number": student_number},
        page=PAGE,
    )


def test_asking_a_classmate_notifies_them(world, twin, django_capture_on_commit_callbacks):
    world.bob.phone = "13722223333"
    world.bob.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = ask_classmate(csrf_client(twin), "王强", world.bob_record.student_number)

    assert response["Location"] == PAGE
    assist = ClassmateAssist.objects.get(requester=twin)
    assert (assist.classmate, assist.state) == (world.bob, AssistState.PENDING)
    assert "请求您协助核验身份" in texts_to("13722223333")[-1]


def test_asking_the_same_classmate_again_sends_no_second_text(
    world, twin, django_capture_on_commit_callbacks
):
    """A right guess is given back to the guess limits, so a pending account could ask
    the same classmate all day: she is texted once per request, not once per POST."""
    world.bob.phone = "13722223333"
    world.bob.save()
    client = csrf_client(twin)

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            ask_classmate(client, "王强", world.bob_record.student_number)

    assert ClassmateAssist.objects.filter(requester=twin).count() == 1
    assert len(texts_to("13722223333")) == 1


def test_the_classmate_sees_the_request_on_the_account_page(world, twin):
    ask_classmate(csrf_client(twin), "王强", world.bob_record.student_number)

    page = page_text(csrf_client(world.bob).get("/accounts/me/"))

    assert "同班同学 李晓梅 请求您协助核验身份" in page


def test_the_classmate_confirming_makes_a_claim_and_cancels_nobody(world, twin):
    # Issue 11: the confirmation used to cancel alice on the spot; now it makes a claim.
    ask_classmate(csrf_client(twin), "王强", world.bob_record.student_number)
    assist = ClassmateAssist.objects.get()

    csrf_post(
        csrf_client(world.bob),
        f"/accounts/assists/{assist.pk}/decide/",
        {"confirm": "yes"},
        page="/accounts/me/",
    )

    twin.refresh_from_db()
    world.alice.refresh_from_db()
    assert twin.state == AccountState.PENDING
    assert world.alice.state == AccountState.ACTIVE
    assert claim_of(twin).route == "classmate"
    assert AuditEvent.objects.filter(
        action="accounts.classmate_confirmed", actor=world.bob
    ).exists()


def test_the_classmate_declining_leaves_the_account_pending(world, twin):
    ask_classmate(csrf_client(twin), "王强", world.bob_record.student_number)
    assist = ClassmateAssist.objects.get()

    csrf_post(
        csrf_client(world.bob),
        f"/accounts/assists/{assist.pk}/decide/",
        {"confirm": "no"},
        page="/accounts/me/",
    )

    twin.refresh_from_db()
    assist.refresh_from_db()
    assert twin.state == AccountState.PENDING
    assert assist.state == AssistState.DECLINED
    assert "同学已拒绝" in page_text(csrf_client(twin).get(PAGE))


def test_only_the_named_classmate_can_decide(world, twin):
    ask_classmate(csrf_client(twin), "王强", world.bob_record.student_number)
    assist = ClassmateAssist.objects.get()

    response = csrf_post(
        csrf_client(world.carol),
        f"/accounts/assists/{assist.pk}/decide/",
        {"confirm": "yes"},
        page="/accounts/me/",
    )

    assert response.status_code == 404
    twin.refresh_from_db()
    assert twin.state == AccountState.PENDING


def test_a_student_of_another_class_cannot_help(world, twin):
    response = ask_classmate(csrf_client(twin), "陈静", world.carol_record.student_number)

    assert "未找到该同学：请确认姓名和学号，且该同学已注册并绑定了同一班级的学籍" in page_text(
        response
    )
    assert not ClassmateAssist.objects.exists()


def test_a_classmate_without_a_verified_account_cannot_help(world, twin):
    world.bob.state = AccountState.PENDING
    world.bob.save()

    ask_classmate(csrf_client(twin), "王强", world.bob_record.student_number)

    assert not ClassmateAssist.objects.exists()


def test_the_old_account_of_the_same_person_cannot_help(world, twin):
    ask_classmate(csrf_client(twin), "李晓梅", world.alice_record.student_number)

    assert not ClassmateAssist.objects.exists()


# 途径：提供学籍或学历信息 ----------------------------------------------------------------


def test_matching_enrollment_facts_make_a_ready_claim_not_a_cancellation(world, twin):
    # Issue 11: matching facts used to approve at once and cancel alice; now they make a
    # claim that takes effect after the dispute window.
    client = csrf_client(twin)

    response = post_facts(client, **alice_facts(world))

    assert response["Location"] == PAGE
    twin.refresh_from_db()
    world.alice.refresh_from_db()
    world.alice_record.refresh_from_db()
    assert twin.state == AccountState.PENDING
    assert world.alice.state == AccountState.ACTIVE
    assert world.alice_record.user == world.alice
    assert claim_of(twin).holder == world.alice
    assert "如无异议，将于" in page_text(client.get(PAGE))


def test_the_school_code_is_as_good_as_its_name(world, twin):
    post_facts(csrf_client(twin), **alice_facts(world, school=world.institution.code))

    assert claim_of(twin)


def test_a_wrong_student_number_says_so_and_leaves_the_account_pending(world, twin):
    response = post_facts(csrf_client(twin), **alice_facts(world, student_number="2023999999"))

    assert "提供的信息与您的姓名、证件号码对应的学籍或学历不符，请核对后重试" in page_text(response)
    twin.refresh_from_db()
    assert twin.state == AccountState.PENDING


def test_a_wrong_level_does_not_match(world, twin):
    post_facts(csrf_client(twin), **alice_facts(world, level=Level.DOCTOR))

    twin.refresh_from_db()
    assert twin.state == AccountState.PENDING


def test_a_record_of_another_person_does_not_match(world, twin):
    facts = {
        "school": world.institution.name,
        "student_number": world.bob_record.student_number,
        "level": world.bob_record.level,
    }

    post_facts(csrf_client(twin), **facts)

    twin.refresh_from_db()
    assert twin.state == AccountState.PENDING


def test_after_five_wrong_guesses_even_the_right_facts_wait_and_say_until_when(world, twin):
    client = csrf_client(twin)
    for n in range(5):
        post_facts(client, **alice_facts(world, student_number=f"20239{n:05d}"))

    response = post_facts(client, **alice_facts(world))

    page = page_text(response)
    assert "由于 24 小时内已有 5 次核对不符，暂时不能再尝试，请于" in page
    assert "操作过于频繁" not in page  # issue 15: it was not too frequent
    twin.refresh_from_db()
    assert twin.state == AccountState.PENDING


def test_wrong_guesses_from_one_ip_are_limited_across_accounts(world):
    pending = [
        factories.user(
            real_name="李晓梅", id_number=world.alice.id_number, state=AccountState.PENDING
        )
        for _ in range(5)
    ]
    for account in pending[:4]:
        client = csrf_client(account)
        for n in range(5):
            post_facts(client, **alice_facts(world, student_number=f"20239{n:05d}"))

    response = post_facts(csrf_client(pending[4]), **alice_facts(world))

    assert "您所在的网络 24 小时内已有 20 次核对不符" in page_text(response)
    pending[4].refresh_from_db()
    assert pending[4].state == AccountState.PENDING


def test_wrong_guesses_from_one_ipv6_64_are_counted_as_one_address(world):
    """Issue 11: a single IPv6 /64 got unlimited tries by changing its address."""
    pending = [
        factories.user(
            real_name="李晓梅", id_number=world.alice.id_number, state=AccountState.PENDING
        )
        for _ in range(5)
    ]
    for n, account in enumerate(pending[:4]):
        client = csrf_client(account)
        client.defaults["REMOTE_ADDR"] = f"2001:db8:7:1::{n + 1:x}"
        for guess in range(5):
            post_facts(client, **alice_facts(world, student_number=f"20239{guess:05d}"))

    last = csrf_client(pending[4])
    last.defaults["REMOTE_ADDR"] = "2001:db8:7:1:ffff::9"
    assert "暂时不能再尝试" in page_text(post_facts(last, **alice_facts(world)))
    other = csrf_client(pending[4])
    other.defaults["REMOTE_ADDR"] = "2001:db8:7:2::1"  # another /64: its own count
    assert "暂时不能再尝试" not in page_text(post_facts(other, **alice_facts(world)))


def test_a_right_guess_does_not_use_up_a_try(world, twin):
    client = csrf_client(twin)
    for n in range(4):
        post_facts(client, **alice_facts(world, student_number=f"20239{n:05d}"))
    post_facts(client, **alice_facts(world))  # right: a claim, and the try given back

    response = post_facts(client, **alice_facts(world, student_number="2023999999"))

    assert "不符" in page_text(response) and "暂时不能再尝试" not in page_text(response)


def test_a_wrong_guess_says_the_facts_did_not_match_and_the_tries_left(world, twin):
    client = csrf_client(twin)

    first = page_text(post_facts(client, **alice_facts(world, student_number="2023900000")))
    for n in range(1, 4):
        post_facts(client, **alice_facts(world, student_number=f"20239{n:05d}"))
    fifth = page_text(post_facts(client, **alice_facts(world, student_number="2023900004")))

    assert "不符" in first and "今天还可尝试 4 次" in first
    assert "今天的尝试次数已用完，请于" in fifth and "后再试" in fifth


def test_the_facts_form_asks_for_all_three_or_a_certificate(world, twin):
    response = post_facts(csrf_client(twin), school=world.institution.name)

    assert "请填写学校名称、学号和层次，或填写学历证书编号" in page_text(response)


@pytest.mark.parametrize("typed", ["NO.00298959", "no.298959", "00298959", "298959", "No. 0298959"])
def test_a_pre_2001_serial_number_matches_with_or_without_no_and_zeros(world, twin, typed):
    degree(world.alice_record, certificate_number="NO.00298959", school_number="982456")

    post_facts(csrf_client(twin), certificate_number=typed)

    assert claim_of(twin)


def test_a_pre_2001_school_number_matches_too(world, twin):
    degree(world.alice_record, certificate_number="NO.00298959", school_number="982456")

    post_facts(csrf_client(twin), certificate_number="982456")

    assert claim_of(twin)


def test_a_degree_found_by_certificate_number_moves_to_the_approved_account(world, twin):
    diploma = degree(world.alice_record, user=world.alice)

    post_facts(csrf_client(twin), certificate_number=diploma.certificate_number)
    claims.claim_confirm_by_holder(claim_id=claim_of(twin).pk, holder=world.alice)

    diploma.refresh_from_db()
    assert diploma.user == twin


@pytest.mark.parametrize("typed", ["-", "NO.", "0", "000"])
def test_a_placeholder_certificate_number_matches_nothing(world, twin, typed):
    degree(world.alice_record, certificate_number="139991200705000123", school_number="")

    post_facts(csrf_client(twin), certificate_number=typed)

    twin.refresh_from_db()
    assert twin.state == AccountState.PENDING


def test_a_certificate_of_another_person_does_not_match(world, twin):
    diploma = degree(world.bob_record)

    post_facts(csrf_client(twin), certificate_number=diploma.certificate_number)

    twin.refresh_from_db()
    assert twin.state == AccountState.PENDING


def test_identity_forms_refuse_a_request_without_the_csrf_token(world, twin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(twin)

    response = client.post("/accounts/identity/facts/", alice_facts(world))

    assert response.status_code == 403
    twin.refresh_from_db()
    assert twin.state == AccountState.PENDING
