"""Staff sign in with a second factor (issue 11, item 6): TOTP through django-otp, with
recovery codes, an admin's audited reset, and OTP_REQUIRED turning the requirement on.

Everything goes through HTTP with CSRF enforced; codes are computed from the device key
the enrol page shows (django_otp.oath.TOTP), as the phone app would."""

from __future__ import annotations

import datetime
import re
from base64 import b32decode
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import sms
from accounts.models import Role
from accounts.services import second_factor
from portal.lib.models import AuditEvent
from tests import factories
from tests.accounts.helpers import csrf_post, logged_in, page_text, totp_code
from tests.settings_probe import read_settings
from tests.threads import run_together

VERIFY = "/accounts/second-factor/verify/"
ENROL = "/accounts/second-factor/enrol/"
MANAGE = "/accounts/me/second-factor/"
GATED_PAGES = ["/", "/accounts/me/", "/records/mine/", "/admin/", "/admin/accounts/user/"]


@pytest.fixture
def otp_on(settings):
    settings.OTP_REQUIRED = True
    return settings


# Helpers --------------------------------------------------------------------------------


def _device(user, *, key: str = "3132333435363738393031323334353637383930") -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", key=key, confirmed=True)


def _enrol(client: Client) -> tuple[bytes, list[str]]:
    """Scan the enrol page (the secret in text), confirm with a first code: the key and
    the recovery codes shown once."""
    page = page_text(client.get(ENROL))
    assert 'src="data:image/svg+xml' in page  # the QR code, drawn on the server
    secret = re.search(r'<code class="otp-secret">([A-Z2-7 ]+)</code>', page).group(1)
    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    response = csrf_post(client, ENROL, {"code": totp_code(key), "next": "/"}, page=ENROL)
    assert response.status_code == 200, page_text(response)
    codes = re.findall(r'<code class="recovery-code">([A-Z2-7]+)</code>', page_text(response))
    return key, codes


def _throttle_passed(device) -> None:
    """As if the wait the device asked for had passed."""
    device.throttling_failure_timestamp = timezone.now() - datetime.timedelta(hours=1)
    device.save(update_fields=["throttling_failure_timestamp"])


