"""Reads the imaging pages share: the student's photo panel, the registrar's counts,
lists and batch reports. Each is a fixed number of queries, whatever the number of
photos (tests assert it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Avg,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from imaging.models import (
    CollectionUnit,
    Photo,
    PhotoBatch,
    PhotoBatchEntry,
    PhotoKind,
    PhotoState,
    PhotoVerification,
)
from records.codes import province_name
from records.models import EnrollmentRecord, RecordStatus
from records.panels import Panel
from records.regions import province_code

KIND_ORDER = {kind: i for i, kind in enumerate(PhotoKind.values)}


@dataclass
class PhotoItem:
    photo: Photo
    verification: PhotoVerification | None
    can_verify: bool  # 尚未校对, the owner, not graduated: 正确 / 有误 are offered
    can_rate: bool  # confirmed by the owner, not rated yet


def _provinces(record: EnrollmentRecord) -> list[str]:
    """Where this student can have a photo taken or corrected: the institution's province
    first (collection happens where the school is, seeds 003 and 004), then the
    student's own province (生源省市)."""
    codes = [record.institution.province, province_code(record.origin_region)]
    return [code for i, code in enumerate(codes) if code and code not in codes[:i]]


def record_photo_panels(records: list[EnrollmentRecord]) -> dict[int, Panel]:
    """The 图像校对 block of each record page (records.panels, registered in imaging.apps):
    the records' current photos in one query, whatever the number of records."""
    photos: dict[int, list[Photo]] = {record.pk: [] for record in records}
    for photo in Photo.objects.current().filter(record__in=records).order_by("kind"):
        photos[photo.record_id].append(photo)
    return {
        record.pk: Panel("imaging/_record_panel.html", record, photos[record.pk])
        for record in records
    }


def collection_units_for(record: EnrollmentRecord) -> list[CollectionUnit]:
    provinces = _provinces(record)
    units = list(CollectionUnit.objects.filter(province__in=provinces))
    return sorted(units, key=lambda unit: (provinces.index(unit.province), unit.name))


@dataclass
class UnitChoice:
    """Where this student has a photo taken or re-collected: the first of her provinces
    (_provinces: the school's, then her own 生源省市) with a collection unit registered,
    and its units; none registered in either, `units` is empty and `province` the first."""

    province: str
    province_name: str
    units: list[CollectionUnit]


def unit_choices(records: list[EnrollmentRecord]) -> dict[int, UnitChoice]:
    """The UnitChoice of each record, in one query whatever the number of records."""
    wanted = {code for record in records for code in _provinces(record)}
    by_province: dict[str, list[CollectionUnit]] = {}
    for unit in CollectionUnit.objects.filter(province__in=wanted).order_by("name"):
        by_province.setdefault(unit.province, []).append(unit)
    choices = {}
    for record in records:
        provinces = _provinces(record) or [""]
        code = next((c for c in provinces if by_province.get(c)), provinces[0])
        choices[record.pk] = UnitChoice(code, province_name(code), by_province.get(code, []))
    return choices


class MissingCause:
    """Why a record has no photo, as far as the batches delivered tell (seed 003 lists
    both causes; the portal says the one it can determine)."""

    NOT_DELIVERED = "not_delivered"  # no batch entry for her ID number or 考生号
    NOT_IMPORTED = "not_imported"  # delivered, but no photo came of it (the reason)


@dataclass
class MissingPhoto:
    cause: str
    reason: str  # the import's reason for a file delivered but not imported (stored masked)
    where: UnitChoice


def _last_entry(field: str) -> Subquery:
    entries = PhotoBatchEntry.objects.filter(record=OuterRef("pk")).order_by(
        "-batch__created_at", "-batch_id", "-position"
    )
    return Subquery(entries.values(field)[:1])


def with_last_delivery(records: QuerySet[EnrollmentRecord]) -> QuerySet[EnrollmentRecord]:
    """Annotate each record with the outcome and reason of the latest batch entry that
    named it (last_entry_outcome, last_entry_reason; None: no batch ever did), in the
    query that lists the records: missing_photos then needs no query for them."""
    return records.annotate(
        last_entry_outcome=_last_entry("outcome"), last_entry_reason=_last_entry("reason")
    )


def _latest_entries(entries: QuerySet[PhotoBatchEntry]) -> dict[int, tuple[str | None, str]]:
    """{record id: (outcome, reason)} of the latest of `entries` naming each record."""
    latest: dict[int, tuple[str | None, str]] = {}
    entries = entries.order_by("-batch__created_at", "-batch_id", "-position")
    for entry in entries.only("record_id", "outcome", "reason"):
        latest.setdefault(entry.record_id, (entry.outcome, entry.reason))
    return latest


def _last_deliveries(records: list[EnrollmentRecord]) -> dict[int, tuple[str | None, str]]:
    if all(hasattr(record, "last_entry_outcome") for record in records):
        return {r.pk: (r.last_entry_outcome, r.last_entry_reason or "") for r in records}
    return _latest_entries(PhotoBatchEntry.objects.filter(record__in=records))


