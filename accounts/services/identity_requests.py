"""Requests to the identity reviewers (客服), and their decisions: hand-held ID photos of
an account pending for a duplicate ID number (seed 000), a phone held by another account
that cannot receive a code, and a change of real name or ID number (docs/design.md).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import AccountError, AlreadySubmitted, Throttled
from accounts.models import AccountState, IdentityRequest, RequestKind, RequestState, User
from accounts.notify import notify
from accounts.services.claims import identity_check_passed, phone_claim_make
from accounts.services.holders import accounts_cancelled_by_approval
from accounts.services.phones import give_phone
from portal.lib import idnumbers
from portal.lib.audit import log_action
from portal.lib.uploads import CleanImage, UploadError, image_upload

# Seed 000: jpg / jpeg / png / gif, at most 300 KB; 3 uploads a day and 5 in all.
ID_PHOTO_FORMATS = {"JPEG", "PNG", "GIF"}
ID_PHOTO_MAX_BYTES = 300 * 1024
ID_PHOTO_MAX_PIXELS = 12_000_000  # a hand-held photo from a phone camera (4000×3000)
UPLOADS_PER_DAY = 3
UPLOADS_IN_ALL = 5
# Issue 15: a try is spent only on a photo a reviewer can read. Smaller than this on its
# shorter side, or nearly one colour (see portal.lib.uploads.pixel_spread), is refused
# before it counts.
ID_PHOTO_MIN_SIDE = 300
ID_PHOTO_MIN_SPREAD = 4.0
REVIEW_TARGET = timedelta(days=3)  # "三个工作日"


def uploads_left(user: User) -> tuple[int, int]:
    """(left today, left in all) for hand-held ID photo uploads."""
    mine = IdentityRequest.objects.filter(user=user, kind=RequestKind.DUPLICATE_ID)
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    in_all = UPLOADS_IN_ALL - mine.count()
    return max(0, min(UPLOADS_PER_DAY - mine.filter(created_at__gte=today).count(), in_all)), max(
        0, in_all
    )


def _clean_image(upload, label: str, *, readable: bool = False) -> CleanImage:
    """`readable`: the photo spends one of the five tries, so it must be large enough and
    not blank (issue 15)."""
    try:
        return image_upload(
            upload,
            max_bytes=ID_PHOTO_MAX_BYTES,
            formats=ID_PHOTO_FORMATS,
            max_pixels=ID_PHOTO_MAX_PIXELS,
            min_side=ID_PHOTO_MIN_SIDE if readable else None,
            min_spread=ID_PHOTO_MIN_SPREAD if readable else None,
        )
    except UploadError as exc:
        raise AccountError(f"{label}：{exc.message}") from exc


def _store_images(request_obj: IdentityRequest, **images: CleanImage) -> None:
    """Write the files only once every image has passed, so that a refused upload
    leaves no ID photo behind on the disk."""
    for field, image in images.items():
        getattr(request_obj, field).save(
            f"{field}{image.extension}", ContentFile(image.content), save=False
        )


def _new_request(user: User, kind: str, **fields) -> IdentityRequest:
    return IdentityRequest(user=user, kind=kind, token=secrets.token_hex(16), **fields)


def _lock_user(user: User) -> None:
    """Take `user`'s row lock for the rest of the transaction: her requests are counted and
    saved one submission at a time (docs/security.md "Counters are exact under bursts": a
    count read beside a slow image decode lets a burst through)."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").get()


def _check_uploads_left(user: User) -> None:
    today, in_all = uploads_left(user)
    if in_all <= 0:
        raise Throttled(_("累计上传已达 5 次，不能再上传。请联系学校学籍管理部门或客服。"))
    if today <= 0:
        raise Throttled(_("每天只能上传 3 次，请明天再试。"))


def _save_one_pending(obj: IdentityRequest, *, pending_twice: str, **images: CleanImage) -> None:
    """Store the images and save a request of a kind that may be pending once per account;
    a second one (the database constraint decides, under a burst too) raises
    `pending_twice` and leaves no image behind."""
    _store_images(obj, **images)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        for field in images:
            getattr(obj, field).delete(save=False)
        raise AccountError(pending_twice) from exc


def photos_pending(user: User) -> IdentityRequest | None:
    """Her hand-held photo request still waiting for the reviewers, if any."""
    return (
        IdentityRequest.objects.filter(
            user=user, kind=RequestKind.DUPLICATE_ID, state=RequestState.PENDING
        )
        .order_by("-created_at")
        .first()
    )


