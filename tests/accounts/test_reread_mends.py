"""Mends of a re-read of the accounts app: each test fails without its mend."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import (
    AssistState,
    ClaimState,
    ClassmateAssist,
    IdentityClaim,
    IdentityRequest,
    RequestState,
    User,
)
from portal.lib.models import AuditEvent, ThrottleCounter
from tests import factories
from tests.accounts import test_second_factor as second_factor_tests
from tests.accounts.helpers import (
    csrf_client,
    csrf_post,
    logged_in,
    page_text,
    photo_request,
    sms_code,
    texts_to,
)

# Messages after commit ------------------------------------------------------------------


class BrokenGateway:
    """An SMS gateway that is down."""

    def send(self, message) -> None:
        raise OSError("gateway down")


BROKEN = "tests.accounts.test_reread_mends.BrokenGateway"


def due_claim(n: int) -> IdentityClaim:
    """A claim on holder<n>'s ID number whose dispute window has just passed."""
    holder = factories.user(
        username=f"holder{n}",
        id_number=factories.id_number(),
        phone=f"1370000000{n}",
        email=f"holder{n}@example.com",
    )
    twin = factories.user(
        username=f"twin{n}",
        real_name=holder.real_name,
        id_number=holder.id_number,
        phone=f"1390000000{n}",
        state="pending",
    )
    past = timezone.now() - datetime.timedelta(seconds=5)
    return IdentityClaim.objects.create(
        claimant=twin,
        holder=holder,
        route="facts",
        state=ClaimState.READY,
        ready_at=past,
        takes_effect_at=past,
    )


@pytest.mark.django_db(transaction=True)
def test_a_gateway_outage_does_not_stop_the_sweep_of_due_claims(settings, caplog):
    settings.SMS_BACKEND = BROKEN
    first, second = due_claim(0), due_claim(1)
    assist = ClassmateAssist.objects.create(
        requester=first.claimant, classmate=factories.user(), state=AssistState.PENDING
    )
    photos = photo_request(first.claimant)

    call_command("complete_claims")

    for claim in (first, second):
        assert IdentityClaim.objects.get(pk=claim.pk).state == ClaimState.COMPLETED
    # the callbacks after the failed text ran too
    assert ClassmateAssist.objects.get(pk=assist.pk).state == AssistState.CLOSED
    assert IdentityRequest.objects.get(pk=photos.pk).state == RequestState.APPROVED
    assert any("holder0@example.com" in m.to for m in mail.outbox)  # the e-mail still went
    assert "was not sent" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_gateway_outage_does_not_fail_the_request(settings):
    settings.SMS_BACKEND = BROKEN
    claim = due_claim(0)
    IdentityClaim.objects.filter(pk=claim.pk).update(
        takes_effect_at=timezone.now() + datetime.timedelta(days=1)
    )

    response = csrf_post(
        csrf_client(claim.holder), f"/accounts/claims/{claim.pk}/object/", {}, page="/accounts/me/"
    )

    assert response.status_code == 302
    assert IdentityClaim.objects.get(pk=claim.pk).state == ClaimState.DISPUTED


# The browser she registered with is hers ---------------------------------------------------

LOGIN = "/accounts/login/"
PASSWORD = "bamboo-lantern-river-42"


def registered(client: Client, *, id_number: str, phone: str, username: str):
    data = {
        "real_name": "王小红",
        "id_type": "resident_id",
        "id_number": id_number,
        "phone": phone,
        "email": "",
        "username": username,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "accept_terms": "on",
    }
    csrf_post(client, "/accounts/register/", {**data, "action": "send_code"})
    return csrf_post(
        client, "/accounts/register/", {**data, "action": "register", "code": sms_code(phone)}
    )