def _missing_photo(outcome: str | None, reason: str, where: UnitChoice) -> MissingPhoto:
    if outcome is None:
        return MissingPhoto(MissingCause.NOT_DELIVERED, "", where)
    return MissingPhoto(MissingCause.NOT_IMPORTED, reason, where)


def missing_photos(
    records: list[EnrollmentRecord], *, where: dict[int, UnitChoice] | None = None
) -> dict[int, MissingPhoto]:
    """For each of `records` (those without a current photo), the cause the photo batches
    determine and where to have a photo taken (`where`: their unit_choices, if read
    already). Two queries whatever the number of records (one for records read
    with_last_delivery, none more with `where`); none for an empty list."""
    if not records:
        return {}
    latest = _last_deliveries(records)
    where = unit_choices(records) if where is None else where
    return {
        record.pk: _missing_photo(*latest.get(record.pk, (None, "")), where[record.pk])
        for record in records
    }


def _owner_missing_photo(record: EnrollmentRecord, memo: dict) -> MissingPhoto:
    """missing_photos for one record of the owner's page, the look-ups shared by all her
    records through `memo`: her batch entries in one query, the units once per provinces."""
    if "deliveries" not in memo:
        entries = PhotoBatchEntry.objects.filter(record__user_id=record.user_id)
        memo["deliveries"] = _latest_entries(entries)
    key = ("where", *_provinces(record))
    if key not in memo:
        memo[key] = unit_choices([record])[record.pk]
    return _missing_photo(*memo["deliveries"].get(record.pk, (None, "")), memo[key])


def _verifications(photos: list[Photo], *, owner, memo: dict) -> dict[int, PhotoVerification]:
    """The verification of each photo. For the owner, those of all their current photos
    in one query per request, so that a page of several records costs the same. A photo
    not checked yet has none (a new photo is a new row): no query for those."""
    if all(photo.state == PhotoState.UNVERIFIED for photo in photos):
        return {}
    if owner is None:
        return {v.photo_id: v for v in PhotoVerification.objects.filter(photo__in=photos)}
    if "verifications" not in memo:
        found = PhotoVerification.objects.filter(photo__record__user=owner, photo__is_current=True)
        memo["verifications"] = {v.photo_id: v for v in found}
    return memo["verifications"]


def _units(record: EnrollmentRecord, memo: dict) -> list[CollectionUnit]:
    key = ("units", *_provinces(record))
    if key not in memo:
        memo[key] = collection_units_for(record)
    return memo[key]


def photo_panel(
    *, record: EnrollmentRecord, photos: list[Photo], viewer, memo: dict | None = None
) -> dict:
    """What the photo block of a record page shows to this viewer. `memo` (one per
    request) shares the look-ups between the records of one page: the page costs the same
    queries for one photo or many, one record or several. With no photo at all, the owner
    reads the one cause the batches determine and the right collection unit
    (missing_photos: two queries)."""
    memo = {} if memo is None else memo
    photos = sorted(photos, key=lambda photo: KIND_ORDER.get(photo.kind, 9))
    is_owner = viewer.is_authenticated and viewer.pk == record.user_id
    verifications = _verifications(photos, owner=viewer if is_owner else None, memo=memo)
    items = []
    for photo in photos:
        verification = verifications.get(photo.pk)
        open_ = is_owner and not record.is_graduated and photo.state == PhotoState.UNVERIFIED
        rate = (
            is_owner
            and verification is not None
            and verification.result == PhotoState.CONFIRMED
            and verification.rating is None
        )
        items.append(PhotoItem(photo, verification, open_, rate))
    disputed = any(photo.state == PhotoState.DISPUTED for photo in photos)
    missing = _owner_missing_photo(record, memo) if is_owner and not photos else None
    return {
        "missing": missing,
        "record": record,
        "items": items,
        "is_owner": is_owner,
        "graduated": record.is_graduated,
        "disputed": disputed,
        "units": _units(record, memo) if is_owner and disputed else [],
        "provinces": [(code, province_name(code)) for code in _provinces(record)],
    }


# --- Staff -----------------------------------------------------------------------------


def _current(kind: str, **state):
    return Photo.objects.filter(record=OuterRef("pk"), kind=kind, is_current=True, **state)


def photo_progress(user, *, kind: str) -> list[dict]:
    """Per cohort (年级) and college of the user's scope: records, and how many of them have
    no current photo of `kind`, or one that is unverified, confirmed or disputed. One query."""
    rows = (
        EnrollmentRecord.objects.visible_to(user)
        .order_by()
        .values("admission_year", "college_id", "college__name", "college__code")
        .annotate(
            n_records=Count("pk"),
            n_missing=Count("pk", filter=~Exists(_current(kind))),
            n_unverified=Count("pk", filter=Exists(_current(kind, state=PhotoState.UNVERIFIED))),
            n_confirmed=Count("pk", filter=Exists(_current(kind, state=PhotoState.CONFIRMED))),
            n_disputed=Count("pk", filter=Exists(_current(kind, state=PhotoState.DISPUTED))),
        )
        .order_by("-admission_year", "college__code")
    )
    return list(rows)