def _check_may_upload(user: User, submission: str) -> None:
    """Issue 15: the five tries are not wasted. The same form sent twice (a double tap)
    and a new upload while one waits for the reviewers are refused without counting;
    then seed 000's limits."""
    if (
        submission
        and IdentityRequest.objects.filter(
            user=user, kind=RequestKind.DUPLICATE_ID, submission=submission
        ).exists()
    ):
        raise AlreadySubmitted(_("照片已经上传，请勿重复提交。请等待客服审核（三个工作日内）。"))
    if photos_pending(user):
        raise AccountError(
            _(
                "您上传的照片正在等待客服审核，审核结果出来前不能再次上传；此次提交未计入上传次数。"
                "如审核未通过，可按原因重新上传。"
            )
        )
    _check_uploads_left(user)


def id_photos_submit(*, user: User, front, back, submission: str = "", ip=None) -> IdentityRequest:
    """途径：客服协助验证. Two hand-held photos, reviewed within three working days.
    `submission`: the upload form's one-time key (a second sending is AlreadySubmitted)."""
    if user.state != AccountState.PENDING:
        raise AccountError(_("您的账号不需要身份核验。"))
    _check_may_upload(user, submission)  # refused before the decoding, as before
    front_image = _clean_image(front, _("手持身份证人像面照片"), readable=True)
    back_image = _clean_image(back, _("手持身份证国徽面照片"), readable=True)
    with transaction.atomic():
        _lock_user(user)
        _check_may_upload(user, submission)  # again, under the lock: the limits are exact
        obj = _new_request(user, RequestKind.DUPLICATE_ID, submission=submission)
        _store_images(obj, front_image=front_image, back_image=back_image)
        obj.save()
        log_action(obj, "accounts.id_photos_submitted", by=user, subject=user, ip=ip)
    return obj


def _has_pending(user: User, kind: str) -> bool:
    return IdentityRequest.objects.filter(user=user, kind=kind, state=RequestState.PENDING).exists()


def phone_request_submit(*, user: User, phone: str, front, ip=None) -> IdentityRequest:
    """手机号已使用 and the phone cannot receive a code: ask the reviewers with a
    hand-held ID photo (seed 000)."""
    if user.phone == phone:
        raise AccountError(_("该手机号已经绑定在您的账号上。"))
    pending_twice = _("您已有一个待审核的手机号申请，请等待客服处理。")
    if _has_pending(user, RequestKind.PHONE):
        raise AccountError(pending_twice)
    image = _clean_image(front, _("手持身份证人像面照片"))
    with transaction.atomic():
        _lock_user(user)
        if _has_pending(user, RequestKind.PHONE):
            raise AccountError(pending_twice)
        obj = _new_request(user, RequestKind.PHONE, phone=phone)
        _save_one_pending(obj, pending_twice=pending_twice, front_image=image)
        log_action(obj, "accounts.phone_request_submitted", by=user, subject=user, ip=ip)
    return obj


def real_name_change_submit(
    *,
    user: User,
    real_name: str,
    id_number: str,
    scan,
    id_type: str = "",
    note: str = "",
    ip=None,
) -> IdentityRequest:
    """A wrongly entered name, ID type or number is changed by the reviewers, with a
    scan of the document; the student never edits them alone (docs/design.md)."""
    id_type = id_type or user.id_type
    if (real_name, id_type, id_number) == (user.real_name, user.id_type, user.id_number):
        raise AccountError(_("申请的姓名和证件号码与当前信息相同，无需修改。"))
    pending_twice = _("您已有一个待审核的实名信息修改申请，请等待客服处理。")
    if _has_pending(user, RequestKind.REAL_NAME):
        raise AccountError(pending_twice)
    image = _clean_image(scan, _("身份证扫描件"))
    obj = _new_request(
        user,
        RequestKind.REAL_NAME,
        requested_real_name=real_name,
        requested_id_type=id_type,
        requested_id_number=id_number,
        note=note,
    )
    with transaction.atomic():
        _lock_user(user)
        if _has_pending(user, RequestKind.REAL_NAME):
            raise AccountError(pending_twice)
        _save_one_pending(obj, pending_twice=pending_twice, front_image=image)
        log_action(obj, "accounts.real_name_change_submitted", by=user, subject=user, ip=ip)
    return obj


# The reviewers' decisions ------------------------------------------------------------


def identity_request_viewed(*, req: IdentityRequest, by: User, ip=None) -> None:
    """docs/security.md (PIPL): staff access to a person's full ID number and ID photos is
    itself recorded — who looked, when."""
    log_action(req, "accounts.request_viewed", by=by, subject=req.user, ip=ip)


def _decide(req: IdentityRequest, *, by: User, state: str) -> None:
    if req.state != RequestState.PENDING:
        raise AccountError(_("该申请已处理。"))
    req.state, req.reviewer, req.decided_at = state, by, timezone.now()


