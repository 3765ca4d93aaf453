"""Self-service pages: find the user name, reset the password (by code), and the account
page: change user name, phone and e-mail (new ones proven by a code) and password;
requests to the reviewers for a phone or a real-name change."""

import pytest
from django.test import Client

from accounts.models import AccountState, IdentityRequest, RequestKind, RequestState
from portal.lib.models import AuditEvent
from tests import factories
from tests.accounts.helpers import (
    csrf_client,
    csrf_post,
    jpeg_bytes,
    mail_code,
    mails_to,
    page_text,
    sms_code,
    texts_to,
    upload,
)

ALICE_PHONE = "13711112222"
NEW_PHONE = "13655556666"
NEW_PASSWORD = "walnut-orchard-sunrise-7"


@pytest.fixture
def alice(world):
    world.alice.phone, world.alice.email = ALICE_PHONE, "alice@example.com"
    world.alice.save()
    return world.alice


def ask_code(client, url: str, field: str, value: str, *, page: str | None = None):
    return csrf_post(client, url, {field: value, "action": "send_code"}, page=page)


# 找回用户名 ---------------------------------------------------------------------------


def test_a_phone_code_shows_the_user_name_of_that_phone(alice):
    client = csrf_client()
    ask_code(client, "/accounts/find-username/", "destination", ALICE_PHONE)

    response = csrf_post(
        client,
        "/accounts/find-username/",
        {"destination": ALICE_PHONE, "code": sms_code(ALICE_PHONE)},
    )

    assert "<strong>alice</strong>" in page_text(response)


def test_an_email_code_shows_the_user_name_of_that_email(alice):
    client = csrf_client()
    ask_code(client, "/accounts/find-username/", "destination", "ALICE@example.com")

    response = csrf_post(
        client,
        "/accounts/find-username/",
        {"destination": "alice@example.com", "code": mail_code("alice@example.com")},
    )

    assert "<strong>alice</strong>" in page_text(response)


def test_finding_a_user_name_with_a_wrong_code_shows_nothing(alice):
    client = csrf_client()
    ask_code(client, "/accounts/find-username/", "destination", ALICE_PHONE)
    wrong = "000000" if sms_code(ALICE_PHONE) != "000000" else "111111"

    response = csrf_post(
        client, "/accounts/find-username/", {"destination": ALICE_PHONE, "code": wrong}
    )

    assert "验证码不正确" in page_text(response)
    assert "<strong>alice</strong>" not in page_text(response)


# 找回密码 -----------------------------------------------------------------------------


def reset_password(client, destination: str, code: str):
    return csrf_post(
        client,
        "/accounts/password-reset/",
        {
            "destination": destination,
            "code": code,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )


def test_a_phone_code_resets_the_password(alice):
    client = csrf_client()
    ask_code(client, "/accounts/password-reset/", "destination", ALICE_PHONE)

    response = reset_password(client, ALICE_PHONE, sms_code(ALICE_PHONE))

    assert response["Location"] == "/accounts/login/"
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="accounts.password_reset", subject=alice).exists()


def test_an_email_code_resets_the_password(alice):
    client = csrf_client()
    ask_code(client, "/accounts/password-reset/", "destination", "alice@example.com")

    reset_password(client, "alice@example.com", mail_code("alice@example.com"))

    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_a_password_reset_ends_the_other_sessions(alice, django_capture_on_commit_callbacks):
    elsewhere = Client()
    elsewhere.force_login(alice)
    client = csrf_client()
    ask_code(client, "/accounts/password-reset/", "destination", ALICE_PHONE)

    reset_password(client, ALICE_PHONE, sms_code(ALICE_PHONE))

    assert elsewhere.get("/accounts/me/")["Location"].startswith("/accounts/login/")


def test_a_password_reset_is_told_to_the_account(alice, django_capture_on_commit_callbacks):
    client = csrf_client()
    ask_code(client, "/accounts/password-reset/", "destination", ALICE_PHONE)

    with django_capture_on_commit_callbacks(execute=True):
        reset_password(client, ALICE_PHONE, sms_code(ALICE_PHONE))

    assert "密码已重置" in texts_to(ALICE_PHONE)[-1]


def test_a_password_reset_with_a_wrong_code_keeps_the_password(alice):
    client = csrf_client()
    ask_code(client, "/accounts/password-reset/", "destination", ALICE_PHONE)
    wrong = "000000" if sms_code(ALICE_PHONE) != "000000" else "111111"

    response = reset_password(client, ALICE_PHONE, wrong)

    assert "验证码不正确" in page_text(response)
    alice.refresh_from_db()
    assert alice.check_password(factories.PASSWORD)