PROGRESS_COLUMNS = ("n_records", "n_missing", "n_unverified", "n_confirmed", "n_disputed")


def progress_totals(rows: list[dict]) -> dict[str, int]:
    return {column: sum(row[column] for row in rows) for column in PROGRESS_COLUMNS}


# Records that will not graduate: they are not put forward for diploma registration.
NOT_GRADUATING = (RecordStatus.WITHDRAWN, RecordStatus.EXPELLED, RecordStatus.UNREGISTERED)


def graduation_years(user) -> list[int]:
    """The years in which students of the user's scope are expected to graduate (届)."""
    records = EnrollmentRecord.objects.visible_to(user).order_by()
    return [d.year for d in records.dates("expected_graduation", "year")]


def graduates_without_confirmed_diploma(user, *, year: int) -> QuerySet[EnrollmentRecord]:
    """毕业生 of one year (届) in the user's scope whose 学历照片 is missing, unverified or
    disputed. Seed 003: 网上照片没有经过核对确认的，原则上不予进行毕业证书电子注册."""
    diploma = _current(PhotoKind.DIPLOMA)
    return (
        EnrollmentRecord.objects.visible_to(user)
        .filter(expected_graduation__year=year)
        .exclude(status__in=NOT_GRADUATING)
        .exclude(Exists(diploma.filter(state=PhotoState.CONFIRMED)))
        .annotate(diploma_state=Subquery(diploma.values("state")[:1]))
        .select_related("college", "school_class")
        .order_by("college__code", "school_class__code", "student_number")
    )


def current_photos(record: EnrollmentRecord) -> list[Photo]:
    """The record's current photos, one per kind, ordered by kind."""
    return list(record.photos.filter(is_current=True).order_by("kind"))


def dispute_queue(user) -> QuerySet[Photo]:
    """Current photos the student reported as 有误 and nobody has handled yet, oldest
    first, with the report and when it came (reported_at, the latest verification)."""
    reported = PhotoVerification.objects.filter(photo=OuterRef("pk")).order_by("-created_at")
    return (
        Photo.objects.visible_to(user)
        .current()
        .filter(state=PhotoState.DISPUTED, dispute_closed_at__isnull=True)
        .select_related("record", "record__college", "record__school_class", "batch")
        .prefetch_related("verifications")
        .annotate(reported_at=Subquery(reported.values("created_at")[:1]))
        .order_by("created_at", "pk")
    )


def batches_with_ratings(user) -> QuerySet[PhotoBatch]:
    """The registrar's batches with their photos' states and quality ratings (seed 004).
    One query: each photo has at most one verification, so the joins do not multiply."""
    photos = "photos"
    return (
        PhotoBatch.objects.visible_to(user)
        .select_related("uploaded_by")
        .annotate(
            n_photos=Count(photos),
            n_confirmed=Count(photos, filter=Q(photos__state=PhotoState.CONFIRMED)),
            n_disputed=Count(photos, filter=Q(photos__state=PhotoState.DISPUTED)),
            n_rated=Count("photos__verifications__rating"),
            avg_rating=Avg("photos__verifications__rating"),
        )
        .order_by("-created_at", "-pk")
    )


def batch_entries(batch: PhotoBatch, *, outcome: str = "") -> QuerySet[PhotoBatchEntry]:
    """The import report of a batch, file by file in upload order; `outcome` (one of
    EntryOutcome) narrows it."""
    entries = batch.entries.select_related("record").order_by("position")
    return entries.filter(outcome=outcome) if outcome else entries


def rating_comments(batch: PhotoBatch, *, limit: int = 50) -> QuerySet:
    """The students' latest written comments on the batch's photos, with their rating."""
    return (
        batch.photos.filter(verifications__rating__isnull=False)
        .exclude(verifications__rating_comment="")
        .values("verifications__rating", "verifications__rating_comment", "verifications__rated_at")
        .order_by("-verifications__rated_at")[:limit]
    )


def collection_units_by_province(first: str = "") -> tuple[list[dict], bool]:
    """各省市图像采集单位, grouped by province in code order, province `first` (a student's
    own, from her record page) at the top; and whether `first` has no unit at all."""
    provinces: dict[str, dict] = {}
    for unit in CollectionUnit.objects.all():
        group = provinces.setdefault(
            unit.province,
            {"code": unit.province, "name": province_name(unit.province), "units": []},
        )
        group["units"].append(unit)
    groups = sorted(provinces.values(), key=lambda group: group["code"] != first)
    return groups, bool(first) and first not in provinces


def rating_distribution(batch: PhotoBatch) -> list[dict]:
    """How many photos of the batch got each rating, 5 down to 1 (one query)."""
    counts = dict(
        PhotoVerification.objects.filter(photo__batch=batch, rating__isnull=False)
        .order_by()
        .values_list("rating")
        .annotate(n=Count("pk"))
    )
    total = sum(counts.values())
    return [
        {
            "rating": r,
            "n": counts.get(r, 0),
            "percent": round(100 * counts.get(r, 0) / total) if total else 0,
        }
        for r in range(5, 0, -1)
    ]
