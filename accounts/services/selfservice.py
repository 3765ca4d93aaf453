"""What a person does for their own account: find the user name, reset the password,
change user name, phone and e-mail (each new phone or e-mail proven by a code)."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.errors import AccountError, PhoneInUse, Throttled
from accounts.lookup import username_shape_refusal, username_taken
from accounts.models import AccountState, CodePurpose, User
from accounts.notify import notify
from accounts.services.codes import code_check, code_use, code_verify, normalize_destination
from accounts.services.phones import give_phone, release_phone
from portal.lib.audit import log_action
from portal.lib.throttle import Limit, network_key, wait_message

USERNAME_CHECK_WINDOW = 60 * 60


def _live():
    return User.objects.exclude(state=AccountState.CANCELLED)


def _holders(destination: str):
    field = "email__iexact" if "@" in destination else "phone"
    return _live().filter(**{field: destination})


def username_find(*, destination: str, code: str, ip=None) -> list[str]:
    """找回用户名: the user names of the accounts that hold this phone or e-mail."""
    destination = normalize_destination(destination)
    code_check(purpose=CodePurpose.FIND_USERNAME, destination=destination, code=code, ip=ip)
    return list(_holders(destination).values_list("username", flat=True))


def password_reset(*, destination: str, code: str, password: str, ip=None) -> User:
    """找回密码. A new password ends every other session of the account (Django checks
    the session's password hash)."""
    destination = normalize_destination(destination)
    # The code first: only whoever holds the phone or mailbox learns whether an account
    # uses it (docs/security.md: never reveal whether an account exists).
    code_check(purpose=CodePurpose.RESET_PASSWORD, destination=destination, code=code, ip=ip)
    user = _holders(destination).first()
    if user is None:
        raise AccountError(_("没有账号使用该手机号或邮箱，请检查后重试，或重新注册。"))
    with transaction.atomic():  # the code is used up above, whatever happens here
        user.set_password(password)
        user.save(update_fields=["password"])
        log_action(user, "accounts.password_reset", by=user, subject=user, ip=ip)
        notify(user, _("您的账号密码已重置。如非本人操作，请立即联系客服。"))
    return user


@transaction.atomic
def password_change(*, user: User, password: str, ip=None) -> User:
    """A new password on the account page (the old one was checked by the form). As a
    reset does, it is audited and told to the account: a person whose session was taken
    learns of it."""
    user.set_password(password)
    user.save(update_fields=["password"])
    log_action(user, "accounts.password_changed", by=user, subject=user, ip=ip)
    notify(user, _("您的账号密码已修改，其他设备上的登录已失效。如非本人操作，请立即联系客服。"))
    return user


def _count_username_check(user: User, ip) -> None:
    """ "该用户名已被使用" tells that an account exists: every try of a new user name is
    counted first, per account and per client address, like the other look-ups."""
    limits = [
        (
            Limit("username-check", settings.THROTTLE_USERNAME_CHECKS, USERNAME_CHECK_WINDOW),
            f"user:{user.pk}",
        ),
    ]
    address = network_key(ip or "")
    if address:
        per_address = settings.THROTTLE_USERNAME_CHECKS_PER_ADDRESS
        limits.append((Limit("username-check-ip", per_address, USERNAME_CHECK_WINDOW), address))
    for limit, key in limits:
        wait = limit.attempt(key)
        if wait:
            raise Throttled(wait_message(wait))


def username_change(*, user: User, username: str, ip=None) -> User:
    refusal = username_shape_refusal(username, phone=user.phone, email=user.email)
    if refusal:
        raise AccountError(refusal)
    _count_username_check(user, ip)
    if username_taken(username, exclude=user):
        raise AccountError(_("该用户名已被使用，请换一个用户名。"))
    before = user.username
    user.username = username
    try:
        with transaction.atomic():  # the change and its audit event, or neither
            user.save(update_fields=["username"])
            log_action(
                user,
                "accounts.username_changed",
                by=user,
                subject=user,
                ip=ip,
                changes={"username": [before, username]},
            )
    except IntegrityError as exc:
        user.username = before  # the page goes on showing this object
        raise AccountError(_("该用户名已被使用，请换一个用户名。")) from exc
    return user


def phone_change(*, user: User, phone: str, code: str, take_over: bool = False, ip=None) -> User:
    """A new phone, proven by a code sent to it. If another account holds it, the code
    proves the phone is this person's: with take_over the other account loses it.

    The code first: only whoever receives it learns that another account holds the
    phone, and that refusal leaves the code unused, for the take-over choice."""
    row = code_verify(purpose=CodePurpose.CHANGE_PHONE, destination=phone, code=code, ip=ip)
    others = _live().filter(phone=phone).exclude(pk=user.pk)
    if others.exists() and not take_over:
        raise PhoneInUse(_("手机号已使用"))
    code_use(row=row)
    try:
        with transaction.atomic():
            _take_phone_from(others, by=user, ip=ip)
            # The one way a phone is bound (audited with masked numbers).
            give_phone(user=user, phone=phone, by=user, ip=ip, taken=_("手机号已使用"))
    except AccountError as exc:
        # Another account took the phone after the check above: say so, never a 500.
        raise PhoneInUse(exc.message) from None
    return user


def _take_phone_from(others, *, by: User, ip) -> None:
    for old in others.select_for_update():
        release_phone(
            user=old,
            action="accounts.phone_taken_over",
            by=by,
            ip=ip,
            reason=_("其他账号通过短信验证码证明了该手机号"),
            message=_(
                "您账号绑定的手机号已被他人通过短信验证后使用，已从您的账号解除。如有疑问请联系客服。"
            ),
        )


def email_change(*, user: User, email: str, code: str, ip=None) -> User:
    """A new e-mail, proven by a code sent to it. The code first: only whoever receives
    it learns that another account holds the address; that refusal leaves it unused."""
    email = normalize_destination(email)
    row = code_verify(purpose=CodePurpose.CHANGE_EMAIL, destination=email, code=code, ip=ip)
    if _live().filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise AccountError(_("该邮箱已被其他账号使用，请换一个邮箱。"))
    code_use(row=row)
    before = user.email
    user.email = email
    try:
        with transaction.atomic():  # the change and its audit event, or neither
            user.save(update_fields=["email"])
            log_action(
                user,
                "accounts.email_changed",
                by=user,
                subject=user,
                ip=ip,
                changes={"email": [before, email]},
            )
    except IntegrityError as exc:
        user.email = before
        raise AccountError(_("该邮箱已被其他账号使用，请换一个邮箱。")) from exc
    return user