def test_a_password_reset_for_a_phone_of_no_account_says_what_to_do(db):
    client = csrf_client()
    ask_code(client, "/accounts/password-reset/", "destination", "13600000000")

    response = reset_password(client, "13600000000", sms_code("13600000000"))

    assert "没有账号使用该手机号或邮箱，请检查后重试，或重新注册" in page_text(response)


def test_without_its_code_the_reset_page_never_says_whether_a_phone_has_an_account(alice):
    """Only whoever receives the phone's code learns whether an account uses it."""
    pages = [
        page_text(reset_password(csrf_client(), phone, "123456"))
        for phone in (ALICE_PHONE, "13600000000")
    ]

    assert "没有账号使用该手机号或邮箱" not in pages[0] + pages[1]
    assert all("验证码已失效或尚未获取" in page for page in pages)


# The account page ------------------------------------------------------------------------


def test_the_account_page_shows_the_masked_id_number_and_no_real_name_input(alice):
    page = page_text(csrf_client(alice).get("/accounts/me/"))

    assert alice.masked_id_number in page
    assert alice.id_number not in page
    assert 'name="real_name"' not in page
    assert 'name="id_number"' not in page


def test_a_pending_account_is_sent_from_the_account_page_to_its_identity_page(twin):
    assert csrf_client(twin).get("/accounts/me/")["Location"] == "/accounts/identity/"


def test_the_user_name_can_be_changed(alice):
    response = csrf_post(
        csrf_client(alice), "/accounts/me/username/", {"username": "xiaomei"}, page="/accounts/me/"
    )

    assert response["Location"] == "/accounts/me/"
    alice.refresh_from_db()
    assert alice.username == "xiaomei"
    event = AuditEvent.objects.get(action="accounts.username_changed")
    assert event.changes == {"username": ["alice", "xiaomei"]}


def test_a_user_name_in_use_in_any_case_is_refused(alice):
    response = csrf_post(
        csrf_client(alice), "/accounts/me/username/", {"username": "CAROL"}, page="/accounts/me/"
    )

    assert "该用户名已被使用，请换一个用户名" in page_text(response)
    alice.refresh_from_db()
    assert alice.username == "alice"


def test_the_user_name_of_a_cancelled_account_is_refused_and_not_shown_as_mine(world, alice):
    world.carol.state = AccountState.CANCELLED
    world.carol.save()

    response = csrf_post(
        csrf_client(alice), "/accounts/me/username/", {"username": "carol"}, page="/accounts/me/"
    )

    page = page_text(response)
    assert "该用户名已被使用，请换一个用户名" in page
    assert "<dd>alice</dd>" in page


def test_a_new_phone_needs_the_code_sent_to_it(alice):
    client = csrf_client(alice)
    ask_code(client, "/accounts/me/phone/", "phone", NEW_PHONE, page="/accounts/me/")

    response = csrf_post(
        client,
        "/accounts/me/phone/",
        {"phone": NEW_PHONE, "code": sms_code(NEW_PHONE)},
        page="/accounts/me/",
    )

    assert response["Location"] == "/accounts/me/"
    alice.refresh_from_db()
    assert alice.phone == NEW_PHONE
    assert AuditEvent.objects.filter(action="accounts.phone_changed", subject=alice).exists()


def test_a_code_sent_to_the_old_phone_does_not_change_the_phone(alice):
    client = csrf_client(alice)
    ask_code(client, "/accounts/find-username/", "destination", ALICE_PHONE)

    response = csrf_post(
        client,
        "/accounts/me/phone/",
        {"phone": NEW_PHONE, "code": sms_code(ALICE_PHONE)},
        page="/accounts/me/",
    )

    assert "请重新获取验证码" in page_text(response)
    alice.refresh_from_db()
    assert alice.phone == ALICE_PHONE


def change_phone(client, code: str, **more):
    return csrf_post(
        client,
        "/accounts/me/phone/",
        {"phone": NEW_PHONE, "code": code, **more},
        page="/accounts/me/",
    )


def change_email(client, email: str, code: str):
    return csrf_post(
        client, "/accounts/me/email/", {"email": email, "code": code}, page="/accounts/me/"
    )


