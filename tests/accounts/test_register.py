"""/accounts/register/: a real-name account proven by a code; the duplicate ID number
(证件号码已被注册) and duplicate phone (手机号已使用) routes of seeds 000 and 001."""

import datetime
import random

import pytest

from accounts.errors import DuplicateIdNumber
from accounts.models import AccountState, CodePurpose, User, VerificationCode
from accounts.services import registration as registration_service
from accounts.services.codes import code_send
from accounts.services.registration import Registration
from portal.lib import idnumbers
from portal.lib.models import AuditEvent
from tests import factories
from tests.accounts.helpers import (
    csrf_client,
    csrf_post,
    mail_code,
    mails_to,
    page_text,
    sms_code,
    texts_to,
)

URL = "/accounts/register/"
PHONE = "13800001111"
STRONG = "bamboo-lantern-river-42"


def registration(**overrides) -> dict:
    data = {
        "real_name": "张小红",
        "id_type": "resident_id",
        "id_number": factories.id_number(),
        "phone": PHONE,
        "email": "",
        "code": "",
        "username": "zhangxh",
        "password1": STRONG,
        "password2": STRONG,
        "accept_terms": "on",
        "action": "register",
    }
    data.update(overrides)
    return data


def send_code(client, data: dict):
    return csrf_post(client, URL, {**data, "action": "send_code"})


def register(client, data: dict, *, code_from_phone: bool = True):
    """Ask for a code as the page does, read it from the outbox, then register."""
    send_code(client, data)
    code = sms_code(data["phone"]) if code_from_phone else mail_code(data["email"])
    return csrf_post(client, URL, {**data, "code": code})


def test_a_phone_code_registers_an_active_account_and_logs_it_in(db):
    client = csrf_client()

    response = register(client, registration())

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(username="zhangxh")
    assert user.state == AccountState.ACTIVE
    assert user.phone == PHONE
    assert user.check_password(STRONG)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_email_code_registers_an_account_without_a_phone(db):
    client = csrf_client()
    data = registration(phone="", email="XH.Zhang@Example.com")

    register(client, data, code_from_phone=False)

    user = User.objects.get(username="zhangxh")
    assert user.email == "xh.zhang@example.com"
    assert user.phone == ""


def test_the_code_is_sent_to_the_phone_typed_with_spaces_and_country_code(db):
    client = csrf_client()

    send_code(client, registration(phone="+86 138 0000 1111"))

    assert sms_code(PHONE)


def test_asking_for_a_code_keeps_what_was_typed_but_not_the_passwords(db):
    response = send_code(csrf_client(), registration())

    page = page_text(response)
    assert "张小红" in page
    assert STRONG not in page
    assert "验证码正在发送，请稍候：138****1111" in page


def test_a_malformed_email_gets_no_code_and_the_page_says_so(db):
    response = send_code(csrf_client(), registration(phone="", email="xh.zhang@"))

    assert mails_to("xh.zhang@") == []
    assert "请输入正确的邮箱地址" in page_text(response)


def test_the_id_number_is_stored_normalised(db):
    number = factories.id_number()
    typed = " ".join(chr(ord(c) + 0xFEE0) for c in number.lower())  # full-width, spaced

    register(csrf_client(), registration(id_number=typed))

    assert User.objects.get(username="zhangxh").id_number == number


def test_an_impossible_id_number_is_refused_with_what_to_fix(db):
    number = factories.id_number()
    wrong_check = number[:17] + ("0" if number[17] != "0" else "1")

    response = register(csrf_client(), registration(id_number=wrong_check))

    assert "身份证号码校验位不正确" in page_text(response)
    assert not User.objects.filter(username="zhangxh").exists()


def test_a_wrong_code_creates_no_account(db):
    client = csrf_client()
    data = registration()
    send_code(client, data)
    wrong = "000000" if sms_code(PHONE) != "000000" else "111111"

    response = csrf_post(client, URL, {**data, "code": wrong})

    assert "验证码不正确，还可尝试 4 次" in page_text(response)
    assert not User.objects.filter(username="zhangxh").exists()


def test_a_common_password_is_refused_by_the_django_validators(db):
    response = register(csrf_client(), registration(password1="password", password2="password"))

    assert "这个密码太常见了" in page_text(response)
    assert not User.objects.filter(username="zhangxh").exists()


