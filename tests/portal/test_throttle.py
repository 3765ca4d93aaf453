"""portal.lib.throttle: counters that count first and compare after, in the database table or
in Redis (both atomic, neither Django's cache), per-address keys with IPv6 per /64, and
bursts of parallel tries that never pass the limit on either store."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test import RequestFactory, override_settings

from portal.lib.models import ThrottleCounter
from portal.lib.throttle import Backoff, DatabaseCounters, Limit, client_key, counters, network_key
from tests.threads import run_together

THREADS = 20


@pytest.fixture(params=["database", "redis"])
def store(request, db):
    if request.param == "redis":
        request.getfixturevalue("redis_store")
    return request.param


# Counting ----------------------------------------------------------------------------


def test_the_store_is_the_database_unless_redis_is_configured(settings, db):
    settings.THROTTLE_REDIS_URL = ""
    assert isinstance(counters(), DatabaseCounters)

    Limit("t", max=3, window=60).hit("someone")

    assert ThrottleCounter.objects.count() == 1
    assert "someone" not in ThrottleCounter.objects.get().key  # only a digest is stored


def test_attempt_counts_first_and_refuses_past_the_limit(store):
    limit = Limit("t", max=3, window=60)

    assert [limit.attempt("k") for _ in range(3)] == [0, 0, 0]
    wait = limit.attempt("k")

    assert 1 <= wait <= 60
    assert limit.wait("k") == wait or limit.wait("k") == wait - 1
    assert limit.attempt("other") == 0


def test_undo_gives_a_try_back_and_reset_forgets_the_key(store):
    limit = Limit("t", max=2, window=60)
    limit.attempt("k")
    limit.attempt("k")
    limit.undo("k")

    assert limit.attempt("k") == 0
    assert limit.attempt("k") > 0
    limit.reset("k")
    assert limit.count("k") == 0


def test_hit_returns_the_count_and_wait_does_not_count(store):
    limit = Limit("t", max=2, window=60)

    assert limit.wait("k") == 0
    assert limit.hit("k") == 1
    assert limit.hit("k") == 2
    assert limit.wait("k") > 0
    assert limit.count("k") == 2


def test_a_database_window_ends_and_starts_afresh(db, monkeypatch):
    limit = Limit("t", max=1, window=60)
    limit.attempt("k")
    assert limit.attempt("k") > 0
    now = time.time()

    monkeypatch.setattr(time, "time", lambda: now + 61)

    assert limit.wait("k") == 0
    assert limit.attempt("k") == 0
    assert limit.count("k") == 1


def test_backoff_doubles_the_wait_of_each_window_that_runs_out(db, monkeypatch):
    backoff = Backoff("b", tries=2, delay=60, max_delay=200)
    start = time.time()
    clock = [start]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    waits = []
    for _window in range(4):
        backoff.attempt("k")
        backoff.attempt("k")
        wait = backoff.attempt("k")
        waits.append(wait)
        clock[0] += wait + 1

    assert waits == [60, 120, 200, 200]
    backoff.reset("k")
    assert backoff.attempt("k") == 0


# Per-address keys -----------------------------------------------------------------------


def test_ipv4_addresses_are_their_own_keys():
    assert network_key("10.0.0.1") == "10.0.0.1"
    assert network_key("10.0.0.1") != network_key("10.0.0.2")
    assert network_key("::ffff:10.0.0.1") == "10.0.0.1"
    assert network_key("") == ""


def test_ipv6_addresses_in_one_64_share_a_key_and_other_64s_do_not():
    one = network_key("2001:db8:1:2::1")

    assert one == network_key("2001:db8:1:2:ffff:ffff:ffff:ffff") == "2001:db8:1:2::/64"
    assert one != network_key("2001:db8:1:3::1")


@override_settings(TRUSTED_PROXIES=["10.0.0.10"])
def test_client_key_is_the_network_of_the_forwarded_client():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.10", HTTP_X_FORWARDED_FOR="2001:db8:5:6:7:8:9:a"
    )

    assert client_key(request) == "2001:db8:5:6::/64"


def test_one_64_shares_a_counter(store):
    limit = Limit("addr", max=2, window=60)
    limit.attempt(network_key("2001:db8::1"))
    limit.attempt(network_key("2001:db8::2"))

    assert limit.attempt(network_key("2001:db8::3")) > 0
    assert limit.attempt(network_key("2001:db8:0:1::1")) == 0


# Bursts ----------------------------------------------------------------------------------


def burst(call, threads: int = THREADS) -> list[object]:
    return run_together([call] * threads)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="bursts need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_burst_on_the_database_counter_lets_exactly_the_limit_through(settings):
    settings.THROTTLE_REDIS_URL = ""
    limit = Limit("burst", max=5, window=60)

    results = burst(lambda: limit.attempt("k"))

    assert results.count(0) == 5, results
    assert limit.count("k") == THREADS


def test_a_burst_on_the_redis_counter_lets_exactly_the_limit_through(redis_store, db):
    limit = Limit("burst", max=5, window=60)

    results = burst(lambda: limit.attempt("k"))

    assert results.count(0) == 5, results
    assert limit.count("k") == THREADS
    assert 0 < redis_store.ttl(limit._key("k")) <= 60  # the window ends