def other_than(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


PHONE_IN_USE = "该手机号已被其他账号使用"
EMAIL_IN_USE = "该邮箱已被其他账号使用"


def test_a_phone_of_another_account_needs_the_take_over_choice(world, alice):
    world.bob.phone = NEW_PHONE
    world.bob.save()
    client = csrf_client(alice)
    ask_code(client, "/accounts/me/phone/", "phone", NEW_PHONE, page="/accounts/me/")

    response = change_phone(client, sms_code(NEW_PHONE))

    assert f"{PHONE_IN_USE}。如果此手机号为本人所有，请勾选下方选项" in page_text(response)
    world.bob.refresh_from_db()
    assert world.bob.phone == NEW_PHONE


def test_without_its_code_the_phone_change_never_says_the_phone_is_in_use(world, alice):
    world.bob.phone = NEW_PHONE
    world.bob.save()
    client = csrf_client(alice)

    never_sent = page_text(change_phone(client, "123456"))
    ask_code(client, "/accounts/me/phone/", "phone", NEW_PHONE, page="/accounts/me/")
    wrong = page_text(change_phone(client, other_than(sms_code(NEW_PHONE))))

    assert "验证码已失效或尚未获取" in never_sent
    assert "验证码不正确，还可尝试 4 次" in wrong
    assert PHONE_IN_USE not in never_sent + wrong
    assert "手机号已使用" not in never_sent + wrong


def test_the_take_over_choice_works_with_the_code_of_the_refusal(world, alice):
    world.bob.phone = NEW_PHONE
    world.bob.save()
    client = csrf_client(alice)
    ask_code(client, "/accounts/me/phone/", "phone", NEW_PHONE, page="/accounts/me/")
    code = sms_code(NEW_PHONE)

    refused = change_phone(client, code)
    response = change_phone(client, code, take_over="on")

    assert PHONE_IN_USE in page_text(refused)
    assert response["Location"] == "/accounts/me/"
    alice.refresh_from_db()
    world.bob.refresh_from_db()
    assert (alice.phone, world.bob.phone) == (NEW_PHONE, "")
    assert len(texts_to(NEW_PHONE)) == 1
    # Used up by the change: it changes nothing a second time.
    assert "请重新获取验证码" in page_text(change_phone(client, code, take_over="on"))


def test_taking_over_a_phone_with_its_code_clears_it_from_the_other_account(
    world, alice, django_capture_on_commit_callbacks
):
    world.bob.phone, world.bob.email = NEW_PHONE, "bob@example.com"
    world.bob.save()
    client = csrf_client(alice)
    ask_code(client, "/accounts/me/phone/", "phone", NEW_PHONE, page="/accounts/me/")

    with django_capture_on_commit_callbacks(execute=True):
        csrf_post(
            client,
            "/accounts/me/phone/",
            {"phone": NEW_PHONE, "code": sms_code(NEW_PHONE), "take_over": "on"},
            page="/accounts/me/",
        )

    world.bob.refresh_from_db()
    alice.refresh_from_db()
    assert (alice.phone, world.bob.phone) == (NEW_PHONE, "")
    assert world.bob.email == "bob@example.com"
    assert mails_to("bob@example.com")
    assert AuditEvent.objects.filter(action="accounts.phone_taken_over", subject=world.bob).exists()


def test_a_new_email_needs_the_code_sent_to_it(alice):
    client = csrf_client(alice)
    ask_code(client, "/accounts/me/email/", "email", "Mei@Example.com", page="/accounts/me/")

    csrf_post(
        client,
        "/accounts/me/email/",
        {"email": "mei@example.com", "code": mail_code("mei@example.com")},
        page="/accounts/me/",
    )

    alice.refresh_from_db()
    assert alice.email == "mei@example.com"
    assert AuditEvent.objects.filter(action="accounts.email_changed", subject=alice).exists()


def test_an_email_of_another_account_is_refused(world, alice):
    world.bob.email = "bob@example.com"
    world.bob.save()
    client = csrf_client(alice)
    ask_code(client, "/accounts/me/email/", "email", "Bob@example.com", page="/accounts/me/")

    response = change_email(client, "Bob@example.com", mail_code("bob@example.com"))

    assert f"{EMAIL_IN_USE}，请换一个邮箱" in page_text(response)
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_without_its_code_the_email_change_never_says_the_email_is_in_use(world, alice):
    world.bob.email = "bob@example.com"
    world.bob.save()
    client = csrf_client(alice)

    never_sent = page_text(change_email(client, "bob@example.com", "123456"))
    ask_code(client, "/accounts/me/email/", "email", "bob@example.com", page="/accounts/me/")
    wrong = page_text(
        change_email(client, "bob@example.com", other_than(mail_code("bob@example.com")))
    )

    assert "验证码已失效或尚未获取" in never_sent
    assert "验证码不正确，还可尝试 4 次" in wrong
    assert EMAIL_IN_USE not in never_sent + wrong


def test_the_email_refusal_leaves_the_code_good(world, alice):
    world.bob.email = "bob@example.com"
    world.bob.save()
    client = csrf_client(alice)
    ask_code(client, "/accounts/me/email/", "email", "bob@example.com", page="/accounts/me/")
    code = mail_code("bob@example.com")

    refused = change_email(client, "bob@example.com", code)
    world.bob.email = "bob@elsewhere.example"  # bob gives the address up meanwhile
    world.bob.save()
    response = change_email(client, "bob@example.com", code)

    assert EMAIL_IN_USE in page_text(refused)
    assert response["Location"] == "/accounts/me/"
    alice.refresh_from_db()
    assert alice.email == "bob@example.com"


def test_changing_the_password_keeps_this_session_and_ends_the_others(alice):
    elsewhere = Client()
    elsewhere.force_login(alice)
    client = csrf_client(alice)

    response = csrf_post(
        client,
        "/accounts/me/password/",
        {
            "old_password": factories.PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response["Location"] == "/accounts/me/"
    assert client.get("/accounts/me/").status_code == 200
    assert elsewhere.get("/accounts/me/")["Location"].startswith("/accounts/login/")


def test_a_password_change_is_audited_and_told_to_the_account(
    alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        csrf_post(
            csrf_client(alice),
            "/accounts/me/password/",
            {
                "old_password": factories.PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )

    event = AuditEvent.objects.get(action="accounts.password_changed")
    assert event.subject == alice
    assert NEW_PASSWORD not in str(event.changes) + event.reason
    assert any("密码已修改" in text for text in texts_to(ALICE_PHONE))


def test_a_wrong_old_password_changes_nothing(alice):
    response = csrf_post(
        csrf_client(alice),
        "/accounts/me/password/",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(factories.PASSWORD)


# Requests to the reviewers -------------------------------------------------------------


def test_a_phone_that_cannot_receive_codes_goes_to_the_reviewers(world, alice):
    world.bob.phone = NEW_PHONE
    world.bob.save()

    response = csrf_post(
        csrf_client(alice),
        "/accounts/me/phone-request/",
        {"phone": NEW_PHONE, "front": upload(jpeg_bytes())},
    )

    assert response["Location"] == "/accounts/me/"
    req = IdentityRequest.objects.get(user=alice)
    assert (req.kind, req.state, req.phone) == (RequestKind.PHONE, RequestState.PENDING, NEW_PHONE)
    assert req.front_image
    world.bob.refresh_from_db()
    assert world.bob.phone == NEW_PHONE


def test_a_second_pending_phone_request_is_refused(alice):
    client = csrf_client(alice)
    data = {"phone": NEW_PHONE}
    csrf_post(client, "/accounts/me/phone-request/", {**data, "front": upload(jpeg_bytes())})

    response = csrf_post(
        client, "/accounts/me/phone-request/", {**data, "front": upload(jpeg_bytes())}
    )

    assert "您已有一个待审核的手机号申请，请等待客服处理" in page_text(response)


def test_a_real_name_change_is_a_request_and_changes_nothing_yet(alice):
    number = factories.id_number()

    response = csrf_post(
        csrf_client(alice),
        "/accounts/me/real-name/",
        {
            "real_name": "李晓玫",
            "id_type": "resident_id",
            "id_number": number.lower(),
            "scan": upload(jpeg_bytes()),
            "note": "注册时姓名输错",
        },
    )

    assert response["Location"] == "/accounts/me/"
    req = IdentityRequest.objects.get(user=alice, kind=RequestKind.REAL_NAME)
    assert (req.requested_real_name, req.requested_id_number) == ("李晓玫", number)
    alice.refresh_from_db()
    assert alice.real_name == "李晓梅"
    assert "实名信息修改" in page_text(csrf_client(alice).get("/accounts/me/"))


def test_a_real_name_change_with_an_impossible_id_number_is_refused(alice):
    number = factories.id_number()

    response = csrf_post(
        csrf_client(alice),
        "/accounts/me/real-name/",
        {
            "real_name": "李晓玫",
            "id_type": "resident_id",
            "id_number": number[:6] + "20231301" + number[14:],
            "scan": upload(jpeg_bytes()),
        },
    )

    assert "不是有效日期" in page_text(response)
    assert not IdentityRequest.objects.exists()


def test_a_changed_phone_is_audited_with_masked_numbers(alice):
    client = csrf_client(alice)
    old = alice.phone
    ask_code(client, "/accounts/me/phone/", "phone", NEW_PHONE, page="/accounts/me/")

    csrf_post(
        client,
        "/accounts/me/phone/",
        {"phone": NEW_PHONE, "code": sms_code(NEW_PHONE)},
        page="/accounts/me/",
    )

    event = AuditEvent.objects.get(action="accounts.phone_changed", subject=alice)
    assert NEW_PHONE not in str(event.changes) and (not old or old not in str(event.changes))
    assert event.changes["phone"][1].endswith(NEW_PHONE[-4:])
