"""Issue 11 item 5: log-in throttling that is exact under bursts and fair to a campus.

Bursts of parallel log-ins and code checks never get more passwords or codes checked
than the limit (PostgreSQL, real threads); IPv6 clients are counted per /64;
/admin/login/ is the portal's log-in; staff unlock an account (audited); user-name
availability answers on the account page are limited."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test import Client

from accounts.errors import AccountError
from accounts.models import CodePurpose, VerificationCode
from accounts.services.codes import code_send, code_verify
from portal.lib.models import AuditEvent
from tests import factories
from tests.accounts.helpers import (
    LOGIN,
    WRONG_PASSWORD,
    csrf_client,
    csrf_post,
    fail,
    log_in,
    mail_code,
    page_text,
)
from tests.threads import run_together

URL = LOGIN
WRONG = WRONG_PASSWORD
THROTTLED = "后再试"  # "请 N 分钟后再试": the account's wait and the address's alike
THREADS = 20


class CountingHasher(MD5PasswordHasher):
    """The test hasher, counting the passwords it checks. In a burst each check takes
    `delay` seconds, as Argon2's does, so that the burst arrives while the first checks
    are still running; elsewhere a check is as fast as the test hasher's."""

    checked = 0
    delay = 0.0
    lock = threading.Lock()

    def verify(self, password, encoded):
        with CountingHasher.lock:
            CountingHasher.checked += 1
        if CountingHasher.delay:
            time.sleep(CountingHasher.delay)
        return super().verify(password, encoded)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_login_throttle.CountingHasher"]
    CountingHasher.checked, CountingHasher.delay = 0, 0.0
    yield CountingHasher
    CountingHasher.delay = 0.0


burst = run_together


# Bursts -----------------------------------------------------------------------------------


def _login_burst(settings, counting_hasher) -> None:
    counting_hasher.delay = 0.3  # a check as slow as Argon2's: the burst overtakes it
    factories.user(username="erin.li")
    passwords = ["not-the-password"] * THREADS + [factories.PASSWORD]

    clients = []
    for _password in passwords:  # each with its CSRF cookie, before the burst
        client = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.0.0.1")
        client.get(URL)
        clients.append(client)

    def post(client, password):
        data = {"username": "erin.li", "password": password}
        return client.post(URL, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})

    results = burst([lambda c=c, p=p: post(c, p) for c, p in zip(clients, passwords, strict=True)])

    assert all(not isinstance(r, BaseException) for r in results), results
    assert counting_hasher.checked <= settings.THROTTLE_LOGIN_TRIES
    refused = [r for r in results if THROTTLED in page_text(r)]
    assert len(refused) >= len(results) - settings.THROTTLE_LOGIN_TRIES


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="bursts need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_20_wrong_and_1_right_log_ins_checks_at_most_5_passwords(
    settings, counting_hasher
):
    """Issue 11: 19 wrong passwords and the right one were checked against a limit of 5."""
    settings.THROTTLE_REDIS_URL = ""
    _login_burst(settings, counting_hasher)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="bursts need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_log_ins_with_redis_counters_checks_at_most_5_passwords(
    settings, counting_hasher, redis_store
):
    _login_burst(settings, counting_hasher)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="bursts need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_20_wrong_codes_and_the_right_one_compares_at_most_5():
    code_send(purpose=CodePurpose.REGISTER, destination="racer@example.com")
    right = mail_code("racer@example.com")
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    codes = [wrong] * THREADS + [right]

    results = burst(
        [
            lambda c=c: code_verify(
                purpose=CodePurpose.REGISTER, destination="racer@example.com", code=c
            )
            for c in codes
        ]
    )

    assert all(isinstance(r, (AccountError, VerificationCode)) for r in results), results
    told_wrong = [r for r in results if isinstance(r, AccountError) and "不正确" in r.message]
    assert len(told_wrong) <= 4  # the 5th wrong try is told "错误次数过多"
    assert VerificationCode.objects.get().failed_attempts <= 5


def test_code_tries_are_taken_before_the_comparison_and_a_right_code_gives_its_back(db):
    code_send(purpose=CodePurpose.REGISTER, destination="one@example.com")
    right = mail_code("one@example.com")
    verify = {"purpose": CodePurpose.REGISTER, "destination": "one@example.com"}
    for left in (4, 3):
        with pytest.raises(AccountError, match=f"还可尝试 {left} 次"):
            code_verify(**verify, code="000000" if right != "000000" else "111111")

    for _resubmit in range(3):
        assert code_verify(**verify, code=right).failed_attempts == 2


