"""The identity proof by records, for an account pending because its ID number was
already registered (seed 000): the enrolment or degree facts of its name and ID number
(途径一), or a classmate of its class found by name and student number (途径二).

It lives above accounts because it reads the records; what a passed proof does is
accounts' own: `identity_check_passed` (a claim against the active holder, or approval)
and `assist_ask` (the classmate's confirmation, accounts.services.assists). Wrong
guesses count against small daily limits, per account and per client address.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.errors import AccountError, Throttled
from accounts.models import AccountState, ClassmateAssist, Role, User
from accounts.services.assists import assist_ask
from accounts.services.claims import identity_check_passed
from portal.lib.throttle import Limit, locked_message, network_key, tries_left_message
from records.models import DegreeRecord, EnrollmentRecord
from records.services.binding import certificate_digits

FACT_GUESSES = Limit("identity-facts", max=5, window=24 * 60 * 60)
# docs/security.md: guesses are throttled per account and per IP, so that a handful of pending
# accounts for one ID number cannot share out the guessing.
FACT_GUESSES_PER_IP = Limit("identity-facts-ip", max=20, window=24 * 60 * 60)


# 途径：提供学籍或学历信息 ------------------------------------------------------------


def _matching_degree(mine: Q, certificate_number: str) -> bool:
    wanted = certificate_digits(certificate_number)
    if not wanted:
        return False
    degrees = DegreeRecord.objects.filter(mine).only("certificate_number", "school_number")
    return any(
        wanted in {certificate_digits(d.certificate_number), certificate_digits(d.school_number)}
        for d in degrees
    )


def _matching_facts(
    user: User, *, school: str, student_number: str, level: str, certificate_number: str
) -> bool:
    mine = Q(name=user.real_name, id_type=user.id_type, id_number=user.id_number)
    if certificate_number:
        return _matching_degree(mine, certificate_number)
    school, student_number = school.strip(), student_number.strip()
    if not (school and student_number and level):
        return False
    school_q = Q(institution__name=school) | Q(institution__code=school)
    return EnrollmentRecord.objects.filter(
        mine, school_q, student_number=student_number, level=level
    ).exists()


def _guess_limits(user: User, ip) -> list[tuple[Limit, str]]:
    limits = [(FACT_GUESSES, f"user:{user.pk}")]
    address = network_key(ip or "")  # an IPv6 client counts per /64
    if address:
        limits.append((FACT_GUESSES_PER_IP, address))
    return limits


def _take_guess(user: User, ip) -> list[tuple[Limit, str]]:
    """Count this guess first, then compare (docs/security.md: a burst of guesses sent together
    cannot all read "4 of 5"). A refused guess stays counted; a right one is given back
    with _give_back, so that the limits count wrong guesses only."""
    limits = _guess_limits(user, ip)
    waits = [(limit.attempt(key), limit) for limit, key in limits]
    wait, limit = max(waits, key=lambda pair: pair[0])
    if wait:
        # Why and until when: the wrong guesses of the day, not "too frequent".
        network = limit is FACT_GUESSES_PER_IP
        raise Throttled(locked_message(limit.max, wait, network=network))
    return limits


def _wrong_guess(message: str, limits: list[tuple[Limit, str]]) -> AccountError:
    """A wrong guess stays counted: say so, with the tries left today."""
    left = min(limit.left(key) for limit, key in limits)
    wait = max(limit.wait(key) for limit, key in limits)
    return AccountError(f"{message}{tries_left_message(left, wait)}")


def _give_back(limits: list[tuple[Limit, str]]) -> None:
    for limit, key in limits:
        limit.undo(key)


def identity_facts_check(
    *,
    user: User,
    school: str = "",
    student_number: str = "",
    level: str = "",
    certificate_number: str = "",
    ip=None,
) -> User:
    """Approve at once when the facts match a record of this name and ID number; a
    wrong guess counts against a small daily limit."""
    if user.state != AccountState.PENDING:
        raise AccountError(_("您的账号不需要身份核验。"))
    guess = _take_guess(user, ip)
    if not _matching_facts(
        user,
        school=school,
        student_number=student_number,
        level=level,
        certificate_number=certificate_number,
    ):
        raise _wrong_guess(
            _("提供的信息与您的姓名、证件号码对应的学籍或学历不符，请核对后重试。"), guess
        )
    _give_back(guess)
    return identity_check_passed(user=user, by=None, route="facts", ip=ip)


# 途径：大学同班同学协助 --------------------------------------------------------------


def _classes_of(user: User) -> list[int]:
    return list(
        EnrollmentRecord.objects.filter(
            name=user.real_name,
            id_type=user.id_type,
            id_number=user.id_number,
            school_class__isnull=False,
        ).values_list("school_class_id", flat=True)
    )


def classmate_assist_request(
    *, requester: User, name: str, student_number: str, ip=None
) -> ClassmateAssist:
    if requester.state != AccountState.PENDING:
        raise AccountError(_("您的账号不需要身份核验。"))
    guess = _take_guess(requester, ip)
    record = (
        EnrollmentRecord.objects.filter(
            school_class__in=_classes_of(requester),
            name=name.strip(),
            student_number=student_number.strip(),
            user__state=AccountState.ACTIVE,
            user__role=Role.STUDENT,
        )
        .exclude(id_number=requester.id_number)
        .select_related("user")
        .first()
    )
    if record is None:
        raise _wrong_guess(
            _("未找到该同学：请确认姓名和学号，且该同学已注册并绑定了同一班级的学籍。"), guess
        )
    _give_back(guess)
    return assist_ask(requester=requester, classmate=record.user)
