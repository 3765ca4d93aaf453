"""The 12-hour session lifetime counts from log-in and never slides with activity.

Time is moved by shifting every time the session stores (log-in, last seen, expiry) into
the past, as if the clock had moved on: no sleeping.
"""

from __future__ import annotations

import datetime
import time

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.middleware import LAST_SEEN_KEY, LOGGED_IN_KEY
from tests.accounts.helpers import logged_in

STEP = 10 * 60  # a click every ten minutes: never idle for long


def _move_clock(client: Client, seconds: int) -> None:
    """As if `seconds` had passed: every stored time moves that far into the past."""
    session = client.session
    for key in (LOGGED_IN_KEY, LAST_SEEN_KEY):
        if key in session:
            session[key] -= seconds
    if "_session_expiry" in session:
        session.set_expiry(session.get_expiry_date() - datetime.timedelta(seconds=seconds))
    session.save()


def _stored_expiry(client: Client) -> datetime.datetime:
    return Session.objects.get(session_key=client.cookies["sessionid"].value).expire_date


def test_log_in_fixes_the_session_end_at_12_hours(world):
    client = logged_in("alice")

    cookie = client.cookies["sessionid"]  # as the log-in's response set it
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60
    assert settings.SESSION_COOKIE_AGE - 2 <= int(cookie["max-age"]) <= settings.SESSION_COOKIE_AGE
    assert client.session[LOGGED_IN_KEY] <= int(time.time())
    expected = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((_stored_expiry(client) - expected).total_seconds()) < 5


def test_activity_every_ten_minutes_does_not_extend_the_session(world):
    client = logged_in("alice")
    elapsed = 0

    while elapsed + STEP < settings.SESSION_COOKIE_AGE:
        _move_clock(client, STEP)
        elapsed += STEP
        response = client.get("/records/mine/")

        assert response.status_code == 200, elapsed
        left = settings.SESSION_COOKIE_AGE - elapsed
        # The last-seen write saves the session: the cookie it sends ends when the
        # log-in's 12 hours end, not 12 hours from now; so does the stored session.
        assert int(response.cookies["sessionid"]["max-age"]) <= left + 2, elapsed
        stored_left = (_stored_expiry(client) - timezone.now()).total_seconds()
        assert stored_left <= left + 2, elapsed

    _move_clock(client, STEP)  # 12 hours since log-in: the stored session has expired
    response = client.get("/records/mine/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_a_session_older_than_12_hours_is_refused_even_with_a_valid_cookie(world):
    """The server refuses it by the stored log-in time, whatever the expiry says."""
    client = logged_in("bob")
    session = client.session
    session[LOGGED_IN_KEY] = int(time.time()) - settings.SESSION_COOKIE_AGE - 1
    session[LAST_SEEN_KEY] = int(time.time())
    session.set_expiry(timezone.now() + datetime.timedelta(hours=12))
    session.save()

    response = client.get("/records/mine/", follow=True)

    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    page = response.content.decode()
    assert "登录已超过 12 小时" in page
    assert "请重新登录" in page


def test_logging_in_again_starts_a_new_12_hours(world):
    client = logged_in("alice")
    _move_clock(client, 11 * 60 * 60)
    client.post("/accounts/logout/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})

    client = logged_in("alice")

    assert int(client.cookies["sessionid"]["max-age"]) >= settings.SESSION_COOKIE_AGE - 2
    assert client.get("/records/mine/").status_code == 200


def test_a_session_from_before_the_clock_gets_a_fixed_end(client_for, world):
    client = client_for(world.alice)
    session = client.session
    del session[LOGGED_IN_KEY]
    session.set_expiry(None)
    session.save()

    client.get("/records/mine/")

    assert LOGGED_IN_KEY in client.session
    assert "_session_expiry" in client.session
