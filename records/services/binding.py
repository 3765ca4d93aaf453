"""Binding records to the account that matches them (学籍/学历绑定).

Opening 学籍信息 binds every record whose name and ID number match the account; the
seeds insist the student must open it, and that the portal records that they looked.
When nothing binds, `binding_diagnosis` says which case of seed 003 applies.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AccountState, User
from portal.lib import idnumbers
from portal.lib.audit import log_action
from portal.lib.throttle import Limit, locked_message, tries_left_message
from records.errors import RecordError
from records.models import (
    DegreeRecord,
    DiscrepancyItem,
    EnrollmentRecord,
    RecordStatus,
    ReportState,
)
from records.self_check import unregistered_reason

BIND_GUESSES = Limit("bind-facts", max=10, window=24 * 60 * 60)


def _same_person(user: User) -> Q:
    """Same name, same document: its type too, so that a number entered under another
    document type (a resident ID number as a 护照) never binds a record of the student."""
    # Rosters may write a passport number in small letters; accounts keep capitals.
    numbers = {user.id_number, user.id_number.lower(), idnumbers.legacy_form(user.id_number)}
    return Q(name=user.real_name, id_type=user.id_type, id_number__in=numbers)


@dataclass(frozen=True)
class BindResult:
    enrollment: int
    degrees: int


def with_bindable(queryset: QuerySet, user: User) -> QuerySet:
    """The user's records (or degrees) in `queryset`, and the unbound ones of this person:
    学籍信息 reads both in the query that lists them, and binds only when it finds one that
    records_bind would bind (`is_bindable`). An unbound 未注册 record of hers is among them:
    the page shows it read-only, never bound (records.self_check)."""
    return queryset.filter(bindable_q(user))


def bindable_q(user: User) -> Q:
    """with_bindable's condition: the user's own, or unbound and of her person."""
    if user.state != AccountState.ACTIVE or not user.id_number:
        return Q(user=user)
    return Q(user=user) | (_same_person(user) & Q(user__isnull=True))


def is_bindable(found: EnrollmentRecord | DegreeRecord) -> bool:
    """A row of with_bindable that records_bind binds: unbound, and registered if a 学籍
    (seed 002: "学历数据未上报注册 … 则无法进行绑定")."""
    if found.user_id is not None:
        return False
    return not isinstance(found, EnrollmentRecord) or found.status != RecordStatus.UNREGISTERED


def records_bind(*, by: User, ip: str | None = None) -> BindResult:
    """Bind every unbound, registered record of the person `by` to her account. Most page
    views find nothing new: one cheap query then."""
    if by.state != AccountState.ACTIVE or not by.id_number:
        return BindResult(0, 0)
    unbound = EnrollmentRecord.objects.filter(_same_person(by), user__isnull=True)
    degrees = DegreeRecord.objects.filter(_same_person(by), user__isnull=True)
    # Both looked for in one query (the home page and 学籍信息 call this on every visit).
    anything = Exists(unbound.exclude(status=RecordStatus.UNREGISTERED)) | Exists(degrees)
    if not User.objects.filter(pk=by.pk).filter(anything).exists():
        return BindResult(0, 0)
    return _bind_all(by, ip)


@transaction.atomic
def _bind_all(user: User, ip: str | None) -> BindResult:
    now = timezone.now()
    records = list(
        # of=("self",): the rows bound only, never a joined institution (docs/deploy.md,
        # Sizing); in key order (no join), so that two bindings wait rather than deadlock.
        EnrollmentRecord.objects.select_for_update(of=("self",))
        .filter(_same_person(user), user__isnull=True)
        .exclude(status=RecordStatus.UNREGISTERED)
        .order_by("pk")
    )
    for record in records:
        record.user, record.bound_at = user, now
        log_action(record, "records.bound", by=user, subject=user, ip=ip)
    EnrollmentRecord.objects.bulk_update(records, ["user", "bound_at"])
    degrees = list(
        DegreeRecord.objects.select_for_update(of=("self",))
        .filter(_same_person(user), user__isnull=True)
        .order_by("pk")  # as above
    )
    for degree in degrees:
        degree.user, degree.bound_at = user, now
        log_action(degree, "records.bound", by=user, subject=user, ip=ip)
    DegreeRecord.objects.bulk_update(degrees, ["user", "bound_at"])
    return BindResult(len(records), len(degrees))


def records_mark_viewed(*, records: list[EnrollmentRecord]) -> None:
    """The student opened 学籍信息: the portal records who checked (seed 001). Only
    records never seen before are written, so most visits write nothing."""
    unseen = [record for record in records if record.first_viewed_at is None]
    if not unseen:
        return
    now = timezone.now()
    EnrollmentRecord.objects.filter(pk__in=[r.pk for r in unseen]).update(first_viewed_at=now)
    for record in unseen:
        record.first_viewed_at = now


def degree_mark_viewed(*, degree: DegreeRecord) -> None:
    """The graduate opened her 学历信息: the first look is kept, as for a 学籍."""
    if degree.first_viewed_at is not None:
        return
    degree.first_viewed_at = timezone.now()
    DegreeRecord.objects.filter(pk=degree.pk, first_viewed_at__isnull=True).update(
        first_viewed_at=degree.first_viewed_at
    )


def binding_diagnosis(user: User) -> str:
    """Why no 学籍 shows, in the cases of seed 003: 'no_record' (no record with this
    ID number), 'other_name' (a record with this number under another name),
    'unregistered' (the record is not registered yet), 'bound_elsewhere'; and
    'degree_only' for a graduate with no 学籍 under her number but degrees of hers: her
    学籍 of an older cohort may never have been put online, and her 学历 is what she
    checks (seed 002 counts graduates since 1991 among those who register)."""
    same_number = EnrollmentRecord.objects.filter(
        id_number__in={user.id_number, idnumbers.legacy_form(user.id_number)}
    )
    if not same_number.exists():
        if DegreeRecord.objects.filter(user=user).exists():
            return "degree_only"
        return "no_record"
    mine = same_number.filter(name=user.real_name)
    if not mine.exists():
        return "other_name"
    if mine.filter(status=RecordStatus.UNREGISTERED).exists():
        return "unregistered"
    return "bound_elsewhere"


def _throttle(user: User) -> str:
    """Count the guess first (a burst cannot pass the limit); a match gives it back."""
    key = f"user:{user.pk}"
    wait = BIND_GUESSES.attempt(key)
    if wait:
        raise RecordError(locked_message(BIND_GUESSES.max, wait))
    return key


def _wrong_guess(message: str, key: str) -> RecordError:
    """The facts did not match (the guess stays counted): say so, with the tries left."""
    left = BIND_GUESSES.left(key)
    return RecordError(f"{message}{tries_left_message(left, BIND_GUESSES.wait(key))}")


def _institution_q(school: str, prefix: str = "institution") -> Q:
    school = school.strip()
    return Q(**{f"{prefix}__name": school}) | Q(**{f"{prefix}__code": school})


def record_bind_by_facts(
    *, by: User, school: str, number: str, ip: str | None = None
) -> EnrollmentRecord:
    """还有学籍没有显示出来？尝试绑定学籍: school (name or 院校代码) + 学号 or 考生号, which
    must belong to a record of this name and ID number (seed 002: other names or numbers
    cannot match). Facts alone never bind anyone else's record: knowing a classmate's
    学号 finds nothing (docs/security.md "Knowledge is not authentication"). A 未注册
    record of hers is found but not bound: it is refused with the reason."""
    key = _throttle(by)
    number = number.strip()
    record = (
        EnrollmentRecord.objects.filter(_institution_q(school))
        .filter(Q(student_number=number) | Q(examinee_number=number))
        .filter(_same_person(by))
        .order_by("pk")
        .first()
    )
    if record is None:
        raise _wrong_guess(
            _(
                "未找到与您的姓名、证件号码一致的该学籍。学籍中的姓名或证件号码与账号不一致时无法绑定，请向学校学籍管理部门反映。"
            ),
            key,
        )
    BIND_GUESSES.undo(key)
    if record.status == RecordStatus.UNREGISTERED:
        raise RecordError(unregistered_reason())
    return _bind_one(record, user=by, ip=ip)


@transaction.atomic
def _bind_one(record, *, user: User, ip: str | None):
    """Bind the record (or degree) to `user`, and audit it: both or neither."""
    if record.user_id == user.pk:
        return record
    if record.user_id is not None:
        raise RecordError(
            _(
                "该记录已绑定到另一个账号。如该账号不是您本人的，请通过“证件号码已被注册”的身份核验处理。"
            )
        )
    record.user, record.bound_at = user, timezone.now()
    record.save(update_fields=["user", "bound_at"])
    log_action(record, "records.bound", by=user, subject=user, ip=ip)
    return record


def certificate_digits(number: str) -> str:
    """Seed 002: 'NO.00298959' may be typed as 00298959 or 298959. Returns "" for
    anything without a non-zero digit (a blank school number, "-", "NO."), which
    must never match."""
    value = (number or "").strip().upper().removeprefix("NO.").removeprefix("NO").strip()
    value = value.lstrip("0")
    return value if any(c.isdigit() for c in value) else ""


def _person_forms(user: User) -> tuple[set[str], set[str]]:
    """The names and ID numbers a degree of `user` may stand under: hers as the account
    holds them, the 15-digit form of her number, and the old values that an accepted
    correction of one of her own records replaced (seed 002: a degree registered years ago
    may carry the ID number or name her 学籍 had before the school corrected it). Each is a
    fact the school recorded about her, never one the student typed. None for an account
    not (yet) active: it binds nothing."""
    if user.state != AccountState.ACTIVE or not user.id_number:
        return set(), set()
    names = {user.real_name}
    numbers = {user.id_number.upper(), idnumbers.legacy_form(user.id_number)}
    corrected = DiscrepancyItem.objects.filter(
        Q(report__record__user=user) | Q(report__degree__user=user),
        field__in=("name", "id_number"),
        accepted=True,
        report__state=ReportState.ACCEPTED,
    ).values_list("field", "current_value")
    for field, old in corrected:
        old = idnumbers.normalize(old) if field == "id_number" else old.strip()
        if not old:
            continue
        if field == "name":
            names.add(old)
        else:
            numbers |= {old.upper(), idnumbers.legacy_form(old.upper())}
    return names, numbers


def _is_of(degree: DegreeRecord, user: User, forms: tuple[set[str], set[str]]) -> bool:
    names, numbers = forms
    return (
        degree.id_type == user.id_type
        and degree.name in names
        and idnumbers.normalize(degree.id_number).upper() in numbers
    )


def _certificates(*, school: str, graduation_year: int, wanted: str) -> list[DegreeRecord]:
    """The degrees of that school and year that carry the number (either number before
    2001, with or without "NO." and leading zeros): `ends with` narrows in the database,
    certificate_digits decides."""
    near = DegreeRecord.objects.filter(
        _institution_q(school),
        Q(certificate_number__iendswith=wanted) | Q(school_number__iendswith=wanted),
        graduation_date__year=graduation_year,
    ).order_by("pk")
    return [
        degree
        for degree in near
        if wanted
        in {certificate_digits(degree.certificate_number), certificate_digits(degree.school_number)}
    ]


def degree_bind(
    *,
    by: User,
    certificate_number: str,
    graduation_year: int,
    school: str,
    ip: str | None = None,
) -> DegreeRecord:
    """我还有学历没显示出来 (seed 002): certificate number (either number before 2001),
    graduation year and school find the certificate; it binds only when it is hers by name
    and ID number in any of their accepted forms (_person_forms), so it binds the degrees
    that opening 学籍信息 cannot: one under an ID number or name corrected since. The
    facts alone never bind: the number is printed on the diploma and a classmate may know
    it (docs/security.md "Knowledge is not authentication"). Otherwise it says why not —
    no such certificate at that school and year, or not under her name and ID number —
    and what to do, naming nobody. Every refused try counts against the daily limit."""
    key = _throttle(by)
    wanted = certificate_digits(certificate_number)
    found = (
        _certificates(school=school, graduation_year=graduation_year, wanted=wanted)
        if wanted
        else []
    )
    if not found:
        raise _wrong_guess(
            _(
                "在该毕业学校和毕业年份下没有找到这个证书编号。请核对证书编号（2001 年以前的证书有学校编号和证书序列号两个编号，可分别尝试，只输入数字）、毕业年份和毕业学校（全称或院校代码）；仍找不到的，学历可能尚未上报注册，请向毕业学校学籍管理部门咨询。"
            ),
            key,
        )
    forms = _person_forms(by)
    mine = next((degree for degree in found if _is_of(degree, by, forms)), None)
    if mine is None:
        raise _wrong_guess(
            _(
                "找到了该证书，但证书上的姓名或证件号码与您账号的实名信息不一致，因此不能绑定。若学历中的姓名或证件号码有误（例如当年采集的证件号码有误），请携带公安部门证明、户口本和身份证向毕业学校学籍管理部门申请更正；若您账号的姓名或证件号码填写有误，请在“账号”页面申请修改实名信息。"
            ),
            key,
        )
    BIND_GUESSES.undo(key)
    return _bind_one(mine, user=by, ip=ip)
