"""Every write of the imaging app: storing a photo, the student's 正确 / 有误 / rating,
and the registrar's single replacement upload. Batches are in imaging/batches.py."""

from __future__ import annotations

import hashlib
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.notify import notify
from imaging.errors import PhotoError
from imaging.models import (
    DisputeReason,
    EntryOutcome,
    Photo,
    PhotoBatch,
    PhotoBatchEntry,
    PhotoKind,
    PhotoState,
    PhotoVerification,
)
from imaging.normalise import MAX_BYTES, NormalisedPhoto, PhotoRejected, photo_normalise, reason
from portal.lib.audit import log_action
from records.models import EnrollmentRecord


def _write_files(photo: Photo, normalised: NormalisedPhoto) -> list[str]:
    """Through the storage API only, under generated names (imaging.models.photo_path)."""
    stored = []
    try:
        for field, data in (("image", normalised.image), ("thumbnail", normalised.thumbnail)):
            getattr(photo, field).save("photo.jpg", ContentFile(data), save=False)
            stored.append(getattr(photo, field).name)
    except Exception:
        _delete_files(stored)
        raise
    return stored


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def photo_save(
    *,
    record: EnrollmentRecord,
    kind: str,
    normalised: NormalisedPhoto,
    sha256: str,
    batch: PhotoBatch | None,
    by=None,
    ip: str | None = None,
) -> tuple[Photo, bool]:
    """Make this the current photo of `kind` for the record; the previous one is kept as
    history (is_current=False). The state starts at 尚未校对 and the student is told.
    Returns the photo and whether it replaced another."""
    photo = Photo(record=record, kind=kind, token=secrets.token_hex(16), batch=batch)
    photo.width, photo.height, photo.sha256 = normalised.width, normalised.height, sha256
    stored = _write_files(photo, normalised)
    try:
        replaced = _save_current(photo, by=by, ip=ip)
    except Exception:
        _delete_files(stored)  # the row was rolled back: leave no orphan file either
        raise
    return photo, replaced


@transaction.atomic
def _save_current(photo: Photo, *, by, ip) -> bool:
    record = photo.record
    previous = (
        Photo.objects.select_for_update()
        .filter(record=record, kind=photo.kind, is_current=True)
        .first()
    )
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    photo.save()
    action = "imaging.photo_replaced" if previous else "imaging.photo_added"
    before = previous.state if previous else None
    log_action(
        photo,
        action,
        by=by,
        changes={"state": [before, PhotoState.UNVERIFIED]},
        reason=photo.batch.source if photo.batch else "",
        subject=record.user,
        ip=ip,
    )
    if record.user is not None:
        notify(
            record.user,
            _("您的%(kind)s已更新，请登录学籍校对平台进行图像校对（尚未校对）。")
            % {"kind": photo.get_kind_display()},
        )
    return previous is not None


# --- The student's 图像校对 --------------------------------------------------------------


def _locked(photo: Photo) -> Photo:
    return Photo.objects.select_for_update().select_related("record").get(pk=photo.pk)


def photo_verifiable(*, photo: Photo) -> bool:
    """Whether the photo still takes a 正确 or 有误 (its student's pages offer them only
    then): the current one, of a student not graduated, not checked yet."""
    return (
        photo.is_current and not photo.record.is_graduated and photo.state == PhotoState.UNVERIFIED
    )


def _check_may_verify(photo: Photo, user) -> None:
    if photo.record.user_id != user.pk:
        raise PhotoError(_("只能校对本人的照片。"))
    if not photo.is_current:
        raise PhotoError(_("该照片已被新照片替换，请校对新照片。"))
    if photo.record.is_graduated:
        # Seed 003: 已毕业 means the photo is linked to the diploma: no more buttons.
        raise PhotoError(_("学籍状态为“已毕业”，照片已连接到电子学历，不能再校对。"))
    if photo.state == PhotoState.CONFIRMED:
        raise PhotoError(_("您已确认该照片正确，不能更改。"))
    if photo.state == PhotoState.DISPUTED:
        raise PhotoError(_("您已报告该照片有误，请联系图像采集单位勘误；新照片上传后可重新校对。"))


@transaction.atomic
def photo_confirm(*, photo: Photo, by, ip: str | None = None) -> PhotoVerification:
    """正确, after the second confirmation (seed 004: 再次确认); then locked."""
    photo = _locked(photo)
    _check_may_verify(photo, by)
    verification = PhotoVerification.objects.create(
        photo=photo, user=by, result=PhotoState.CONFIRMED
    )
    _set_state(photo, PhotoState.CONFIRMED, by=by, ip=ip)
    return verification


@transaction.atomic
def photo_dispute(
    *, photo: Photo, by, reason: str, comment: str = "", ip: str | None = None
) -> PhotoVerification:
    """有误: not me, poor quality, or other (with a comment). Seed 003: the student then
    contacts the collection unit (新华社) for a correction."""
    photo = _locked(photo)
    _check_may_verify(photo, by)
    comment = comment.strip()
    if reason not in DisputeReason.values:
        raise PhotoError(_("请选择有误的原因。"))
    if reason == DisputeReason.OTHER and not comment:
        raise PhotoError(_("选择“其他”时，请说明照片有什么问题。"))
    verification = PhotoVerification.objects.create(
        photo=photo, user=by, result=PhotoState.DISPUTED, reason=reason, comment=comment
    )
    _set_state(photo, PhotoState.DISPUTED, by=by, ip=ip, why=comment or reason)
    return verification


