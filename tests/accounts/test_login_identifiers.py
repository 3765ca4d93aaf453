"""/accounts/login/ with a user name, phone, e-mail or ID number (any case, full-width
digits) and the throttling of failed log-ins per (account, IP) and per IP."""

import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import AccountState
from tests import factories
from tests.accounts.helpers import (
    LOGIN,
    WRONG_PASSWORD,
    csrf_client,
    csrf_post,
    fail,
    log_in,
    page_text,
)

URL = LOGIN
ID_NUMBER = "11010519491231002X"  # the example number of GB 11643-1999
PHONE = "13912340000"
LOCKED = "密码错误次数过多，请 15 分钟后再试，或使用“找回密码”重设密码"
WRONG = WRONG_PASSWORD


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


@pytest.fixture
def erin(db):
    return factories.user(
        username="erin.li",
        real_name="李尔",
        id_number=ID_NUMBER,
        phone=PHONE,
        email="Erin.Li@example.com",
    )


def log_out(client) -> None:
    client.post("/accounts/logout/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})


@pytest.mark.parametrize(
    "identifier",
    [
        "erin.li",
        "ERIN.LI",
        PHONE,
        full_width(PHONE),
        "139 1234 0000",
        "erin.li@EXAMPLE.com",
        ID_NUMBER,
        ID_NUMBER.lower(),
        full_width(ID_NUMBER.lower()),
    ],
)
def test_any_identifier_of_the_account_logs_in(erin, identifier):
    response = log_in(identifier)

    assert response.status_code == 302
    assert response.wsgi_request.session["_auth_user_id"] == str(erin.pk)


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(erin):
    wrong_password = page_text(log_in("erin.li", "not-the-password"))
    unknown = page_text(log_in("nobody", "not-the-password"))

    assert WRONG in wrong_password and WRONG in unknown
    assert "找回密码" in wrong_password


def test_five_failures_lock_the_account_for_this_ip_and_say_when_to_try_again(erin):
    fail("erin.li")

    response = log_in("erin.li")

    assert LOCKED in page_text(response)
    assert "_auth_user_id" not in response.wsgi_request.session


def test_the_identifiers_of_one_account_share_one_counter(erin):
    fail("erin.li", 2)
    fail(PHONE, 2)
    fail(ID_NUMBER.lower(), 1)

    assert LOCKED in page_text(log_in("erin.li@example.com"))


def test_another_ip_can_still_log_in_to_a_locked_account(erin):
    fail("erin.li", ip="10.0.0.1")

    assert log_in("erin.li", ip="10.0.0.2").status_code == 302


def test_an_unknown_account_is_locked_after_five_failures_like_a_known_one(erin):
    fail("nobody")

    assert LOCKED in page_text(log_in("nobody"))


def test_spellings_of_an_unknown_phone_share_one_counter_as_a_known_ones_do(erin):
    fail("13900009999")

    assert LOCKED in page_text(log_in("139 0000 9999", "not-the-password"))
    assert LOCKED in page_text(log_in(full_width("13900009999"), "not-the-password"))


def test_spellings_of_an_unknown_user_name_share_one_counter(erin):
    fail("nobody")

    assert LOCKED in page_text(log_in(full_width("NOBODY"), "not-the-password"))


def test_a_success_clears_the_failures_of_the_account(erin):
    fail("erin.li", 4)
    assert log_in("erin.li").status_code == 302

    fail("erin.li", 4)

    assert log_in("erin.li").status_code == 302


def test_the_lock_ends_after_fifteen_minutes(erin, monkeypatch):
    fail("erin.li")
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 15 * 60 + 1)

    assert log_in("erin.li").status_code == 302


def test_thirty_failures_for_made_up_names_never_refuse_a_right_password(erin):
    """Issue 11: 30 failures with made-up names from one address (a campus NAT) used to
    refuse every account from it, right passwords included, for 15 minutes."""
    for n in range(6):
        fail(f"nobody{n}", 5)

    assert log_in("erin.li").status_code == 302