# Fairness ------------------------------------------------------------------------------


def test_an_address_with_30_failures_for_made_up_names_lets_a_right_password_in(db):
    erin = factories.user(username="erin.li")
    for n in range(30):
        assert WRONG in page_text(log_in(f"made-up-{n}", "not-the-password"))

    response = log_in("erin.li")

    assert response.status_code == 302
    assert response.wsgi_request.session["_auth_user_id"] == str(erin.pk)


def test_unknown_and_known_identifiers_get_the_same_answers_and_waits(db):
    factories.user(username="erin.li")
    fail("erin.li")
    fail("nobody")

    known, unknown = page_text(log_in("erin.li")), page_text(log_in("nobody"))

    assert "密码错误次数过多，请 15 分钟后再试" in known
    assert "密码错误次数过多，请 15 分钟后再试" in unknown


def test_addresses_in_one_ipv6_64_share_the_counter_of_an_account(db):
    factories.user(username="erin.li")
    for n in range(5):
        fail("erin.li", 1, ip=f"2001:db8:1:2::{n + 1}")

    assert THROTTLED in page_text(log_in("erin.li", ip="2001:db8:1:2:abcd::9"))
    assert log_in("erin.li", ip="2001:db8:1:3::1").status_code == 302


# /admin/login/ ---------------------------------------------------------------------------


