"""accounts.services.codes: 6 random digits, single use, 10 minutes, at most 5 wrong
tries, stored hashed, bound to purpose and destination; one send a minute and 10 a day
per destination. code_verify proves a code without using it up, code_use uses it up."""

import datetime

import pytest
from django.utils import timezone

from accounts.errors import AccountError, Throttled
from accounts.models import CodePurpose, VerificationCode
from accounts.services import codes
from accounts.services.codes import SEND_GAP, code_check, code_send, code_use, code_verify
from tests.accounts.helpers import mail_code, mails_to, sms_code, texts_to

PHONE = "13800002222"
REGISTER = CodePurpose.REGISTER


def send(destination: str = PHONE, purpose: str = REGISTER) -> str:
    code_send(purpose=purpose, destination=destination)
    return mail_code(destination) if "@" in destination else sms_code(destination)


def other_than(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def allow_next_send(destination: str = PHONE) -> None:
    """Move the codes already sent back by two minutes (past the one-a-minute limit)."""
    for row in VerificationCode.objects.filter(destination=destination):
        VerificationCode.objects.filter(pk=row.pk).update(
            created_at=row.created_at - datetime.timedelta(minutes=2)
        )
    SEND_GAP.reset(destination)  # its window, too, has run out two minutes later


def later(monkeypatch, **delta) -> None:
    moved = timezone.now() + datetime.timedelta(**delta)
    monkeypatch.setattr(codes.timezone, "now", lambda: moved)


def test_a_code_is_six_digits_sent_by_text(db):
    code = send()

    assert len(code) == 6 and code.isdigit()
    (text,) = texts_to(PHONE)
    assert "10 分钟内有效" in text


def test_a_code_to_an_email_address_goes_by_mail(db):
    send("xh@example.com")

    assert mails_to("xh@example.com")
    assert texts_to(PHONE) == []


def test_a_code_is_stored_hashed(db):
    code = send()

    row = VerificationCode.objects.get()
    assert code not in row.code_hash
    assert len(row.code_hash) == 64


def test_the_right_code_is_accepted_once(db):
    code = send()

    code_check(purpose=REGISTER, destination=PHONE, code=code)
    with pytest.raises(AccountError, match="请重新获取验证码"):
        code_check(purpose=REGISTER, destination=PHONE, code=code)


def test_a_code_works_until_ten_minutes(db, monkeypatch):
    code = send()
    later(monkeypatch, minutes=9, seconds=59)

    code_check(purpose=REGISTER, destination=PHONE, code=code)


def test_a_code_expires_after_ten_minutes(db, monkeypatch):
    code = send()
    later(monkeypatch, minutes=10, seconds=1)

    with pytest.raises(AccountError, match="验证码已失效或尚未获取，请重新获取验证码"):
        code_check(purpose=REGISTER, destination=PHONE, code=code)


def test_each_wrong_try_says_how_many_are_left(db):
    code = send()

    with pytest.raises(AccountError, match="还可尝试 4 次"):
        code_check(purpose=REGISTER, destination=PHONE, code=other_than(code))
    with pytest.raises(AccountError, match="还可尝试 3 次"):
        code_check(purpose=REGISTER, destination=PHONE, code=other_than(code))


def test_after_five_wrong_tries_even_the_right_code_is_refused(db):
    code = send()
    for _ in range(5):
        with pytest.raises(AccountError):
            code_check(purpose=REGISTER, destination=PHONE, code=other_than(code))

    with pytest.raises(AccountError, match="验证码错误次数过多，请重新获取验证码"):
        code_check(purpose=REGISTER, destination=PHONE, code=code)


def test_a_code_is_good_for_its_purpose_only(db):
    code = send(purpose=CodePurpose.RESET_PASSWORD)

    with pytest.raises(AccountError):
        code_check(purpose=REGISTER, destination=PHONE, code=code)


def test_a_code_is_good_for_its_destination_only(db):
    code = send()

    with pytest.raises(AccountError):
        code_check(purpose=REGISTER, destination="13800003333", code=code)


def test_a_new_code_replaces_the_previous_one(db):
    first = send()
    allow_next_send()
    second = send()

    if first != second:
        with pytest.raises(AccountError):
            code_check(purpose=REGISTER, destination=PHONE, code=first)
    code_check(purpose=REGISTER, destination=PHONE, code=second)


def test_verifying_a_code_does_not_use_it_up(db):
    code = send()

    row = code_verify(purpose=REGISTER, destination=PHONE, code=code)
    again = code_verify(purpose=REGISTER, destination=PHONE, code=code)

    assert row.pk == again.pk
    assert VerificationCode.objects.get().used_at is None
    code_check(purpose=REGISTER, destination=PHONE, code=code)


def test_a_verified_code_is_used_once(db):
    code = send()
    row = code_verify(purpose=REGISTER, destination=PHONE, code=code)

    code_use(row=row)
    with pytest.raises(AccountError, match="验证码已使用，请重新获取验证码"):
        code_use(row=row)
    assert VerificationCode.objects.get().used_at is not None
    with pytest.raises(AccountError, match="验证码已失效或尚未获取"):
        code_verify(purpose=REGISTER, destination=PHONE, code=code)


def test_two_requests_that_verified_one_code_cannot_both_use_it(db):
    code = send()
    first = code_verify(purpose=REGISTER, destination=PHONE, code=code)
    second = code_verify(purpose=REGISTER, destination=PHONE, code=code)

    code_use(row=first)
    with pytest.raises(AccountError, match="验证码已使用"):
        code_use(row=second)


def test_a_wrong_code_is_counted_by_verify_as_by_check(db):
    code = send()

    with pytest.raises(AccountError, match="还可尝试 4 次"):
        code_verify(purpose=REGISTER, destination=PHONE, code=other_than(code))
    with pytest.raises(AccountError, match="还可尝试 3 次"):
        code_check(purpose=REGISTER, destination=PHONE, code=other_than(code))
    assert VerificationCode.objects.get().failed_attempts == 2


def test_a_second_code_within_a_minute_is_refused(db):
    send()

    with pytest.raises(Throttled, match="请 1 分钟后再试"):
        code_send(purpose=CodePurpose.FIND_USERNAME, destination=PHONE)
    assert len(texts_to(PHONE)) == 1


def test_an_eleventh_code_in_a_day_is_refused(db):
    for _ in range(10):
        send()
        allow_next_send()

    with pytest.raises(Throttled, match="今日获取验证码的次数已达上限（10 次），请明天再试"):
        code_send(purpose=REGISTER, destination=PHONE)
    assert len(texts_to(PHONE)) == 10


def test_full_width_digits_in_the_code_are_accepted(db):
    code = send()
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in code)

    code_check(purpose=REGISTER, destination=PHONE, code=full_width)


