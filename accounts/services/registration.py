"""Registration (注册学信网账号 equivalent): a real-name account, proven by a code.

The rules of seeds 000 and 001: an ID number held by an active account stops the
registration (证件号码已被注册) unless the student chooses 我要重新注册, which creates
an account pending an identity check; a phone held by another account stops it
(手机号已使用) unless the student proves the phone by its code and takes it over.

These refusals say whether a person has an account, so they are given only to whoever
has received the code for the phone or e-mail of the registration, and they leave the
code unused: the student chooses a way on and resubmits with the same code.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import AccountError, DuplicateIdNumber, PhoneInUse, Throttled
from accounts.lookup import username_shape_refusal, username_taken
from accounts.models import AccountState, CodePurpose, User
from accounts.services.codes import code_use, code_verify, normalize_destination
from accounts.services.phones import release_phone
from portal.lib.audit import log_action
from portal.lib.throttle import Limit, wait_message

# "证件号码已被注册", "手机号已使用" and "该邮箱已被其他账号使用" tell whether a person has an
# account (docs/security.md). They need the code, so a phone or mailbox that received one may be
# told so only this often, whatever the numbers it tries; then it is told to wait, without
# the answer. Keyed on the code's destination, never on the client address: a campus
# registers behind a few NAT addresses. "该用户名已被使用" is counted too: otherwise one
# code would test any number of user names.
REVEALS_PER_DESTINATION = Limit("register-reveal-destination", max=10, window=24 * 60 * 60)


class _Reveals(AccountError):
    """A refusal that says another account holds the e-mail address or the user name."""


@dataclass(frozen=True)
class Registration:
    real_name: str
    id_type: str
    id_number: str
    phone: str
    email: str
    username: str
    password: str


def _live():
    return User.objects.exclude(state=AccountState.CANCELLED)


def _precheck(data: Registration, *, reregister: bool, take_over_phone: bool) -> None:
    if username_taken(data.username):
        raise _Reveals(_("该用户名已被使用，请换一个用户名。"))
    if data.email and _live().filter(email__iexact=data.email).exists():
        raise _Reveals(_("该邮箱已被其他账号使用，请换一个邮箱，或使用“找回用户名”。"))
    holders = User.objects.filter(
        id_type=data.id_type, id_number=data.id_number, state=AccountState.ACTIVE
    )
    if not reregister and holders.exists():
        raise DuplicateIdNumber(_("证件号码已被注册"))
    if data.phone and not take_over_phone and _live().filter(phone=data.phone).exists():
        raise PhoneInUse(_("手机号已使用"))


def account_register(
    *,
    data: Registration,
    code: str,
    reregister: bool = False,
    take_over_phone: bool = False,
    ip=None,
) -> User:
    """Create the account, or raise DuplicateIdNumber / PhoneInUse / AccountError.

    The code first: without it nothing is said about other accounts. A refusal by the
    checks leaves the code unused. take_over_phone is honoured only with a code sent to
    that phone, which proves it."""
    take_over_phone = take_over_phone and bool(data.phone)
    refusal = username_shape_refusal(data.username, phone=data.phone, email=data.email)
    if refusal:  # says nothing of other accounts: before the code
        raise AccountError(refusal)
    destination = normalize_destination(data.phone or data.email)
    row = code_verify(purpose=CodePurpose.REGISTER, destination=destination, code=code, ip=ip)
    try:
        _precheck(data, reregister=reregister, take_over_phone=take_over_phone)
    except (DuplicateIdNumber, PhoneInUse, _Reveals):
        # The code stays unused: the student may resubmit with it and a way on.
        wait = REVEALS_PER_DESTINATION.attempt(destination)
        if wait:
            raise Throttled(wait_message(wait)) from None
        raise
    code_use(row=row)
    try:
        with transaction.atomic():
            return _create(data, reregister=reregister, take_over_phone=take_over_phone, ip=ip)
    except IntegrityError:
        # A concurrent registration took the ID number, phone, e-mail or user name first.
        _precheck(data, reregister=reregister, take_over_phone=False)
        raise AccountError(_("注册信息与其他账号冲突，请检查后重试。")) from None


def _create(data: Registration, *, reregister: bool, take_over_phone: bool, ip) -> User:
    if take_over_phone:
        _release_phone(data.phone, ip=ip)
    registered = User.objects.filter(
        id_type=data.id_type, id_number=data.id_number, state=AccountState.ACTIVE
    ).exists()
    if registered and not reregister:
        # Registered by someone else since _precheck: a pending account is made only
        # for a student who chose 我要重新注册.
        raise DuplicateIdNumber(_("证件号码已被注册"))
    state = AccountState.PENDING if registered else AccountState.ACTIVE
    user = User(
        username=data.username,
        real_name=data.real_name,
        id_type=data.id_type,
        id_number=data.id_number,
        phone=data.phone,
        email=data.email,
        state=state,
    )
    user.set_password(data.password)
    user.save()
    log_action(
        user,
        "accounts.registered",
        by=user,
        subject=user,
        ip=ip,
        changes={"state": [None, state]},
    )
    return user


def _release_phone(phone: str, *, ip) -> None:
    """The old holder keeps the account and its other identifiers, loses the phone."""
    for old in _live().select_for_update().filter(phone=phone):
        release_phone(
            user=old,
            action="accounts.phone_taken_over",
            by=None,
            ip=ip,
            reason=_("新注册账号通过短信验证码证明了该手机号"),
            message=_(
                "您账号绑定的手机号已于 %(when)s 被他人通过短信验证后使用，该手机号已从您的账号解除。如有疑问请联系客服。"
            )
            % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        )