def test_guesses_from_many_addresses_do_not_shut_her_registration_browser_out(db, settings):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.1.1.1")
    number = factories.id_number()
    assert (
        registered(client, id_number=number, phone="13812345679", username="wxh2024").status_code
        == 302
    )
    client.post("/accounts/logout/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    # a classmate knows her ID number (class lists) and has several IPv6 /64s
    for n in range(settings.THROTTLE_LOGIN_ACCOUNT_TRIES // settings.THROTTLE_LOGIN_TRIES):
        for _ in range(settings.THROTTLE_LOGIN_TRIES):
            other = Client(enforce_csrf_checks=True, REMOTE_ADDR=f"2001:db8:{n}::1")
            csrf_post(other, LOGIN, {"username": number, "password": "guess"})

    mine = csrf_post(client, LOGIN, {"username": "wxh2024", "password": PASSWORD})

    assert mine.status_code == 302
    assert mine.wsgi_request.user.username == "wxh2024"


# The shape of a user name ---------------------------------------------------------------------


def try_username(user, name: str) -> str:
    response = csrf_post(
        csrf_client(user), "/accounts/me/username/", {"username": name}, page="/accounts/me/"
    )
    return page_text(response)


def test_a_user_name_never_reads_as_an_id_number_not_even_her_own(db):
    client = csrf_client()
    number = factories.id_number()

    response = registered(client, id_number=number, phone="13812345670", username=number)

    assert response.status_code == 200
    assert "用户名不能使用证件号码" in page_text(response)
    assert not User.objects.filter(id_number=number).exists()


def test_she_may_not_rename_herself_to_her_id_number(world):
    page = try_username(world.alice, world.alice.id_number)

    assert "用户名不能使用证件号码" in page
    world.alice.refresh_from_db()
    assert world.alice.username == "alice"


@pytest.mark.parametrize(
    "shape",
    ["zs{n}", "{n}.me", "{a}-{b}-{c}", "{a}_{b}_{c}", "{a}.{b}.{c}", "{low}"],
)
def test_a_user_name_never_holds_an_id_number_inside_it(world, shape):
    """A user name is shown in clear on staff pages and in the audit (str(User)): the
    ID number may not hide in it behind a prefix, a suffix or separators."""
    number = world.alice.id_number
    name = shape.format(
        n=number, a=number[:6], b=number[6:14], c=number[14:], low="x" + number.lower()
    )

    page = try_username(world.alice, name)

    assert "用户名不能使用证件号码" in page
    world.alice.refresh_from_db()
    assert world.alice.username == "alice"


def test_a_user_name_with_a_short_run_of_digits_is_still_fine(world):
    try_username(world.alice, "wxh-20230101")

    world.alice.refresh_from_db()
    assert world.alice.username == "wxh-20230101"


def test_her_own_phone_may_be_her_user_name(db):
    client = csrf_client()

    response = registered(
        client, id_number=factories.id_number(), phone="13812345671", username="13812345671"
    )

    assert response.status_code == 302
    assert User.objects.get(phone="13812345671").username == "13812345671"


def test_a_phone_or_e_mail_not_hers_is_refused_whoever_holds_it(world):
    """No answer tells whether another account holds the phone, e-mail or ID number:
    each is refused for its shape alike, used or not."""
    world.bob.phone, world.bob.email = "13900001111", "bob@example.com"
    world.bob.save()
    pages = [
        try_username(world.alice, name)
        for name in ("13900001111", "13900002222", "bob@example.com", "nobody@example.com")
    ]

    assert all("用户名只能使用本账号的手机号或邮箱" in page for page in pages)
    assert not any("该用户名已被使用" in page for page in pages)


def test_the_id_number_of_another_gets_the_same_answer_as_a_free_one(world):
    taken = try_username(world.alice, world.bob.id_number)
    free = try_username(world.alice, factories.id_number())

    assert "用户名不能使用证件号码" in taken and "用户名不能使用证件号码" in free
    assert "该用户名已被使用" not in taken


# The cost of a log-in ------------------------------------------------------------------------


def test_a_log_in_looks_her_up_once_and_forgets_no_level_it_never_raised(db):
    factories.user(username="erin.q")
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.0.0.7")
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value

    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            LOGIN,
            {"username": "erin.q", "password": factories.PASSWORD, "csrfmiddlewaretoken": token},
        )

    assert response.status_code == 302
    sqls = [q["sql"] for q in ctx.captured_queries]
    # the counters' occasional purge of ended windows (one new window in 16) aside
    counted = [s for s in sqls if not ("DELETE" in s and '"expires" <' in s)]
    # 21 before: a second look-up and two DELETEs of levels. 19 with the required-notice
    # look-up (notices.hold.mark_login), which spares the first page its session write.
    assert len(counted) <= 19
    assert len([s for s in sqls if s.startswith("SELECT") and 'FROM "accounts_user"' in s]) == 1
    assert not [s for s in sqls if "DELETE" in s and "-level:" in s]


def test_a_right_password_still_forgets_the_longer_wait(db, settings):
    """The level is forgotten when there was one (forgive skips only a level of 0)."""
    factories.user(username="erin.w")
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.0.0.8")
    for _ in range(settings.THROTTLE_LOGIN_TRIES + 1):
        csrf_post(client, LOGIN, {"username": "erin.w", "password": "guess"})
    ThrottleCounter.objects.filter(key__startswith="throttle:login:").delete()  # the wait ends

    assert (
        csrf_post(client, LOGIN, {"username": "erin.w", "password": factories.PASSWORD}).status_code
        == 302
    )
    assert not ThrottleCounter.objects.filter(key__startswith="throttle:login-level:").exists()


# The dispute window as configured, one sentence for the claimant ------------------------------


def test_the_pages_announce_the_dispute_window_as_configured(world, settings):
    settings.IDENTITY_DISPUTE_WINDOW = 24 * 60 * 60
    pending = factories.user(username="pend.z", id_number=factories.id_number(), state="pending")

    identity_page = page_text(csrf_client(pending).get("/accounts/identity/"))
    register_page = page_text(  # 证件号码已被注册: the ways on
        registered(
            csrf_client(), id_number=world.alice.id_number, phone="13812345672", username="wxh3"
        )
    )

    for page in (identity_page, register_page):
        assert "等待期（24 小时）内" in page
        assert "72 小时" not in page


def test_the_claimant_is_told_one_sentence_by_text_message_and_page(
    world, twin, django_capture_on_commit_callbacks
):
    record = world.alice_record
    facts = {"school": record.institution.name, "student_number": record.student_number}
    facts["level"] = record.level
    client = csrf_client(twin)

    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_post(client, "/accounts/identity/facts/", facts, page="/accounts/identity/")
    after_check = page_text(client.get(response["Location"]))

    claim = IdentityClaim.objects.get(claimant=twin)
    sentence = texts_to(twin.phone)[-1].removeprefix("【学籍校对】")
    assert claim.state == ClaimState.READY and "届时您的账号即可正常使用" in sentence
    assert after_check.count(sentence) == 2  # the message after the check, and the page


# The account page after a refused form --------------------------------------------------------


def test_a_refused_form_leaves_every_other_section_of_the_account_page(world, twin):
    ClassmateAssist.objects.create(requester=twin, classmate=world.alice, state=AssistState.PENDING)

    page = try_username(world.alice, "carol")

    assert "该用户名已被使用" in page
    assert "新手机号" in page and "新邮箱" in page  # the phone and e-mail sections
    assert "请求您协助核验身份" in page  # the classmate's request waiting for her


# New recovery codes ask for the password ------------------------------------------------------


def test_new_recovery_codes_need_the_password_once_more(world, settings):
    settings.OTP_REQUIRED = True
    client = logged_in("registrar")
    second_factor_tests._enrol(client)
    manage = "/accounts/me/second-factor/"

    pages = [
        csrf_post(client, manage, {"action": "regenerate", **typed})
        for typed in ({}, {"password": "not-her-password"})
    ]

    assert all(page.status_code == 200 for page in pages)
    assert "密码不正确" in page_text(pages[1])
    assert 'class="recovery-code"' not in page_text(pages[0]) + page_text(pages[1])
    assert not AuditEvent.objects.filter(action="accounts.recovery_codes_regenerated").exists()
    right = csrf_post(client, manage, {"action": "regenerate", "password": factories.PASSWORD})
    assert page_text(right).count('class="recovery-code"') == 10
