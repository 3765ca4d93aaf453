"""When a student has done what a notice asks: the one rule that her to-do (notices.todo),
her task on each notice (notices.student), the progress counts, the feedback sheet and
the reminders' recipients (notices.selectors) all read.

Each condition is written twice, side by side so that they change together: as SQL, to
count and filter many records in one query (`record_done_q`, `photos_done_q`), and in
Python over the flags that `flags()` annotates on records already loaded
(`record_done`, `photos_done`).

- The record (学籍信息自查): 正确, or an open 有误 report (the registrar decides next), or
  a record that is not self-checked at all (records.self_check: 已毕业, 未注册, ended) —
  but a graduate's (已毕业) record with its 学历 is done when she has checked the 学历
  (正确 or 有误, seed 004: graduates check their diploma's information): her degree
  counts there as her record. A record whose 学历 she checked is done in any case.
  专升本 (seeds 002, 003): a 本科 record whose prior 专科 degree is bound to her is done
  only once she has checked that degree too (正确 or 有误). A prior degree linked by the
  roster but not bound to her is the office's to sort out, not hers: it does not hold her.
- The photos (图像校对): a current photo, none still 尚未校对, and no 有误 waiting to be
  re-collected: a photo reported 有误 must be taken again at the collection unit (seed
  003: 联系新华社勘误), so it is not done until a new photo replaces it or the registrar
  closes the report with a reason. A 已毕业 record's photo is linked to the diploma and
  has no buttons (seed 003): never "to check".
"""

from __future__ import annotations

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q

from imaging.models import Photo, PhotoState
from notices.models import Notice
from records import progress
from records.models import CheckResult, EnrollmentRecord, RecordStatus
from records.self_check import check_done, not_checked_q


def _current():
    return Photo.objects.filter(record=OuterRef("pk"), is_current=True)


def _photo_flags() -> dict:
    current = _current()
    pending = Q(Exists(current.filter(state=PhotoState.UNVERIFIED))) & ~Q(
        status=RecordStatus.GRADUATED
    )
    open_dispute = current.filter(state=PhotoState.DISPUTED, dispute_closed_at__isnull=True)
    return {
        "has_photo": Exists(current),
        "photos_pending": ExpressionWrapper(pending, output_field=BooleanField()),
        "photo_disputed": Exists(current.filter(state=PhotoState.DISPUTED)),
        # 有误 not yet followed by a new photo or closed by the registrar: to re-collect.
        "photo_dispute_open": Exists(open_dispute),
    }


def _degree_checked() -> Q:
    """The record's 学历 is confirmed or reported (its check result, records.progress)."""
    return Q(degree_record__check_result__in=(CheckResult.CONFIRMED, CheckResult.REPORTED))


def _prior_degree_open() -> Q:
    """专升本: her prior 专科 degree is hers (bound to her) and not checked yet."""
    checked = (CheckResult.CONFIRMED, CheckResult.REPORTED)
    return Q(prior_degree__user=F("user")) & ~Q(prior_degree__check_result__in=checked)


def _degree_flags() -> dict:
    return {
        "degree_pk": F("degree_record__pk"),
        "degree_result": F("degree_record__check_result"),
        "degree_checked": ExpressionWrapper(_degree_checked(), output_field=BooleanField()),
        "prior_degree_open": ExpressionWrapper(_prior_degree_open(), output_field=BooleanField()),
    }


def flags() -> dict:
    """Annotations for `queryset.annotate(**flags())`: is_confirmed, has_open_report (the
    record's check result, records.progress), degree_pk, degree_result and degree_checked
    (its 学历), prior_degree_open (专升本: her 专科 degree left to check),
    has_photo, photos_pending, photo_disputed and photo_dispute_open. One query for the
    records that carry them."""
    return {**progress.flags(), **_degree_flags(), **_photo_flags()}


# SQL -------------------------------------------------------------------------------------


def record_done_q() -> Q:
    graduate_with_degree = Q(status=RecordStatus.GRADUATED, degree_record__isnull=False)
    own = (progress.confirmed() | progress.reported() | not_checked_q()) & ~graduate_with_degree
    return (own | _degree_checked()) & ~_prior_degree_open()


def photos_done_q() -> Q:
    photo = _photo_flags()
    return Q(photo["has_photo"]) & ~Q(photo["photos_pending"]) & ~Q(photo["photo_dispute_open"])


def task_done_q(notice: Notice) -> Q:
    """The records whose student has done everything `notice` asks."""
    done = Q()
    if notice.asks_record_check:
        done &= record_done_q()
    if notice.asks_photo_check:
        done &= photos_done_q()
    return done


# Python, over records annotated with flags() -----------------------------------------------


def degree_counts(record: EnrollmentRecord) -> bool:
    """Her 学历 is what this record's check is about: a graduate's record with its degree,
    or a record whose degree she has checked (records annotated by flags())."""
    graduate = record.status == RecordStatus.GRADUATED
    return bool(getattr(record, "degree_checked", False)) or (
        graduate and getattr(record, "degree_pk", None) is not None
    )


def degree_to_check(record: EnrollmentRecord) -> bool:
    """A graduate's 学历 is what is left for her to check (records annotated by flags())."""
    return degree_counts(record) and not record.degree_checked


def prior_degree_to_check(record: EnrollmentRecord) -> bool:
    """专升本: her prior 专科 degree is left to check (records annotated by flags())."""
    return bool(getattr(record, "prior_degree_open", False))


def record_done(record: EnrollmentRecord) -> bool:
    if prior_degree_to_check(record):
        return False
    if getattr(record, "degree_checked", False):
        return True
    return check_done(record) and not degree_to_check(record)


def photos_done(record: EnrollmentRecord) -> bool:
    return (
        bool(getattr(record, "has_photo", False))
        and not record.photos_pending
        and not record.photo_dispute_open
    )


def task_done(notice: Notice, record: EnrollmentRecord) -> bool:
    """The Python twin of task_done_q."""
    return (record_done(record) or not notice.asks_record_check) and (
        photos_done(record) or not notice.asks_photo_check
    )