def test_the_terms_must_be_accepted(db):
    data = registration()
    del data["accept_terms"]

    response = register(csrf_client(), data)

    assert response.status_code == 200
    assert not User.objects.filter(username="zhangxh").exists()


def test_a_phone_or_an_email_is_required(db):
    response = csrf_post(csrf_client(), URL, registration(phone="", code="123456"))

    assert "请填写手机号或邮箱，用于接收验证码" in page_text(response)


def test_the_registration_is_audited_without_the_password(db):
    register(csrf_client(), registration())

    user = User.objects.get(username="zhangxh")
    event = AuditEvent.objects.get(action="accounts.registered", subject=user)
    assert STRONG not in str(event.changes)


def test_a_user_name_in_use_in_any_case_is_refused(world):
    response = register(csrf_client(), registration(username="ALICE"))

    assert "该用户名已被使用，请换一个用户名" in page_text(response)


def test_the_user_name_of_a_cancelled_account_is_refused_before_the_code_is_used(world):
    world.carol.state = AccountState.CANCELLED
    world.carol.save()
    client = csrf_client()
    data = registration(username="Carol")
    send_code(client, data)
    code = sms_code(PHONE)

    first = csrf_post(client, URL, {**data, "code": code})
    second = csrf_post(client, URL, {**data, "code": code, "username": "carol_2"})

    assert "该用户名已被使用，请换一个用户名" in page_text(first)
    assert second.status_code == 302


def test_an_email_in_use_is_refused(world):
    world.bob.email = "bob@example.com"
    world.bob.save()

    response = register(csrf_client(), registration(email="BOB@example.com"))

    assert "该邮箱已被其他账号使用" in page_text(response)


def test_a_registered_id_number_offers_the_ways_on_without_naming_the_account(world):
    world.alice.phone = "13711112222"
    world.alice.email = "alice@example.com"
    world.alice.save()

    response = register(csrf_client(), registration(id_number=world.alice.id_number))

    page = page_text(response)
    for offer in ("证件号码已被注册", "使用原账号登录", "找回用户名", "找回密码", "我要重新注册"):
        assert offer in page
    for secret in ("alice", "李晓梅", "1371111", "2222", "example.com"):
        assert secret not in page
    assert User.objects.filter(id_number=world.alice.id_number).count() == 1


@pytest.mark.parametrize("id_type", ["passport", "hkmo_pass", "tw_pass", "foreign_permit"])
def test_a_registered_id_number_under_another_document_type_is_refused(world, id_type):
    """Issue 11 review: alice's resident ID number typed as a 护照 made an active second
    identity at once — no 证件号码已被注册, no claim, her records bound to it."""
    response = register(
        csrf_client(), registration(id_type=id_type, id_number=world.alice.id_number)
    )

    assert "该号码是居民身份证" in page_text(response)
    assert User.objects.filter(id_number=world.alice.id_number).count() == 1


def test_a_mainland_number_as_a_residence_permit_is_refused(world):
    """Second review: alice's number registered as 港澳台居民居住证 made a second active
    identity, since one active account is kept per (type, number)."""
    response = register(
        csrf_client(), registration(id_type="hmt_permit", id_number=world.alice.id_number)
    )

    assert "港澳台居民居住证号码以 81" in page_text(response)
    assert User.objects.filter(id_number=world.alice.id_number).count() == 1


def test_a_residence_permit_number_is_a_permit_not_a_resident_id(db):
    permit = idnumbers.generate(
        rng=random.Random(81), region="810000", birth=datetime.date(2004, 5, 6), sex="1"
    )
    refused = register(csrf_client(), registration(id_type="resident_id", id_number=permit))
    assert "请将证件类型选为“港澳台居民居住证”" in page_text(refused)

    accepted = register(csrf_client(), registration(id_type="hmt_permit", id_number=permit))

    assert accepted.status_code == 302
    assert User.objects.get(id_number=permit).id_type == "hmt_permit"