@transaction.atomic
def identity_request_reject(
    *, req: IdentityRequest, by: User, reason: str, note: str = "", ip=None
) -> IdentityRequest:
    req = IdentityRequest.objects.select_for_update().get(pk=req.pk)
    _decide(req, by=by, state=RequestState.REJECTED)
    req.reject_reason, req.reject_note = reason, note
    req.save()
    why = "：".join(part for part in (req.get_reject_reason_display(), note) if part)
    log_action(req, "accounts.request_rejected", by=by, subject=req.user, ip=ip, reason=why)
    notify(
        req.user,
        _("您的%(kind)s申请审核未通过：%(reason)s。请按要求重新提交。")
        % {"kind": req.get_kind_display(), "reason": why},
    )
    return req


@transaction.atomic
def identity_request_approve(*, req: IdentityRequest, by: User, ip=None) -> IdentityRequest:
    # Lock the request only ("self"): with the join, FOR UPDATE would also lock its user
    # ahead of identity_approve's ordered lock of every holder, and competing approvals
    # would deadlock.
    req = (
        IdentityRequest.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=req.pk)
    )
    _decide(req, by=by, state=RequestState.APPROVED)
    req.save()
    if req.kind == RequestKind.DUPLICATE_ID:
        identity_check_passed(user=req.user, by=by, route="id_photos", ip=ip, source=req)
        return req  # identity_approve or the claim tells the student
    if req.kind == RequestKind.PHONE:
        if _move_phone(req, by=by, ip=ip):
            return req  # the claim tells both sides
    else:
        _change_real_name(req, by=by, ip=ip)
    # Seed 001: the reviewers tell the student the outcome.
    notify(req.user, _("您的%(kind)s申请审核已通过。") % {"kind": req.get_kind_display()})
    return req


def accounts_cancelled_by_request(req: IdentityRequest):
    """What approving `req` cancels in the end (when its claim takes effect): only a
    hand-held photo request approves an identity; a phone or real-name request cancels
    nobody."""
    if req.kind != RequestKind.DUPLICATE_ID:
        return User.objects.none()
    return accounts_cancelled_by_approval(req.user)


def phone_holder(req: IdentityRequest) -> User | None:
    """The live account that holds the phone of a PHONE request now (shown to the
    reviewer before deciding)."""
    if req.kind != RequestKind.PHONE or not req.phone:
        return None
    return (
        User.objects.exclude(state=AccountState.CANCELLED)
        .filter(phone=req.phone)
        .exclude(pk=req.user_id)
        .first()
    )


def _move_phone(req: IdentityRequest, *, by: User, ip):
    """No other live holder: the phone moves at once. Otherwise a claim against the
    holder, who is told and may object, and the phone moves when the window passes."""
    holder = (
        User.objects.select_for_update()
        .exclude(state=AccountState.CANCELLED)
        .filter(phone=req.phone)
        .exclude(pk=req.user_id)
        .first()
    )
    if holder is not None:
        return phone_claim_make(req=req, holder=holder, by=by, ip=ip)
    give_phone(
        user=req.user,
        phone=req.phone,
        by=by,
        ip=ip,
        taken=_("该手机号刚被其他账号使用，请刷新页面后重新审核。"),
    )
    return None


def _change_real_name(req: IdentityRequest, *, by: User, ip) -> None:
    user = req.user
    id_type = req.requested_id_type or user.id_type  # requests made before the field
    try:  # the rule of today, also for a request filed before it
        number = idnumbers.validate_for_type(id_type, req.requested_id_number)
    except ValidationError as error:
        raise AccountError(
            _("申请的证件号码不符合证件类型：%(why)s 请驳回并告知申请人。")
            % {"why": " ".join(error.messages)}
        ) from None
    req.requested_id_number = number
    if (
        User.objects.filter(
            id_type=id_type, id_number=req.requested_id_number, state=AccountState.ACTIVE
        )
        .exclude(pk=user.pk)
        .exists()
    ):
        raise AccountError(_("申请的证件号码已被其他账号使用，请先处理证件号码重复问题。"))
    before = {"real_name": user.real_name, "id_type": user.id_type, "id_number": user.id_number}
    user.real_name, user.id_type = req.requested_real_name, id_type
    user.id_number = req.requested_id_number
    user.save(update_fields=["real_name", "id_type", "id_number"])
    log_action(
        user,
        "accounts.real_name_changed",
        by=by,
        subject=user,
        ip=ip,
        changes={k: [v, getattr(user, k)] for k, v in before.items() if v != getattr(user, k)},
    )
