"""The client's address behind reverse proxies (portal.lib.throttle.client_ip): X-Forwarded-For
is read only from a peer listed in TRUSTED_PROXIES, from the right, and then the
throttles and the audit trail see each client, not the proxy."""

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from portal.lib.audit import log_action
from portal.lib.models import AuditEvent
from portal.lib.throttle import client_ip
from records.models import OnlineReport
from records.online_reports import services as report_services
from tests import factories

PROXY = "10.0.0.10"
LOCKED = "密码错误次数过多"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Nothing cached may leak into or out of a test (the throttle counters are database
    rows since issue 11, rolled back with each test)."""
    cache.clear()
    yield
    cache.clear()


def request(remote_addr: str = PROXY, forwarded: str | None = None):
    extra = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **extra)


# client_ip ------------------------------------------------------------------------------


@override_settings(TRUSTED_PROXIES=[])
def test_without_trusted_proxies_x_forwarded_for_is_ignored():
    assert client_ip(request("198.51.100.7", "203.0.113.5")) == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_behind_a_trusted_proxy_the_client_is_the_forwarded_address():
    assert client_ip(request(PROXY, "203.0.113.5")) == "203.0.113.5"


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_a_trusted_proxy_without_x_forwarded_for_is_the_client():
    assert client_ip(request(PROXY)) == PROXY
    assert client_ip(request(PROXY, "")) == PROXY


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_an_address_the_client_wrote_itself_is_not_believed():
    # The client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the address it saw.
    assert client_ip(request(PROXY, "1.2.3.4, 203.0.113.5")) == "203.0.113.5"


@override_settings(TRUSTED_PROXIES=["10.0.1.0/24", PROXY])
def test_trusted_hops_are_skipped_from_the_right():
    # client → load balancer 10.0.1.7 → nginx 10.0.0.10 → gunicorn
    forwarded = "1.2.3.4, 203.0.113.5, 10.0.1.7"

    assert client_ip(request(PROXY, forwarded)) == "203.0.113.5"


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_an_untrusted_peer_cannot_choose_its_address():
    assert client_ip(request("198.51.100.7", "203.0.113.5")) == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=[PROXY])
@pytest.mark.parametrize("forwarded", ["garbage", "203.0.113.5, unknown", "203.0.113.5,,"])
def test_an_entry_that_is_not_an_address_leaves_the_proxy(forwarded):
    assert client_ip(request(PROXY, forwarded)) == PROXY


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_addresses_on_the_left_of_the_first_untrusted_one_do_not_matter():
    assert client_ip(request(PROXY, "not-an-ip, 203.0.113.5")) == "203.0.113.5"


@override_settings(TRUSTED_PROXIES=[PROXY, "10.0.1.0/24"])
def test_when_every_hop_is_trusted_the_leftmost_is_the_client():
    assert client_ip(request(PROXY, "10.0.1.7")) == "10.0.1.7"


@override_settings(TRUSTED_PROXIES=["2001:db8:ffff::/48"])
def test_ipv6_proxies_and_clients():
    assert client_ip(request("2001:db8:ffff::10", "2001:DB8:0:1::5")) == "2001:db8:0:1::5"
    assert client_ip(request("2001:db8:ffff::10", "[2001:db8:1::5]:4711")) == "2001:db8:1::5"
    assert client_ip(request("2001:db8:ffff::10", "fe80::1%eth0")) == "fe80::1"
    assert client_ip(request("2001:db8:1::9", "203.0.113.5")) == "2001:db8:1::9"


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_an_ipv4_proxy_seen_on_an_ipv6_socket_is_trusted():
    assert client_ip(request(f"::ffff:{PROXY}", "203.0.113.5")) == "203.0.113.5"


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_a_port_after_an_ipv4_address_is_dropped():
    assert client_ip(request(PROXY, "203.0.113.5:51234")) == "203.0.113.5"


@override_settings(TRUSTED_PROXIES=["10.0.0.300"])
def test_a_wrong_trusted_proxies_setting_says_so():
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        client_ip(request(PROXY, "203.0.113.5"))


# Log-in throttling ----------------------------------------------------------------------


def log_in(client: Client, username: str, password: str):
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token},
    )


def behind_the_proxy(client_address: str) -> Client:
    return Client(enforce_csrf_checks=True, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_clients_behind_one_proxy_are_throttled_each_on_their_own(world):
    attacker = behind_the_proxy("203.0.113.66")
    for _ in range(5):
        assert "账号或密码不正确" in log_in(attacker, "alice", "wrong-password").content.decode()
    locked = log_in(attacker, "alice", factories.PASSWORD)

    alice = log_in(behind_the_proxy("198.51.100.20"), "alice", factories.PASSWORD)

    assert LOCKED in locked.content.decode()
    assert "_auth_user_id" not in locked.wsgi_request.session
    assert alice.status_code == 302
    assert alice.wsgi_request.session["_auth_user_id"] == str(world.alice.pk)


@override_settings(TRUSTED_PROXIES=[])
def test_without_trusted_proxies_everybody_behind_the_proxy_is_one_client(world):
    attacker = behind_the_proxy("203.0.113.66")
    for _ in range(5):
        log_in(attacker, "alice", "wrong-password")

    other = log_in(behind_the_proxy("198.51.100.20"), "alice", factories.PASSWORD)

    assert LOCKED in other.content.decode()


# Audit trail ----------------------------------------------------------------------------


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_a_public_look_up_is_audited_with_the_clients_address(world):
    report = OnlineReport.objects.create(
        record=world.alice_record,
        user=world.alice,
        code=report_services.code_generate(),
        valid_until=timezone.now() + datetime.timedelta(days=30),
    )

    Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5").get(
        f"/verify/{report.code}/"
    )

    event = AuditEvent.objects.get(action="records.online_report_viewed")
    assert event.ip_address == "203.0.113.5"


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_log_action_records_the_client_behind_a_trusted_proxy(world):
    log_action(world.alice_record, "records.viewed", request=request(PROXY, "203.0.113.5"))
    log_action(world.alice_record, "records.viewed", request=request("198.51.100.7", "1.2.3.4"))
    log_action(world.alice_record, "records.viewed")

    addresses = list(AuditEvent.objects.order_by("pk").values_list("ip_address", flat=True))
    assert addresses == ["203.0.113.5", "198.51.100.7", None]


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_a_students_confirmation_is_audited_with_her_address(world):
    """Services take the address (`ip=`), never the request: the view hands it over."""
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    client.force_login(world.alice)

    client.post(f"/records/{world.alice_record.pk}/confirm/")

    event = AuditEvent.objects.get(action="records.confirmed")
    assert event.ip_address == "203.0.113.9"
