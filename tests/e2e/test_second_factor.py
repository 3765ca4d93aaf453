"""A registrar's first log-in with OTP_REQUIRED on, in a real Chromium on a 375 px phone,
with the keyboard alone: bind the phone app from the QR page's key, keep the recovery
codes, log in again with a code. The QR code is an inline SVG image the CSP allows (any
violation fails the test, see conftest)."""

from __future__ import annotations

from base64 import b32decode

import pytest

from accounts.models import Role
from tests import factories
from tests.accounts.helpers import totp_code
from tests.e2e.conftest import assert_fits

MOBILE = {"width": 375, "height": 812}


@pytest.fixture
def viewport() -> dict[str, int]:
    return dict(MOBILE)


def test_a_registrar_binds_a_phone_app_and_logs_in_with_it(
    transactional_db, settings, page, live_server, login, logout, screenshot
):
    settings.OTP_REQUIRED = True
    factories.user(Role.REGISTRAR, username="registrar_e2e", real_name="周敏")

    login(page, "registrar_e2e", factories.PASSWORD)
    assert "/accounts/second-factor/enrol/" in page.url
    assert page.locator("img[src^='data:image/svg+xml']").is_visible()
    assert_fits(page)
    screenshot(page, "second-factor-enrol-375")
    secret = page.locator("code.otp-secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))

    # The code field has the focus (autofocus): type and press Enter, no mouse.
    assert page.evaluate("() => document.activeElement.name") == "code"
    page.keyboard.type(totp_code(key))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("code.recovery-code").count() == 10
    assert_fits(page)
    screenshot(page, "second-factor-codes-375")

    page.goto("/")
    logout(page)
    login(page, "registrar_e2e", factories.PASSWORD)
    assert "/accounts/second-factor/verify/" in page.url
    assert_fits(page)
    page.keyboard.type(totp_code(key, steps_ahead=1))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.rstrip("/") == live_server.url


def test_a_wrong_first_code_then_the_right_one_continues_home_with_no_navigation_before(
    transactional_db, settings, page, live_server, login
):
    """The browser walk's findings: the pages that owe a code show no navigation (only
    log-out), a wrong code leaves the field empty for the next one, and the recovery
    codes page then continues to the home page (not to ".../second-factor/home")."""
    settings.OTP_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait between the two codes
    factories.user(Role.REGISTRAR, username="registrar_e2e", real_name="周敏")

    login(page, "registrar_e2e", factories.PASSWORD)
    assert "/accounts/second-factor/enrol/" in page.url
    assert page.locator("header nav, header a").count() == 0
    assert page.locator("header").get_by_role("button", name="安全退出").is_visible()
    secret = page.locator("code.otp-secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))

    page.keyboard.type("000000")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "验证码不正确" in page.locator("main").inner_text()
    code_field = page.locator("input[name='code']")
    assert code_field.input_value() == ""
    assert page.evaluate("() => document.activeElement.name") == "code"
    assert page.locator("header nav, header a").count() == 0
    assert_fits(page)

    page.keyboard.type(totp_code(key))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("code.recovery-code").count() == 10
    assert page.locator("header nav").count() == 1  # verified: the navigation is back
    go_on = page.get_by_role("link", name="我已保存，继续")
    assert go_on.get_attribute("href") == "/"
    go_on.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.rstrip("/") == live_server.url