def test_admin_login_is_the_portal_log_in(world):
    client = Client(enforce_csrf_checks=True)

    response = client.get("/admin/login/?next=/admin/accounts/user/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/accounts/user/"
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_admin_login_takes_no_password_itself(world):
    client = Client()
    response = client.post("/admin/login/", {"username": "admin", "password": factories.PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_admin_login_refuses_an_outside_next_and_a_signed_in_non_staff_person(world):
    response = Client().get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=/admin/"

    client = Client()
    client.force_login(world.alice)
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_the_superuser_is_throttled_like_everyone(world, counting_hasher):
    for _ in range(60):
        log_in("admin", "not-the-password", url="/accounts/login/?next=/admin/")

    response = log_in("admin")

    assert counting_hasher.checked == 5
    assert THROTTLED in page_text(response)
    assert "_auth_user_id" not in response.wsgi_request.session


def test_the_superuser_signs_in_to_the_admin_through_the_portal(world):
    client = Client(enforce_csrf_checks=True)
    response = csrf_post(
        client,
        "/accounts/login/?next=/admin/",
        {"username": "admin", "password": factories.PASSWORD, "next": "/admin/"},
        page="/accounts/login/?next=/admin/",
    )

    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# Unlock ---------------------------------------------------------------------------------


def test_an_admin_unlocks_an_account_in_the_admin_and_it_is_audited(world):
    erin = factories.user(username="erin.li")
    fail("erin.li")
    assert THROTTLED in page_text(log_in("erin.li"))
    admin = csrf_client(world.admin)

    response = csrf_post(
        admin,
        "/admin/accounts/user/",
        {"action": "unlock_login", "_selected_action": [str(erin.pk)]},
    )

    assert response.status_code == 302
    assert log_in("erin.li").status_code == 302
    event = AuditEvent.objects.get(action="accounts.login_unlocked")
    assert event.actor == world.admin
    assert event.target_id == str(erin.pk)


def test_only_staff_who_may_change_accounts_can_unlock(world):
    counselor = csrf_client(world.counselor)

    response = csrf_post(
        counselor,
        "/admin/accounts/user/",
        {"action": "unlock_login", "_selected_action": [str(world.alice.pk)]},
        page="/accounts/me/",
    )

    assert response.status_code in (302, 403)
    assert not AuditEvent.objects.filter(action="accounts.login_unlocked").exists()


# User-name probing ----------------------------------------------------------------------


def _try_username(client, name):
    return page_text(
        csrf_post(client, "/accounts/me/username/", {"username": name}, page="/accounts/me/")
    )


def test_user_name_availability_is_limited_per_account(world, settings):
    client = csrf_client(world.alice)
    for n in range(settings.THROTTLE_USERNAME_CHECKS):
        assert "该用户名已被使用" in _try_username(client, "counselor" if n % 2 else "carol")

    page = _try_username(client, "carol")

    assert "该用户名已被使用" not in page
    assert "操作过于频繁，请 60 分钟后再试" in page


def test_user_name_availability_is_limited_per_address(world, settings):
    settings.THROTTLE_USERNAME_CHECKS_PER_ADDRESS = 6
    for person in (world.alice, world.bob, world.carol):
        client = csrf_client(person)
        for _ in range(2):
            assert "该用户名已被使用" in _try_username(client, "counselor")

    page = _try_username(csrf_client(world.dave), "alice")

    assert THROTTLED in page and "该用户名已被使用" not in page


# One identifier, two accounts (second review) -------------------------------------------------


def test_a_user_name_may_not_be_another_accounts_phone_email_or_id_number(world):
    """Renamed to the victim's phone, an attacker's account shared that identifier with
    hers at log-in, and his own right password forgave every guess at hers."""
    world.bob.phone, world.bob.email = "13900001111", "bob@example.com"
    world.bob.save()
    client = csrf_client(world.alice)

    for taken in ("13900001111", "bob@example.com", world.bob.id_number):
        # refused by the user name's shape now (accounts.lookup.username_shape_refusal)
        assert "请换一个用户名" in _try_username(client, taken)
    world.alice.refresh_from_db()
    assert world.alice.username != "13900001111"


def test_a_right_password_of_one_account_forgives_no_guess_at_another(db):
    """An ID number names the holder and a pending claimant: tries by that number are
    counted for both, and the claimant's own right password wipes nothing."""
    holder = factories.user(username="holder.z", id_number=factories.id_number())
    claimant = factories.user(
        username="claimant.z",
        id_number=holder.id_number,
        real_name=holder.real_name,
        state="pending",
        password="claimant-own-pass-77",
    )
    for _ in range(3):
        assert WRONG in page_text(log_in(holder.id_number, "guess-at-the-holder"))
    assert log_in(claimant.id_number, "claimant-own-pass-77").status_code == 302
    assert WRONG in page_text(log_in(holder.id_number, "guess-at-the-holder"))

    assert THROTTLED in page_text(log_in(holder.id_number, "guess-at-the-holder"))


def test_every_identifier_of_hers_counts_on_her_account_whoever_else_it_names(db):
    """Third review: user names taken before she registered her phone or ID number made
    each identifier name two accounts, each pair with a counter of its own (20 guesses)."""
    erin = factories.user(username="erin.z", id_number=factories.id_number(), phone="13700000009")
    factories.user(username=erin.id_number, password="attacker-pass-1")
    factories.user(username="13700000009", password="attacker-pass-2")
    for identifier in ("erin.z", "erin.z", erin.id_number, erin.id_number, "13700000009"):
        assert WRONG in page_text(log_in(identifier, "guess-at-erin"))

    for identifier in ("erin.z", erin.id_number, "13700000009"):
        assert THROTTLED in page_text(log_in(identifier, "guess-at-erin"))


def test_a_new_pending_account_on_her_number_buys_no_fresh_tries(db):
    erin = factories.user(username="erin.y", id_number=factories.id_number())
    for _ in range(5):
        assert WRONG in page_text(log_in(erin.id_number, "guess-at-erin"))
    factories.user(
        username="pending.y", id_number=erin.id_number, real_name=erin.real_name, state="pending"
    )

    assert THROTTLED in page_text(log_in(erin.id_number, "guess-at-erin"))


def test_guesses_from_many_addresses_meet_a_ceiling_her_own_browser_does_not(db, settings):
    erin = factories.user(username="erin.x")
    phone = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.9.9.9")
    csrf_post(phone, URL, {"username": "erin.x", "password": factories.PASSWORD})
    phone.post("/accounts/logout/", {"csrfmiddlewaretoken": phone.cookies["csrftoken"].value})
    for n in range(settings.THROTTLE_LOGIN_ACCOUNT_TRIES // settings.THROTTLE_LOGIN_TRIES):
        for _ in range(settings.THROTTLE_LOGIN_TRIES):
            assert WRONG in page_text(log_in("erin.x", "guess", ip=f"2001:db8:{n}::1"))

    assert THROTTLED in page_text(log_in("erin.x", factories.PASSWORD, ip="2001:db8:ff::1"))
    mine = csrf_post(phone, URL, {"username": "erin.x", "password": factories.PASSWORD})
    assert mine.status_code == 302
    assert mine.wsgi_request.user == erin