def test_after_thirty_failures_an_address_gets_two_wrong_passwords_a_minute(erin, monkeypatch):
    for n in range(6):
        fail(f"nobody{n}", 5)
    fail("someone", 2)

    refused = page_text(log_in("someone-else", "not-the-password"))
    assert "操作过于频繁，请 1 分钟后再试" in refused
    # Known and unknown identifiers alike, the right password too, but only for a minute.
    assert "操作过于频繁，请 1 分钟后再试" in page_text(log_in("erin.li"))
    assert log_in("erin.li", ip="10.0.0.2").status_code == 302
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 61)
    assert log_in("erin.li").status_code == 302


def test_a_right_password_from_a_slowed_address_does_not_use_up_its_minute(erin):
    for n in range(6):
        fail(f"nobody{n}", 5)

    for _ in range(5):
        assert log_in("erin.li").status_code == 302
    fail("someone", 2)


def test_a_browser_she_logged_in_from_before_is_never_slowed_by_the_address(erin):
    """A campus behind one address, someone spraying names at full speed: the slowed
    minute is always used up. Her own phone, where she logged in before, still gets in."""
    phone = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.0.0.1")
    assert log_in("erin.li", client=phone).status_code == 302
    log_out(phone)
    for n in range(6):
        fail(f"nobody{n}", 5)
    fail("someone", 2)  # the address's two wrong passwords of this minute

    assert "操作过于频繁" in page_text(log_in("erin.li"))  # a browser she never used
    assert log_in("erin.li", client=phone).status_code == 302
    log_out(phone)
    # The cookie names her account only: another account from her phone is slowed.
    assert "操作过于频繁" in page_text(log_in("someone-else", client=phone))


def test_wrong_passwords_for_her_account_behind_her_address_do_not_lock_her_phone(erin):
    """Someone behind the campus address tries her account five times: that address
    waits, her own phone (where she logged in before) does not."""
    phone = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.0.0.1")
    assert log_in("erin.li", client=phone).status_code == 302
    log_out(phone)
    fail("erin.li")

    assert LOCKED in page_text(log_in("erin.li"))
    assert log_in("erin.li", client=phone).status_code == 302


def test_her_phone_counts_its_own_wrong_passwords(erin):
    phone = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.0.0.1")
    assert log_in("erin.li", client=phone).status_code == 302
    log_out(phone)
    for _ in range(5):
        assert WRONG in page_text(log_in("erin.li", "not-the-password", client=phone))

    assert LOCKED in page_text(log_in("erin.li", client=phone))


def test_a_forged_device_cookie_is_no_help(erin):
    for n in range(6):
        fail(f"nobody{n}", 5)
    fail("someone", 2)
    browser = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.0.0.1")
    browser.cookies["xj_known_login"] = f"{erin.pk}:forged"

    assert "操作过于频繁" in page_text(log_in("erin.li", client=browser))


def test_the_wait_of_an_account_grows_with_each_window_that_runs_out(erin, monkeypatch):
    now = time.time()
    fail("erin.li")
    assert LOCKED in page_text(log_in("erin.li"))

    monkeypatch.setattr(time, "time", lambda: now + 15 * 60 + 1)
    fail("erin.li")
    assert "请 30 分钟后再试" in page_text(log_in("erin.li"))

    monkeypatch.setattr(time, "time", lambda: now + 45 * 60 + 2)
    assert log_in("erin.li").status_code == 302  # the owner is never locked out for good


def test_a_pending_account_logs_in_and_lands_on_its_identity_page(twin):
    client = Client(enforce_csrf_checks=True)

    response = log_in("alice_new", client=client)

    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/accounts/identity/"


@pytest.mark.parametrize("identifier", ["erin.li", ID_NUMBER])
def test_a_cancelled_account_cannot_log_in_and_is_told_it_was_cancelled(erin, identifier):
    """Issue 15: it read "账号或密码不正确"; with the right password it now says why and
    what to do."""
    erin.state, erin.is_active = AccountState.CANCELLED, False
    erin.save()

    response = log_in(identifier)

    page = page_text(response)
    assert "_auth_user_id" not in response.wsgi_request.session
    assert "该账号已注销" in page and "我要重新注册" in page and "身份核验" in page
    assert WRONG not in page


