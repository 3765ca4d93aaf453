"""专升本: a 本科 record's prior 专科 degree (seeds 002, 003).

The roster gives it as 专科毕业证书编号 (EnrollmentRecord.prior_certificate_number); the
degree it names is linked (EnrollmentRecord.prior_degree) when it is a 专科 degree of the
same person: same name, same ID number (a first-generation 15-digit form allowed, seed
002). `prior_degrees_link` is the one linking rule: the roster import calls it for the
records it wrote, the degree import for the degrees that arrived. The student may bind
the degree herself with the facts of her own diploma (`prior_degree_bind`), as
"我还有学历没显示出来" does (records.services.binding.degree_bind).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from portal.lib import idnumbers
from portal.lib.audit import log_action
from records.errors import RecordError
from records.models import DegreeRecord, EnrollmentRecord, Level
from records.services.binding import certificate_digits, degree_bind

CHUNK = 500  # people one query looks up


def person_key(name: str, number: str) -> tuple[str, str]:
    """One person, whichever form of her ID number a record holds: the name and the
    15-digit form (a first-generation card, seed 002)."""
    return name, idnumbers.legacy_form(number.upper())


def number_forms(numbers: Iterable[str]) -> set[str]:
    """Every form an ID number may be stored under: as given, its 15-digit form, and the
    18-digit upgrade of a 15-digit one."""
    found: set[str] = set()
    for number in numbers:
        found |= {number, number.upper(), idnumbers.legacy_form(number.upper())}
        if len(number) == 15 and number.isdigit():
            found.add(idnumbers.upgrade_legacy(number))
    return found


def names_degree(degree: DegreeRecord, number: str) -> bool:
    """Whether `number` (as a roster or a student writes it) is the degree's certificate
    number or, before 2001, the school's own number (binding.certificate_digits)."""
    wanted = certificate_digits(number)
    return bool(wanted) and wanted in {
        certificate_digits(degree.certificate_number),
        certificate_digits(degree.school_number),
    }


def _prior_degree_of(record: EnrollmentRecord, degrees: list[DegreeRecord]):
    """The one 专科 degree of the record's person that its number names, or None."""
    found = [d for d in degrees if names_degree(d, record.prior_certificate_number)]
    return found[0] if len(found) == 1 else None


def _unlinked(records: QuerySet[EnrollmentRecord]) -> QuerySet[EnrollmentRecord]:
    return records.filter(
        level=Level.BACHELOR, prior_degree__isnull=True, prior_certificate_number__gt=""
    )


@transaction.atomic
def prior_degrees_link(*, records: QuerySet[EnrollmentRecord], by=None) -> int:
    """Link each 本科 record of `records` that names a 专科毕业证书编号 and has no prior
    degree yet to the 专科 degree of the same person with that number (certificate or
    school number, with or without NO. and leading zeros). A link once made is kept: the
    student may have bound it herself. Returns how many records were linked; each link
    is audited."""
    linked = 0
    # With what the audit names (the school, the student): no query a link for them.
    pending = list(_unlinked(records).select_related("institution", "user"))
    for start in range(0, len(pending), CHUNK):
        chunk = pending[start : start + CHUNK]
        degrees: dict[tuple[str, str], list[DegreeRecord]] = {}
        candidates = DegreeRecord.objects.filter(
            level=Level.JUNIOR_COLLEGE,
            name__in={r.name for r in chunk},
            id_number__in=number_forms(r.id_number for r in chunk),
        ).only("pk", "name", "id_number", "certificate_number", "school_number")
        for degree in candidates:
            degrees.setdefault(person_key(degree.name, degree.id_number), []).append(degree)
        found = []
        for record in chunk:
            mine = degrees.get(person_key(record.name, record.id_number), [])
            degree = _prior_degree_of(record, mine)
            if degree is None:
                continue
            record.prior_degree = degree
            found.append(record)
            log_action(
                record,
                "records.prior_degree_linked",
                by=by,
                changes={"prior_degree": ["", degree.certificate_number]},
            )
        EnrollmentRecord.objects.bulk_update(found, ["prior_degree"])
        linked += len(found)
    return linked


def unlinked_prior_records() -> QuerySet[EnrollmentRecord]:
    """Every 本科 record whose roster names a 专科 degree not linked yet: what a degree
    import tries to link to the degrees it brings."""
    return _unlinked(EnrollmentRecord.objects.all())


def can_bind_prior_degree(record: EnrollmentRecord) -> bool:
    """A 本科 record without a linked prior degree offers 绑定专科学历."""
    return record.level == Level.BACHELOR and record.prior_degree_id is None


def prior_degree_bind(
    *,
    by: User,
    record: EnrollmentRecord,
    certificate_number: str,
    graduation_year: int,
    school: str,
    ip: str | None = None,
) -> DegreeRecord:
    """绑定专科学历: the student names her 专科 diploma by certificate number, graduation
    year and school. The degree is found and bound as 我还有学历没显示出来 finds it
    (binding.degree_bind: throttled, only a degree of her own name and ID number), then
    linked to her 本科 record; both audited. Not one transaction: a wrong guess stays
    counted by the throttle (its counter may be a database row)."""
    if record.user_id != by.pk:
        raise RecordError(_("只能为本人的学籍绑定专科学历。"))
    if not can_bind_prior_degree(record):
        if record.level != Level.BACHELOR:
            raise RecordError(_("只有本科（专升本）学籍需要绑定专科学历。"))
        raise RecordError(
            _("该学籍已关联专科学历。如专科学历信息有误，请在专科学历中点击“有误”并说明。")
        )
    degree = degree_bind(
        by=by,
        certificate_number=certificate_number,
        graduation_year=graduation_year,
        school=school,
        ip=ip,
    )
    if degree.level != Level.JUNIOR_COLLEGE:
        raise RecordError(
            _(
                "证书编号 %(number)s 的学历层次为“%(level)s”，不是专科学历，不能作为专升本的专科学历。"
            )
            % {"number": degree.certificate_number, "level": degree.get_level_display()}
        )
    return _link(record, degree, by=by, ip=ip)


def bind_degree(
    *, by: User, certificate_number: str, graduation_year: int, school: str, ip: str | None = None
) -> DegreeRecord:
    """我还有学历没显示出来: the degree found and bound as binding.degree_bind binds it; a 专科
    degree is then the prior degree of each of her unlinked 本科 records whose roster
    number names it, linked as 绑定专科学历 links it (the import's rule cannot: a degree
    bound by hand is under a name or ID number her 学籍 no longer has)."""
    degree = degree_bind(
        by=by,
        certificate_number=certificate_number,
        graduation_year=graduation_year,
        school=school,
        ip=ip,
    )
    if degree.level == Level.JUNIOR_COLLEGE:
        for record in _unlinked(EnrollmentRecord.objects.filter(user=by)):
            if names_degree(degree, record.prior_certificate_number):
                _link(record, degree, by=by, ip=ip)
    return degree


@transaction.atomic
def _link(record: EnrollmentRecord, degree: DegreeRecord, *, by: User, ip: str | None):
    record.prior_degree = degree
    record.save(update_fields=["prior_degree", "updated_at"])
    log_action(
        record,
        "records.prior_degree_bound",
        by=by,
        subject=by,
        changes={"prior_degree": ["", degree.certificate_number]},
        ip=ip,
    )
    return degree