def test_a_phone_typed_with_spaces_and_country_code_is_the_same_destination(db):
    code_send(purpose=REGISTER, destination="+86 138-0000-2222")

    code_check(purpose=REGISTER, destination="１３８００００２２２２", code=sms_code(PHONE))


@pytest.mark.parametrize("destination", ["1380000222", "23800002222", "abc", ""])
def test_a_number_that_is_not_a_mobile_gets_no_code(db, destination):
    with pytest.raises(AccountError, match="请输入正确的 11 位手机号码"):
        code_send(purpose=REGISTER, destination=destination)


@pytest.mark.parametrize("destination", ["xh@", "@example.com", "x h@example.com"])
def test_a_malformed_email_gets_no_code(db, destination):
    with pytest.raises(AccountError, match="请输入正确的邮箱地址"):
        code_send(purpose=REGISTER, destination=destination)


# Per client address, whatever the destinations ------------------------------------------


def test_one_address_may_send_only_so_many_codes_an_hour(db):
    here = "203.0.113.7"
    for n in range(codes.SENDS_PER_IP.max):
        code_send(purpose=REGISTER, destination=f"139{n:08d}", ip=here)

    with pytest.raises(Throttled) as refused:
        code_send(purpose=REGISTER, destination="13700000000", ip=here)

    assert "操作过于频繁" in refused.value.message
    assert not texts_to("13700000000")
    code_send(purpose=REGISTER, destination="13700000000", ip="203.0.113.8")
    assert texts_to("13700000000")


def test_one_address_may_get_only_so_many_codes_wrong_across_destinations(db):
    here, elsewhere = "203.0.113.7", "203.0.113.9"
    wrong = 0
    n = 0
    while wrong < codes.FAILURES_PER_IP.max:
        phone = f"139{n:08d}"
        code = send(phone)
        for _ in range(min(codes.MAX_FAILED_ATTEMPTS - 1, codes.FAILURES_PER_IP.max - wrong)):
            with pytest.raises(AccountError):
                code_check(purpose=REGISTER, destination=phone, code=other_than(code), ip=here)
            wrong += 1
        n += 1
    right = send(PHONE)

    with pytest.raises(Throttled):
        code_check(purpose=REGISTER, destination=PHONE, code=right, ip=here)
    with pytest.raises(Throttled):
        code_verify(purpose=REGISTER, destination=PHONE, code=right, ip=here)
    code_check(purpose=REGISTER, destination=PHONE, code=right, ip=elsewhere)