def test_a_wrong_password_of_a_cancelled_account_tells_nothing_of_its_state(erin):
    erin.state, erin.is_active = AccountState.CANCELLED, False
    erin.save()

    page = page_text(log_in(ID_NUMBER, "not-the-password"))

    assert WRONG in page and "已注销" not in page


def test_the_active_account_of_an_id_number_shared_with_a_pending_one_logs_in(world, twin):
    response = log_in(world.alice.id_number)

    assert response.wsgi_request.session["_auth_user_id"] == str(world.alice.pk)


def test_a_log_in_costs_a_bounded_number_of_queries(erin):
    client = csrf_client()
    client.get(URL)
    token = client.cookies["csrftoken"].value

    # Since issue 11 the throttle counters are database rows (Redis where configured):
    # unlocks, backoff levels, per-(account, address), per-account-everywhere and
    # per-address counts, given back on success. A constant, whatever the data.
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            URL, {"username": PHONE, "password": factories.PASSWORD, "csrfmiddlewaretoken": token}
        )
    assert response.status_code == 302
    _assert_counted(queries, at_most=21)


def test_a_failed_log_in_costs_a_bounded_number_of_queries(erin):
    client = csrf_client()
    client.get(URL)
    token = client.cookies["csrftoken"].value

    # 2 look-ups + 6 counter statements (database rows since issue 11; see above).
    with CaptureQueriesContext(connection) as queries:
        client.post(URL, {"username": PHONE, "password": "nope", "csrfmiddlewaretoken": token})
    _assert_counted(queries, at_most=8)


# One new counter window in 16 (by the digest of its key, so by the account's id) also
# deletes the rows of windows that ended long ago: a statement that comes and goes with
# the ids a database hands out, not with the work of the request.
_PURGE = 'DELETE FROM "portal_throttlecounter" WHERE "expires" <'


def _assert_counted(queries, *, at_most: int) -> None:
    purges = [q for q in queries.captured_queries if q["sql"].startswith(_PURGE)]
    work = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(_PURGE)]
    assert len(work) <= at_most, "\n".join(work)
    assert len(purges) <= 4  # at most one per counter that starts a window here


def test_a_log_in_without_the_csrf_token_is_refused(erin):
    client = Client(enforce_csrf_checks=True)

    response = client.post(URL, {"username": "erin.li", "password": factories.PASSWORD})

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_logging_out_ends_the_session(erin):
    client = csrf_client(erin)

    csrf_post(client, "/accounts/logout/", {}, page="/accounts/me/")

    assert client.get("/accounts/me/")["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("typed", ["E12345678", "e12345678", "Ｅ１２３４５６７８", "E1234 5678"])
def test_a_passport_number_logs_in_as_typed_or_in_capitals(db, typed):
    """Students from abroad or Hong Kong, Macao and Taiwan register with their passport
    or permit (证件类型): its number is one of their identifiers too."""
    holder = factories.user(username="kim.j", id_type="passport", id_number="E12345678")

    response = log_in(typed)

    assert response.status_code == 302
    assert response.wsgi_request.session["_auth_user_id"] == str(holder.pk)


def test_a_passport_number_never_names_a_resident_id_account(erin):
    """A 身份证 account is found by its 18-digit number only, never by a passport-like
    string that happens to be stored in its number field."""
    factories.user(username="odd", id_number="H1234567")  # a resident ID record, malformed

    assert WRONG in page_text(log_in("H1234567"))


def test_spellings_of_a_passport_number_share_one_counter(db):
    factories.user(username="kim.j", id_type="passport", id_number="E12345678")
    fail("e12345678", 3)
    fail("E12345678", 2)

    assert LOCKED in page_text(log_in("kim.j"))