def _set_state(photo: Photo, state: str, *, by, ip, why: str = "") -> None:
    before = photo.state
    photo.state = state
    photo.save(update_fields=["state"])
    log_action(
        photo,
        f"imaging.photo_{state}",
        by=by,
        changes={"state": [before, state]},
        reason=why,
        subject=by,
        ip=ip,
    )


DISPUTE_CLOSE_REASON_MAX = 200


@transaction.atomic
def photo_dispute_close(*, photo: Photo, by, reason: str, ip: str | None = None) -> Photo:
    """The registrar closes a 有误 without a new photo here (re-collected at the
    collection unit, to come with a later batch; or found right after all), saying why:
    the photo leaves the 有误 queue, the student is told and reads the reason beside it,
    and it stays 有误 until a new photo replaces it."""
    photo = _locked(photo)
    reason = " ".join(reason.split())
    if not photo.is_current or photo.state != PhotoState.DISPUTED:
        raise PhotoError(_("该照片不是待处理的有误照片。"))
    if photo.dispute_closed_at is not None:
        raise PhotoError(_("该照片的有误报告已处理。"))
    if not reason:
        raise PhotoError(_("请填写处理说明，学生会看到这段说明。"))
    if len(reason) > DISPUTE_CLOSE_REASON_MAX:
        raise PhotoError(_("处理说明不能超过 200 字。"))
    photo.dispute_closed_at, photo.dispute_closed_by = timezone.now(), by
    photo.dispute_close_reason = reason
    photo.save(update_fields=["dispute_closed_at", "dispute_closed_by", "dispute_close_reason"])
    student = photo.record.user
    log_action(
        photo,
        "imaging.dispute_closed",
        by=by,
        changes={"dispute_closed_at": [None, photo.dispute_closed_at.isoformat()]},
        reason=reason,
        subject=student,
        ip=ip,
    )
    if student is not None:
        notify(
            student,
            _("您报告有误的%(kind)s已由学校处理：%(reason)s")
            % {"kind": photo.get_kind_display(), "reason": reason},
        )
    return photo


@transaction.atomic
def photo_rate(*, photo: Photo, by, rating: int, comment: str = "", ip: str | None = None) -> None:
    """照片质量评价 (seed 004), once, after the student confirmed the photo."""
    photo = _locked(photo)
    verification = PhotoVerification.objects.filter(photo=photo, user=by).first()
    if verification is None or verification.result != PhotoState.CONFIRMED:
        raise PhotoError(_("请先确认照片正确，再评价照片质量。"))
    if verification.rating is not None:
        raise PhotoError(_("您已评价过该照片。"))
    if not 1 <= rating <= 5:
        raise PhotoError(_("请选择 1 到 5 分。"))
    verification.rating, verification.rating_comment = rating, comment.strip()
    verification.rated_at = timezone.now()
    verification.save(update_fields=["rating", "rating_comment", "rated_at"])
    log_action(
        photo,
        "imaging.photo_rated",
        by=by,
        changes={"rating": [None, rating]},
        subject=by,
        ip=ip,
    )


# --- The registrar's single upload (dispute queue) -------------------------------------


def _read_upload(upload) -> bytes:
    # The size is known before the body is read (docs/security.md: uploads).
    if upload.size is not None and upload.size > MAX_BYTES:
        raise PhotoError(reason("too_large"), "too_large")
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PhotoError(reason("too_large"), "too_large")
    return data


def photo_upload(
    *, record: EnrollmentRecord, kind: str, upload, by, ip: str | None = None
) -> Photo:
    """A new photo for one record, normalised as a batch entry is; it replaces the
    current one and resets the state. Refused files leave nothing stored."""
    if kind not in PhotoKind.values:
        raise PhotoError(_("请选择照片类型。"))
    data = _read_upload(upload)
    try:
        normalised = photo_normalise(data)
    except PhotoRejected as exc:
        raise PhotoError(exc.message, exc.code) from exc
    sha256 = hashlib.sha256(data).hexdigest()
    current = Photo.objects.current().filter(record=record, kind=kind).first()
    if current is not None and current.sha256 == sha256:
        raise PhotoError(_("上传的照片与当前照片相同，未更换。"), "unchanged")
    photo = None
    try:
        with transaction.atomic():
            batch = PhotoBatch.objects.create(
                institution_id=record.institution_id,
                kind=kind,
                source=_("单张上传（%(name)s）") % {"name": by.get_full_name() or by.username},
                uploaded_by=by,
            )
            photo, replaced = photo_save(
                record=record,
                kind=kind,
                normalised=normalised,
                sha256=sha256,
                batch=batch,
                by=by,
                ip=ip,
            )
            outcome = EntryOutcome.REPLACED if replaced else EntryOutcome.ADDED
            PhotoBatchEntry.objects.create(
                batch=batch, position=1, name=record.student_number, outcome=outcome,
                record=record, photo=photo,
            )  # fmt: skip
            batch.report = {"counts": {outcome: 1}}
            batch.save(update_fields=["report"])
    except Exception:
        if photo is not None:
            _delete_files([photo.image.name, photo.thumbnail.name])
        raise
    return photo