def test_a_passport_number_in_small_letters_is_the_same_passport(db):
    """Third review: e7654321 and E7654321 made two active accounts for one passport."""
    first = register(csrf_client(), registration(id_type="passport", id_number="e7654321"))
    assert first.status_code == 302
    assert User.objects.get(username="zhangxh").id_number == "E7654321"

    again = register(
        csrf_client(),
        registration(
            id_type="passport", id_number="E7654321", username="zhangxh2", phone="13800007777"
        ),
    )

    assert "证件号码已被注册" in page_text(again)
    assert User.objects.filter(id_number__iexact="E7654321").count() == 1


def test_the_migration_writes_stored_passport_numbers_in_capitals(db):
    import importlib

    from django.apps import apps

    small = factories.user(username="small.p", id_type="passport", id_number="g1234567")
    twin_upper = factories.user(username="upper.q", id_type="passport", id_number="K7654321")
    twin_lower = factories.user(username="lower.q", id_type="passport", id_number="k7654321")
    migration = importlib.import_module("accounts.migrations.0007_document_numbers_in_capitals")

    migration.to_capitals(apps, None)

    small.refresh_from_db()
    twin_lower.refresh_from_db()
    assert small.id_number == "G1234567"
    assert (twin_upper.id_number, twin_lower.id_number) == ("K7654321", "k7654321")


def test_a_passport_number_is_still_a_passport_number(db):
    response = register(csrf_client(), registration(id_type="passport", id_number="E12345678"))

    assert response.status_code == 302
    assert User.objects.get(username="zhangxh").id_type == "passport"


def test_reregistering_creates_a_pending_account_sent_to_its_identity_page(world):
    client = csrf_client()

    response = register(
        client, registration(id_number=world.alice.id_number, real_name="李晓梅", reregister="on")
    )

    assert response["Location"] == "/accounts/identity/"
    assert User.objects.get(username="zhangxh").state == AccountState.PENDING
    world.alice.refresh_from_db()
    assert world.alice.state == AccountState.ACTIVE
    assert "身份核验" in page_text(client.get("/", follow=True))


def test_an_id_number_registered_after_the_first_check_is_refused_not_made_pending(
    world, monkeypatch
):
    # What a concurrent registration does between the checks and the insert: the
    # account must not silently become pending for someone who did not choose it.
    monkeypatch.setattr(registration_service, "_precheck", lambda *args, **kwargs: None)
    code_send(purpose=CodePurpose.REGISTER, destination=PHONE)
    data = Registration(
        real_name="李晓梅",
        id_type="resident_id",
        id_number=world.alice.id_number,
        phone=PHONE,
        email="",
        username="zhangxh",
        password=STRONG,
    )

    with pytest.raises(DuplicateIdNumber):
        registration_service.account_register(data=data, code=sms_code(PHONE))
    assert not User.objects.filter(username="zhangxh").exists()


def test_a_phone_in_use_offers_find_user_name_take_over_and_the_reviewers(world):
    world.bob.phone = PHONE
    world.bob.save()

    response = register(csrf_client(), registration())

    page = page_text(response)
    assert "手机号已使用" in page
    assert "/accounts/find-username/" in page
    assert "此手机号为本人所有，继续注册" in page
    assert "向客服提交手机号申请" in page
    assert not User.objects.filter(username="zhangxh").exists()


def test_taking_over_a_phone_with_its_code_moves_it_from_the_old_account(world):
    world.bob.phone, world.bob.email = PHONE, "bob@example.com"
    world.bob.save()

    register(csrf_client(), registration(take_over_phone="on"))

    world.bob.refresh_from_db()
    assert world.bob.phone == ""
    assert world.bob.username == "bob" and world.bob.email == "bob@example.com"
    assert world.bob.state == AccountState.ACTIVE
    assert User.objects.get(username="zhangxh").phone == PHONE
    assert AuditEvent.objects.filter(action="accounts.phone_taken_over", subject=world.bob).exists()


def test_the_old_account_is_told_by_email_that_its_phone_was_taken_over(
    world, django_capture_on_commit_callbacks
):
    world.bob.phone, world.bob.email = PHONE, "bob@example.com"
    world.bob.save()

    with django_capture_on_commit_callbacks(execute=True):
        register(csrf_client(), registration(take_over_phone="on"))

    (body,) = mails_to("bob@example.com")
    assert "手机号" in body and "解除" in body