def _gated(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 302, f"{path} answered {response.status_code}"
    return urlsplit(response["Location"]).path


# OTP_REQUIRED on: the registrar -------------------------------------------------------------


def test_a_registrar_reaches_no_page_not_even_admin_until_the_code(world, otp_on):
    world.registrar.is_staff = True
    world.registrar.save()
    key = b"12345678901234567890"
    _device(world.registrar, key=key.hex())
    client = logged_in("registrar")

    for path in GATED_PAGES:
        assert _gated(client, path) == VERIFY
    assert client.get("/").url == VERIFY + "?next=%2F"

    response = csrf_post(
        client, VERIFY, {"code": totp_code(key), "next": "/accounts/me/"}, page=VERIFY
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_the_verify_page_asks_for_a_numeric_one_time_code(world, otp_on):
    _device(world.registrar)
    client = logged_in("registrar")

    page = page_text(client.get(VERIFY))

    assert 'autocomplete="one-time-code"' in page
    assert 'inputmode="numeric"' in page
    assert "<script" not in page.split("</main>")[0].split("<main")[-1]


def test_a_registrar_without_a_device_is_sent_to_enrol_and_then_gets_in(
    world, otp_on, django_capture_on_commit_callbacks
):
    world.registrar.email = "registrar@example.edu.cn"
    world.registrar.save()
    client = logged_in("registrar")

    assert _gated(client, "/records/mine/") == ENROL
    assert _gated(client, "/admin/") == ENROL
    with django_capture_on_commit_callbacks(execute=True):
        key, codes = _enrol(client)

    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/accounts/me/").status_code == 200
    device = TOTPDevice.objects.get(user=world.registrar)
    assert device.confirmed and device.bin_key == key
    assert AuditEvent.objects.filter(
        action="accounts.second_factor_enrolled", subject=world.registrar
    ).exists()
    assert any("绑定手机验证器" in m.body for m in mail.outbox)
    # The next log-in asks for a code from the app just set up.
    client.post("/accounts/logout/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    again = logged_in("registrar")
    assert _gated(again, "/") == VERIFY
    response = csrf_post(again, VERIFY, {"code": totp_code(key, steps_ahead=1)}, page=VERIFY)
    assert response.status_code == 302
    assert again.get("/").status_code == 200


def test_a_wrong_first_code_does_not_confirm_the_device(world, otp_on):
    client = logged_in("registrar")
    client.get(ENROL)

    response = csrf_post(client, ENROL, {"code": "000000"}, page=ENROL)

    assert "验证码不正确" in page_text(response)
    assert not TOTPDevice.objects.filter(user=world.registrar, confirmed=True).exists()
    assert _gated(client, "/") == ENROL


def test_enrolling_cannot_replace_a_device_before_the_code(world, otp_on):
    """Someone with the password only must not get in by enrolling a phone of their own."""
    _device(world.registrar)
    client = logged_in("registrar")

    assert _gated(client, ENROL) == "/accounts/me/second-factor/"
    response = csrf_post(client, ENROL, {"code": "123456"}, page=VERIFY)

    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=world.registrar).count() == 1
    assert _gated(client, "/") == VERIFY


def test_a_wrong_code_is_refused_and_throttled_with_a_time_to_retry(world, otp_on):
    key = b"12345678901234567890"
    device = _device(world.registrar, key=key.hex())
    client = logged_in("registrar")

    wrong = csrf_post(client, VERIFY, {"code": "000000"}, page=VERIFY)
    assert wrong.status_code == 200
    assert "验证码不正确" in page_text(wrong)

    # Straight after a failure even the right code waits (django-otp's device throttle),
    # said as the log-in page says it.
    early = csrf_post(client, VERIFY, {"code": totp_code(key)}, page=VERIFY)
    assert re.search(r"请 \d+ 秒后再试", page_text(early))
    assert _gated(client, "/") == VERIFY

    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    _throttle_passed(device)
    late = csrf_post(client, VERIFY, {"code": totp_code(key)}, page=VERIFY)
    assert late.status_code == 302
    assert client.get("/").status_code == 200


def test_too_many_wrong_codes_end_the_session(world, otp_on):
    otp_on.OTP_TOTP_THROTTLE_FACTOR = 0  # the session's own limit, without the device's
    _device(world.registrar)
    client = logged_in("registrar")

    for _n in range(otp_on.OTP_SESSION_TRIES - 1):
        assert csrf_post(client, VERIFY, {"code": "000000"}, page=VERIFY).status_code == 200
    last = csrf_post(client, VERIFY, {"code": "000000"}, page=VERIFY)

    assert last.status_code == 302
    assert urlsplit(last["Location"]).path == "/accounts/login/"
    assert "/accounts/login/" in client.get("/records/mine/")["Location"]


def test_codes_sent_during_the_devices_wait_do_not_end_the_session(world, otp_on):
    """Five quick tries: one wrong code checked, four refused unread during the device's
    1-second wait. The session ended after about two real checks (second walk)."""
    otp_on.OTP_TOTP_THROTTLE_FACTOR = 60  # a wait that outlasts the test on a slow machine
    key = b"12345678901234567890"
    _device(world.registrar, key=key.hex())
    client = logged_in("registrar")
    assert "验证码不正确" in page_text(csrf_post(client, VERIFY, {"code": "000000"}, page=VERIFY))

    for _n in range(otp_on.OTP_SESSION_TRIES):
        page = page_text(csrf_post(client, VERIFY, {"code": "000000"}, page=VERIFY))
        assert "后再试" in page  # refused unread: the device is waiting

    assert _gated(client, "/") == VERIFY  # still her session, still asked for the code


def test_a_code_is_taken_once(world, otp_on):
    key = b"12345678901234567890"
    _device(world.registrar, key=key.hex())
    first, second = logged_in("registrar"), logged_in("registrar")
    code = totp_code(key)

    assert csrf_post(first, VERIFY, {"code": code}, page=VERIFY).status_code == 302
    replay = csrf_post(second, VERIFY, {"code": code}, page=VERIFY)

    assert replay.status_code == 200
    assert _gated(second, "/") == VERIFY


def test_a_recovery_code_works_once(world, otp_on, django_capture_on_commit_callbacks):
    world.registrar.phone = "13800001111"
    world.registrar.save()
    client = logged_in("registrar")
    _key, codes = _enrol(client)

    for attempt in ("accepted", "refused"):
        again = logged_in("registrar")
        with django_capture_on_commit_callbacks(execute=True):
            response = csrf_post(
                again, VERIFY, {"recovery_code": codes[0].lower(), "next": "/"}, page=VERIFY
            )
        if attempt == "accepted":
            assert response.status_code == 302
            assert again.get("/").status_code == 200
        else:
            assert response.status_code == 200
            assert "验证码不正确" in page_text(response)
            assert _gated(again, "/") == VERIFY

    used = AuditEvent.objects.get(action="accounts.recovery_code_used")
    assert used.subject == world.registrar
    assert used.changes == {"recovery_codes_left": [10, 9]}
    assert any("恢复码" in m.text for m in sms.outbox if m.phone == "13800001111")


def test_new_recovery_codes_replace_the_old_ones_and_are_audited(world, otp_on):
    client = logged_in("registrar")
    _key, old_codes = _enrol(client)

    response = csrf_post(client, MANAGE, {"action": "regenerate", "password": factories.PASSWORD})

    new_codes = re.findall(r'<code class="recovery-code">([A-Z2-7]+)</code>', page_text(response))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert StaticToken.objects.filter(device__user=world.registrar).count() == 10
    assert AuditEvent.objects.filter(
        action="accounts.recovery_codes_regenerated", actor=world.registrar
    ).exists()
    again = logged_in("registrar")
    refused = csrf_post(again, VERIFY, {"recovery_code": old_codes[1]}, page=VERIFY)
    assert refused.status_code == 200
    _throttle_passed(StaticDevice.objects.get(user=world.registrar))
    assert csrf_post(again, VERIFY, {"recovery_code": new_codes[1]}, page=VERIFY).status_code == 302


# What the pages show after a refused code ----------------------------------------------------


def _fields(response, name: str) -> dict[str, str]:
    """The inputs of the form on the page that holds the field `name`, as the browser
    would send them (hidden `next` included)."""
    page = page_text(response)
    form = next(f for f in re.findall(r"<form.*?</form>", page, re.S) if f'name="{name}"' in f)
    return {
        m.group(1): m.group(2) if m.group(2) is not None else ""
        for tag in re.findall(r"<input[^>]*>", form)
        if (m := re.search(r'name="([^"]+)"(?:.*?value="([^"]*)")?', tag))
    }


def _submit(client: Client, response, url: str, name: str, value: str):
    """Type `value` into the field `name` of the page in `response` and send its form."""
    data = {**_fields(response, name), name: value}
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def _continue_link(response) -> str:
    page = page_text(response)
    return re.search(r'<a class="button" href="([^"]*)">我已保存，继续</a>', page).group(1)


def _enrol_key(response) -> bytes:
    secret = re.search(r'<code class="otp-secret">([A-Z2-7 ]+)</code>', page_text(response))
    secret = secret.group(1).replace(" ", "")
    return b32decode(secret + "=" * (-len(secret) % 8))


@pytest.mark.parametrize(
    ("start", "continue_to"),
    [
        ("/accounts/me/", "/accounts/me/"),  # sent to enrol by the gate, ?next= kept
        (ENROL, "/"),  # the enrol page opened by hand: no next, the home page's URL
        (ENROL + "?next=https%3A%2F%2Fevil.example%2F", "/"),
        (ENROL + "?next=%2F%2Fevil.example%2F", "/"),
    ],
)
def test_after_a_wrong_first_code_the_recovery_codes_page_continues_to_a_url(
    world, otp_on, start, continue_to
):
    client = logged_in("registrar")
    page = client.get(start, follow=True)
    key = _enrol_key(page)

    wrong = _submit(client, page, ENROL, "code", "000000")
    assert "验证码不正确" in page_text(wrong)
    _throttle_passed(TOTPDevice.objects.get(user=world.registrar))
    right = _submit(client, wrong, ENROL, "code", totp_code(key))

    assert right.status_code == 200
    assert _continue_link(right) == continue_to
    assert client.get(continue_to).status_code == 200


@pytest.mark.parametrize(
    ("start", "after"),
    [
        ("/accounts/me/", "/accounts/me/"),
        (VERIFY, "/"),
        (VERIFY + "?next=https%3A%2F%2Fevil.example%2F", "/"),
    ],
)
def test_after_a_wrong_code_the_verify_page_still_goes_to_the_safe_next(
    world, otp_on, start, after
):
    key = b"12345678901234567890"
    device = _device(world.registrar, key=key.hex())
    client = logged_in("registrar")
    page = client.get(start, follow=True)

    wrong = _submit(client, page, VERIFY, "code", "000000")
    assert "验证码不正确" in page_text(wrong)
    assert _fields(wrong, "code")["next"] == after
    _throttle_passed(device)
    right = _submit(client, wrong, VERIFY, "code", totp_code(key))

    assert right.status_code == 302
    assert right["Location"] == after


@pytest.mark.parametrize("url", [VERIFY, ENROL])
def test_after_a_wrong_code_the_code_field_is_empty_for_the_next_one(world, otp_on, url):
    if url == VERIFY:
        _device(world.registrar)
    client = logged_in("registrar")
    page = client.get(url)

    wrong = _submit(client, page, url, "code", "000000")

    assert "验证码不正确" in page_text(wrong)
    assert _fields(wrong, "code")["code"] == ""
    # A code of the wrong shape stays, to be corrected.
    typo = _submit(client, page, url, "code", "12345")
    assert "6 位数字" in page_text(typo)
    assert _fields(typo, "code")["code"] == "12345"


@pytest.mark.parametrize("url", [VERIFY, ENROL])
def test_the_wait_after_wrong_codes_is_said_as_at_log_in_not_as_a_clock_time(world, otp_on, url):
    otp_on.OTP_TOTP_THROTTLE_FACTOR = 600  # ten minutes after the first wrong code
    if url == VERIFY:
        _device(world.registrar)
    client = logged_in("registrar")
    page = client.get(url)

    wrong = _submit(client, page, url, "code", "000000")
    early = _submit(client, wrong, url, "code", "123456")

    for response in (wrong, early):
        text = page_text(response)
        assert not re.search(r"\d\d:\d\d:\d\d", text)
        assert "请 10 分钟后再试" in text
    assert "验证码不正确" in page_text(wrong)
    assert "验证码不正确" not in page_text(early)


def _header(response) -> str:
    return page_text(response).split("<header", 1)[1].split("</header>", 1)[0]


@pytest.mark.parametrize("owed", [VERIFY, ENROL])
def test_a_session_that_owes_a_code_sees_no_navigation_but_log_out(world, otp_on, owed):
    """Every link of the staff navigation would bounce back to the gate."""
    if owed == VERIFY:
        key = b"12345678901234567890"
        _device(world.registrar, key=key.hex())
    client = logged_in("registrar")
    page = client.get(owed)

    header = _header(page)
    assert "<nav" not in header
    assert "<a " not in header  # not even the brand's link home
    assert 'action="/accounts/logout/"' in header
    assert "/records/" not in page_text(page).split("<main", 1)[0]
    # The navigation comes back once the code is given.
    if owed == VERIFY:
        _submit(client, page, VERIFY, "code", totp_code(key))
    else:
        _submit(client, page, ENROL, "code", totp_code(_enrol_key(page)))
    header = _header(client.get("/accounts/me/"))
    assert "<nav" in header and 'href="/records/queue/"' in header


def test_a_counselor_enrolling_of_their_own_accord_keeps_the_navigation(world, otp_on):
    client = logged_in("counselor")

    assert "<nav" in _header(client.get(ENROL))


# Other roles --------------------------------------------------------------------------------


def test_a_counselor_is_not_asked_until_enrolled_then_asked(world, otp_on):
    client = logged_in("counselor")
    assert client.get("/").status_code == 200
    assert "两步验证" in page_text(client.get("/accounts/me/"))
    assert "绑定手机验证器" in page_text(client.get(MANAGE))

    key, _codes = _enrol(client)

    again = logged_in("counselor")
    assert _gated(again, "/") == VERIFY
    assert (
        csrf_post(again, VERIFY, {"code": totp_code(key, steps_ahead=1)}, page=VERIFY).status_code
        == 302
    )
    assert again.get("/").status_code == 200


def test_a_college_account_is_not_asked_without_a_device(world, otp_on):
    client = logged_in("college")

    assert client.get("/").status_code == 200


def test_a_student_is_never_asked_and_cannot_enrol(world, otp_on):
    client = logged_in("alice")

    assert client.get("/").status_code == 200
    assert client.get("/records/mine/").status_code == 200
    assert client.get(ENROL).status_code == 403
    assert client.get(MANAGE).status_code == 403
    assert "两步验证" not in page_text(client.get("/accounts/me/"))


def test_a_reviewer_and_a_superuser_must_enrol(world, otp_on):
    for username in ("reviewer", "admin"):
        client = logged_in(username)
        for path in GATED_PAGES:
            assert _gated(client, path) == ENROL


# The admin's reset ----------------------------------------------------------------------------


def test_an_admin_resets_a_staff_members_second_factor_audited_and_told(
    world, otp_on, django_capture_on_commit_callbacks
):
    world.registrar.phone = "13800002222"
    world.registrar.save()
    registrar = logged_in("registrar")
    _enrol(registrar)
    admin_key = b"abcdefghijabcdefghij"
    _device(world.admin, key=admin_key.hex())
    admin = logged_in("admin")
    assert csrf_post(admin, VERIFY, {"code": totp_code(admin_key)}, page=VERIFY).status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_post(
            admin,
            "/admin/accounts/user/",
            {"action": "reset_second_factor", "_selected_action": [world.registrar.pk]},
        )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.registrar).exists()
    assert not StaticDevice.objects.filter(user=world.registrar).exists()
    event = AuditEvent.objects.get(action="accounts.second_factor_reset")
    assert (event.actor, event.subject) == (world.admin, world.registrar)
    assert any("重置" in m.text for m in sms.outbox if m.phone == "13800002222")
    # Every session of hers ends: whoever holds one (the finder of the lost phone) is
    # asked for the password, never offered to enrol a device of their own.
    assert _gated(registrar, "/records/mine/") == "/accounts/login/"
    assert _gated(registrar, ENROL) == "/accounts/login/"
    # Her next log-in must enrol a new phone.
    assert _gated(logged_in("registrar"), "/") == ENROL


def test_the_raw_device_pages_are_not_in_the_admin(world, otp_on):
    admin_key = b"abcdefghijabcdefghij"
    _device(world.admin, key=admin_key.hex())
    admin = logged_in("admin")
    csrf_post(admin, VERIFY, {"code": totp_code(admin_key)}, page=VERIFY)

    assert admin.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert admin.get("/admin/otp_static/staticdevice/").status_code == 404


# OTP_REQUIRED off ----------------------------------------------------------------------------


def test_with_the_setting_off_staff_log_in_in_one_step(world, settings):
    settings.OTP_REQUIRED = False

    for username in ("registrar", "reviewer", "admin"):
        client = logged_in(username)
        assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200  # the superuser


def test_the_page_of_a_logged_in_student_costs_no_extra_query(
    world, otp_on, client_for, django_assert_max_num_queries
):
    client = client_for(world.alice)
    client.get("/accounts/me/")
    with django_assert_max_num_queries(10) as queries:
        client.get("/accounts/me/")

    assert not [q for q in queries.captured_queries if "otp_" in q["sql"]]


def test_the_pages_of_a_verified_staff_session_cost_no_device_query(
    world, otp_on, django_assert_max_num_queries
):
    """The gate loaded the device on every request of a verified session."""
    registrar = logged_in("registrar")
    _enrol(registrar)
    registrar.get("/records/queue/")

    with django_assert_max_num_queries(30) as queries:
        assert registrar.get("/records/queue/").status_code == 200

    assert not [q for q in queries.captured_queries if "otp_" in q["sql"]]


# Races (PostgreSQL, real threads): the device row is locked while a code is checked ------


_together = run_together


def races_only(test):
    """PostgreSQL only, committed transactions: SQLite serialises every write."""
    test = pytest.mark.postgres(test)
    test = pytest.mark.skipif(connection.vendor != "postgresql", reason="races need PostgreSQL")(
        test
    )
    return pytest.mark.django_db(transaction=True)(test)


@pytest.mark.usefixtures("otp_on")
@races_only
def test_a_burst_of_wrong_codes_gets_one_check_before_the_wait():
    user = factories.user(Role.REGISTRAR)
    device = _device(user)
    calls = [(lambda n=n: second_factor.verify(user=user, code=f"{n:06d}")) for n in range(12)]

    results = _together(calls)

    assert all(isinstance(r, second_factor.CodeRefused) for r in results)
    checked = [r for r in results if "验证码不正确" in r.message]
    assert len(checked) == 1  # one code was checked; the rest were told when to retry
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the others found the device waiting


@pytest.mark.usefixtures("otp_on")
@races_only
def test_a_burst_of_the_same_right_code_passes_once():
    user = factories.user(Role.REGISTRAR)
    key = b"12345678901234567890"
    _device(user, key=key.hex())
    code = totp_code(key)

    results = _together([lambda: second_factor.verify(user=user, code=code)] * 12)

    assert sum(isinstance(r, TOTPDevice) for r in results) == 1


# The setting ---------------------------------------------------------------------------------


def _otp_required(**env: str) -> bool:
    """OTP_REQUIRED as a server started with `env` reads it (a fresh process)."""
    return read_settings("settings.OTP_REQUIRED", **env)


def test_the_requirement_is_on_whenever_debug_is_off_unless_turned_off():
    assert _otp_required() is True
    assert _otp_required(DEBUG="1") is False  # the demo of `make serve`
    assert _otp_required(DEBUG="1", OTP_REQUIRED="1") is True
    assert _otp_required(OTP_REQUIRED="0") is False
    assert _otp_required(DJANGO_SETTINGS_MODULE="bench.settings") is False


# Found by the outside review ------------------------------------------------------------------


def test_a_second_session_never_sees_the_key_the_first_one_was_shown(world, otp_on):
    """Someone who knows the registrar's password opened the enrol page first and read the
    key; the registrar then scanned the same key and confirmed it: both held the factor."""
    intruder = logged_in("registrar")
    stolen = _enrol_key(intruder.get(ENROL))
    registrar = logged_in("registrar")

    key = _enrol_key(registrar.get(ENROL))
    assert key != stolen
    assert _enrol_key(registrar.get(ENROL)) == key  # a reload keeps what she scanned
    csrf_post(registrar, ENROL, {"code": totp_code(key)}, page=ENROL)

    assert TOTPDevice.objects.get(user=world.registrar, confirmed=True).bin_key == key
    # The key the intruder read opens nothing: his code is refused at the next log-in.
    again = logged_in("registrar")
    assert _gated(again, "/") == VERIFY
    page = page_text(csrf_post(again, VERIFY, {"code": totp_code(stolen)}, page=VERIFY))
    assert "验证码不正确" in page
    assert _gated(again, "/") == VERIFY


def test_a_session_let_in_without_a_factor_is_asked_once_one_is_required(world, settings):
    """The decision taken at log-in (none needed, the setting off) was trusted for the
    whole session: turning the setting on, or giving the role, changed nothing."""
    settings.OTP_REQUIRED = False
    registrar = logged_in("registrar")
    assert registrar.get("/").status_code == 200

    settings.OTP_REQUIRED = True

    assert _gated(registrar, "/records/queue/") == ENROL
