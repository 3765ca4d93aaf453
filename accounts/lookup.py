"""One identifier → the accounts it may name: user name, phone, e-mail or ID number.

Log-in, throttling and "find my account" all resolve through here, so that the four
identifiers of one account share one failure counter (docs/security.md).
"""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext as _

from accounts.models import AccountState, IdType, User
from accounts.services.codes import normalize_phone
from portal.lib import idnumbers

ID_NUMBER_RE = re.compile(r"^(\d{17}[\dX]|\d{15})$")
# Passports and the permits of Hong Kong, Macao and Taiwan residents and foreigners:
# letters and digits, at least one digit (a plain user name is not taken for one).
DOCUMENT_NUMBER_RE = re.compile(r"^(?=.*\d)[A-Za-z0-9]{5,30}$")
# A run of 15 digits or more, once the separators a user name may hold are taken out: a
# resident ID number (15 or 18 characters) hidden in a user name ("zs3301…", "330106-…").
_USERNAME_SEPARATORS = re.compile(r"[-._+@]")
_DIGIT_RUN_RE = re.compile(r"\d{15}")


def identifier_query(identifier: str) -> Q:
    """Every reading of the identifier: a phone may also be a user name (seed 001 shows
    a phone number used as user name), an ID number is compared after normalisation."""
    value = unicodedata.normalize("NFKC", identifier or "").strip()
    if not value:
        return Q(pk__in=[])
    query = Q(username__iexact=value)
    if "@" in value:
        query |= Q(email__iexact=value)
    phone = normalize_phone(value)
    if re.fullmatch(r"1\d{10}", phone):
        query |= Q(phone=phone)
    number = idnumbers.normalize(value)
    if ID_NUMBER_RE.match(number):
        query |= Q(id_number=number)
    elif DOCUMENT_NUMBER_RE.match(number):
        # Stored as typed at registration: the spelling given and its capitals (an index
        # look-up, not a case-insensitive scan), for other documents than the 身份证.
        spellings = {number, number.upper()}
        query |= Q(id_number__in=spellings) & ~Q(id_type=IdType.RESIDENT_ID)
    return query


def identifier_key(identifier: str) -> str:
    """The spelling-independent form of an identifier that names no account, so that
    its failed log-ins are counted as one, like those of an account (throttling must
    not tell whether an account exists). It follows the readings of identifier_query."""
    value = unicodedata.normalize("NFKC", identifier or "").strip()
    phone = normalize_phone(value)
    if re.fullmatch(r"1\d{10}", phone):
        return f"phone:{phone}"
    number = idnumbers.normalize(value)
    if ID_NUMBER_RE.match(number):
        return f"id_number:{number}"
    return f"name:{value.lower()}"


def username_shape_refusal(username: str, *, phone: str = "", email: str = "") -> str:
    """Why `username` may not be the user name of the account with `phone` and `email`
    ("" when it may). A user name is shown on staff pages and in the audit (str(User)),
    so it never reads as a resident ID number; and it reads as a phone or an e-mail only
    when that is the account's own, so that it never names another person's account at
    log-in and no check of it tells whose phone or e-mail is registered."""
    value = unicodedata.normalize("NFKC", username or "").strip()
    compact = _USERNAME_SEPARATORS.sub("", idnumbers.normalize(value))
    if ID_NUMBER_RE.match(idnumbers.normalize(value)) or _DIGIT_RUN_RE.search(compact):
        return _("用户名不能使用证件号码，请换一个用户名。")
    if "@" in value and value.lower() != (email or "").lower():
        return _("用户名只能使用本账号的手机号或邮箱，请换一个用户名。")
    as_phone = normalize_phone(value)
    if re.fullmatch(r"1\d{10}", as_phone) and as_phone != phone:
        return _("用户名只能使用本账号的手机号或邮箱，请换一个用户名。")
    return ""


def username_taken(username: str, *, exclude: User | None = None) -> bool:
    """A user name in use (cancelled accounts too: the constraint covers them all).
    Its shape (username_shape_refusal) keeps it from naming another account's phone,
    e-mail or ID number."""
    taken = User.objects.filter(username__iexact=username)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    return taken.exists()


def candidate_accounts(identifier: str) -> list[User]:
    """Live accounts the identifier names, active ones first (at most a handful)."""
    active_first = Case(
        When(state=AccountState.ACTIVE, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    accounts = (
        User.objects.filter(identifier_query(identifier))
        .exclude(state=AccountState.CANCELLED)
        .order_by(active_first, "pk")
    )
    return list(accounts[:5])


def cancelled_account(identifier: str, password: str) -> User | None:
    """The cancelled account the identifier names whose password this is, for the log-in
    to say "该账号已注销" rather than "账号或密码不正确". Only the right password tells: a
    wrong one learns nothing of the account's state (one hash is made either way)."""
    cancelled = User.objects.filter(identifier_query(identifier), state=AccountState.CANCELLED)
    found = list(cancelled.order_by("-cancelled_at", "-pk")[:5])
    if not found:
        User().set_password(password)  # the same time as a check (no state oracle)
    for user in found:
        if user.check_password(password):
            return user
    return None