def test_a_logged_in_person_is_sent_home(client_for, world):
    assert client_for(world.alice).get(URL)["Location"] == "/"


def test_the_registration_page_costs_few_queries(db, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize("reregister", [False, True])
def test_registering_costs_a_bounded_number_of_queries(
    world, django_assert_max_num_queries, reregister
):
    client = csrf_client()
    data = registration(
        id_number=world.alice.id_number, real_name="李晓梅", reregister="on" if reregister else ""
    )
    send_code(client, data)
    data["code"] = sms_code(PHONE)
    client.get(URL)
    data["csrfmiddlewaretoken"] = client.cookies["csrftoken"].value

    # +2 since issue 11: the per-address code-check counter is a database row.
    with django_assert_max_num_queries(22):
        client.post(URL, data)


# Only whoever received the code learns whether another account holds a number ------------

REVEALS = {
    "id_number": "证件号码已被注册",
    "phone": "手机号已使用",
    "email": "该邮箱已被其他账号使用",
}


def taken(world, what: str) -> dict:
    """A registration whose ID number, phone or e-mail another account holds."""
    if what == "id_number":
        return registration(id_number=world.alice.id_number, real_name="李晓梅")
    if what == "phone":
        world.bob.phone = PHONE
        world.bob.save()
        return registration()
    world.bob.email = "bob@example.com"
    world.bob.save()
    return registration(phone="", email="bob@example.com")


def code_of(data: dict) -> str:
    return sms_code(data["phone"]) if data["phone"] else mail_code(data["email"])


def code_row(data: dict) -> VerificationCode:
    return VerificationCode.objects.get(destination=data["phone"] or data["email"])


def other_than(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.mark.parametrize("what", ["id_number", "phone", "email"])
def test_without_the_right_code_the_page_never_says_a_number_is_taken(world, what):
    data = taken(world, what)
    client = csrf_client()

    never_sent = page_text(csrf_post(client, URL, {**data, "code": "123456"}))
    send_code(client, data)
    wrong = page_text(csrf_post(client, URL, {**data, "code": other_than(code_of(data))}))
    empty = page_text(csrf_post(client, URL, {**data, "code": ""}))

    assert "验证码已失效或尚未获取" in never_sent
    assert "验证码不正确，还可尝试 4 次" in wrong
    assert "这个字段是必填项" in empty
    for page in (never_sent, wrong, empty):
        assert REVEALS[what] not in page
        assert "此手机号为本人所有" not in page and "我要重新注册" not in page
    assert not User.objects.filter(username="zhangxh").exists()


@pytest.mark.parametrize("what", ["id_number", "phone", "email"])
def test_with_the_right_code_the_page_says_a_number_is_taken_and_keeps_the_code(world, what):
    data = taken(world, what)
    client = csrf_client()
    send_code(client, data)
    code = code_of(data)

    page = page_text(csrf_post(client, URL, {**data, "code": code}))

    assert REVEALS[what] in page
    assert code_row(data).used_at is None


def test_reregistering_after_the_refusal_uses_the_same_code(world):
    client = csrf_client()
    data = registration(id_number=world.alice.id_number, real_name="李晓梅")
    send_code(client, data)
    code = sms_code(PHONE)

    refused = csrf_post(client, URL, {**data, "code": code})
    response = csrf_post(client, URL, {**data, "code": code, "reregister": "on"})

    assert "证件号码已被注册" in page_text(refused)
    assert response["Location"] == "/accounts/identity/"
    assert User.objects.get(username="zhangxh").state == AccountState.PENDING
    assert len(texts_to(PHONE)) == 1
    assert code_row(data).used_at is not None


def test_taking_over_the_phone_after_the_refusal_uses_the_same_code(world):
    world.bob.phone = PHONE
    world.bob.save()
    client = csrf_client()
    data = registration()
    send_code(client, data)
    code = sms_code(PHONE)

    refused = csrf_post(client, URL, {**data, "code": code})
    response = csrf_post(client, URL, {**data, "code": code, "take_over_phone": "on"})

    assert "手机号已使用" in page_text(refused)
    assert response["Location"] == "/"
    world.bob.refresh_from_db()
    assert (world.bob.phone, User.objects.get(username="zhangxh").phone) == ("", PHONE)


def test_a_code_used_by_a_registration_cannot_register_again(db):
    client = csrf_client()
    data = registration()
    send_code(client, data)
    code = sms_code(PHONE)
    csrf_post(client, URL, {**data, "code": code})
    client.logout()

    response = csrf_post(
        client,
        URL,
        {**data, "code": code, "username": "zhangxh2", "id_number": factories.id_number()},
    )

    assert "请重新获取验证码" in page_text(response)
    assert not User.objects.filter(username="zhangxh2").exists()


def test_a_phone_is_told_only_ten_times_a_day_that_a_number_is_registered(world):
    """证件号码已被注册 says a person has an account: whoever holds one phone's code is
    told so 10 times a day, then told to wait, without the answer."""
    client = csrf_client()
    data = registration(id_number=world.alice.id_number, real_name="李晓梅")
    send_code(client, data)
    code = sms_code(PHONE)
    assert registration_service.REVEALS_PER_DESTINATION.max == 10
    for _ in range(10):
        assert "证件号码已被注册" in page_text(csrf_post(client, URL, {**data, "code": code}))

    eleventh = page_text(csrf_post(client, URL, {**data, "code": code}))
    other_number = page_text(
        csrf_post(client, URL, {**data, "code": code, "id_number": world.bob.id_number})
    )

    for page in (eleventh, other_number):
        assert "证件号码已被注册" not in page
        assert "我要重新注册" not in page
        assert "操作过于频繁" in page and "小时后再试" in page
    # The limit withholds answers only: the code still registers.
    response = csrf_post(client, URL, {**data, "code": code, "reregister": "on"})
    assert response["Location"] == "/accounts/identity/"


def test_the_limit_of_one_phone_is_not_a_limit_of_the_client_address(world):
    client = csrf_client()
    data = registration(id_number=world.alice.id_number, real_name="李晓梅")
    send_code(client, data)
    code = sms_code(PHONE)
    for _ in range(11):
        csrf_post(client, URL, {**data, "code": code})
    assert "操作过于频繁" in page_text(csrf_post(client, URL, {**data, "code": code}))

    # Another student on the same address (the test client's REMOTE_ADDR), another phone.
    classmate = csrf_client()
    told = registration(
        id_number=world.alice.id_number, phone="13800002222", username="classmate_1"
    )
    send_code(classmate, told)
    told_page = page_text(csrf_post(classmate, URL, {**told, "code": sms_code("13800002222")}))
    response = register(csrf_client(), registration(phone="13800003333", username="classmate_2"))

    assert "证件号码已被注册" in told_page
    assert response["Location"] == "/"
    assert User.objects.get(username="classmate_2").state == AccountState.ACTIVE


def test_a_user_name_already_taken_is_counted_like_the_other_reveals(world):
    """One code may not test user names without end: "该用户名已被使用" is told 10 times a
    day per phone, like 证件号码已被注册, then the phone is told to wait, without the
    answer. The refusals leave the code unused, so it still registers a free name."""
    client = csrf_client()
    data = registration()
    send_code(client, data)
    code = sms_code(PHONE)
    for guess in range(registration_service.REVEALS_PER_DESTINATION.max):
        world.bob.username = f"guess{guess}"
        world.bob.save(update_fields=["username"])
        page = page_text(
            csrf_post(client, URL, {**data, "code": code, "username": f"GUESS{guess}"})
        )
        assert "该用户名已被使用，请换一个用户名" in page
        assert code_row(data).used_at is None

    eleventh = page_text(csrf_post(client, URL, {**data, "code": code, "username": "ALICE"}))
    id_number = page_text(
        csrf_post(client, URL, {**data, "code": code, "id_number": world.alice.id_number})
    )

    for page in (eleventh, id_number):
        assert "该用户名已被使用" not in page and "证件号码已被注册" not in page
        assert "操作过于频繁" in page and "小时后再试" in page
    response = csrf_post(client, URL, {**data, "code": code, "username": "zhangxh"})
    assert response["Location"] == "/"
    assert User.objects.get(username="zhangxh").state == AccountState.ACTIVE
