"""Identity checks for accounts pending because their ID number was already registered
(seed 000, seed 001): hand-held ID photos reviewed by staff, a classmate's help, or
enrollment / degree facts; and the reviewers' decisions on every request of the queue.

A passed check never cancels an active holder on the spot: it makes an identity claim
(accounts.services.claims) that takes effect after the dispute window, the holder's own
confirmation or a reviewer's decision. Only then does `identity_approve` run: it cancels
every other account holding that ID number, moves everything they held here (each app
moves its own objects: accounts.transfer) and ends their sessions (an inactive account's
session no longer authenticates), in one audited transaction.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import AccountError, Throttled
from accounts.models import (
    AccountState,
    AssistState,
    ClassmateAssist,
    IdentityRequest,
    RejectReason,
    RequestKind,
    RequestState,
    Role,
    User,
)
from accounts.notify import notify
from accounts.services.claims import (
    accounts_cancelled_by_approval,
    identity_check_passed,
    lock_id_holders,
)
from accounts.transfer import transfer_all
from portal.lib import idnumbers
from portal.lib.audit import log_action
from portal.lib.throttle import Limit, network_key, wait_message
from portal.lib.uploads import CleanImage, UploadError, image_upload
from records.models import DegreeRecord, EnrollmentRecord
from records.services.binding import certificate_digits

# Seed 000: jpg / jpeg / png / gif, at most 300 KB; 3 uploads a day and 5 in all.
ID_PHOTO_FORMATS = {"JPEG", "PNG", "GIF"}
ID_PHOTO_MAX_BYTES = 300 * 1024
ID_PHOTO_MAX_PIXELS = 12_000_000  # a hand-held photo from a phone camera (4000×3000)
UPLOADS_PER_DAY = 3
UPLOADS_IN_ALL = 5
FACT_GUESSES = Limit("identity-facts", max=5, window=24 * 60 * 60)
# docs/quality.md: guesses are throttled per account and per IP, so that a handful of pending
# accounts for one ID number cannot share out the guessing.
FACT_GUESSES_PER_IP = Limit("identity-facts-ip", max=20, window=24 * 60 * 60)
REVIEW_TARGET = timedelta(days=3)  # "三个工作日"


def uploads_left(user: User) -> tuple[int, int]:
    """(left today, left in all) for hand-held ID photo uploads."""
    mine = IdentityRequest.objects.filter(user=user, kind=RequestKind.DUPLICATE_ID)
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    in_all = UPLOADS_IN_ALL - mine.count()
    return max(0, min(UPLOADS_PER_DAY - mine.filter(created_at__gte=today).count(), in_all)), max(
        0, in_all
    )


def _clean_image(upload, label: str) -> CleanImage:
    try:
        return image_upload(
            upload,
            max_bytes=ID_PHOTO_MAX_BYTES,
            formats=ID_PHOTO_FORMATS,
            max_pixels=ID_PHOTO_MAX_PIXELS,
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
    saved one submission at a time (docs/quality.md "Counters are exact under bursts": a
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


def id_photos_submit(*, user: User, front, back, ip=None) -> IdentityRequest:
    """途径：客服协助验证. Two hand-held photos, reviewed within three working days."""
    if user.state != AccountState.PENDING:
        raise AccountError(_("您的账号不需要身份核验。"))
    _check_uploads_left(user)  # refused before the decoding, as before
    front_image = _clean_image(front, _("手持身份证人像面照片"))
    back_image = _clean_image(back, _("手持身份证国徽面照片"))
    with transaction.atomic():
        _lock_user(user)
        _check_uploads_left(user)  # again, under the lock: seed 000's limits are exact
        obj = _new_request(user, RequestKind.DUPLICATE_ID)
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


@transaction.atomic
def identity_approve(*, user: User, by: User | None, route: str, ip=None) -> User:
    """Make the pending account the one active holder of its ID number: the last step of
    an identity claim (accounts.services.claims), or of a passed check when no other
    account is active. Cancels the other holders (never a staff account), moves what they
    held (accounts.transfer) and ends their sessions, in one audited transaction."""
    user, _holders = lock_id_holders(user)  # every holder locked, in key order
    now = timezone.now()
    others = list(accounts_cancelled_by_approval(user))
    if any(old.is_staff_account for old in others):
        raise AccountError(
            _(
                "该证件号码由工作人员账号使用，该账号不能因身份核验或申领被注销。请先请系统管理员"
                "核实并更正该工作人员账号的证件号码，再通过审核。"
            )
        )
    for old in others:
        _cancel(old, now=now, winner=user, by=by, ip=ip)
        moved = transfer_all(old=old, new=user, now=now)
        if moved:
            log_action(
                user,
                "accounts.holdings_moved",
                by=by,
                subject=user,
                ip=ip,
                changes={kind: [old.username, count] for kind, count in moved.items()},
                reason=_("账号 %(old)s 的学籍、学历等信息转入本账号") % {"old": old.username},
            )
    user.state, user.identity_verified_at = AccountState.ACTIVE, now
    try:
        with transaction.atomic():
            user.save(update_fields=["state", "identity_verified_at"])
    except IntegrityError as exc:
        raise AccountError(_("已有其他账号通过了该证件号码的核验。")) from exc
    log_action(
        user,
        "accounts.identity_approved",
        by=by,
        subject=user,
        ip=ip,
        changes={"state": [AccountState.PENDING, AccountState.ACTIVE]},
        reason=route,
    )
    notify(user, _("您的账号已通过身份核验，可以正常使用。"))
    transaction.on_commit(lambda: _close_settled_requests(winner=user, cancelled=others))
    return user


def _close_claims_of(cancelled: list[User]) -> None:
    from accounts.services.claims import claims_close_for

    claims_close_for(cancelled, reason=_("该证件号码已由另一账号通过身份核验，申领关闭"))


def _close_settled_requests(*, winner: User, cancelled: list[User]) -> None:
    """Requests that no reviewer needs to decide any more: the winner's other photo
    requests have passed, every request of a cancelled account is refused. Runs after
    the approval commits, so that it never waits on a reviewer holding one of them."""
    now = timezone.now()
    pending = IdentityRequest.objects.filter(state=RequestState.PENDING)
    settled = [
        (
            pending.filter(user=winner, kind=RequestKind.DUPLICATE_ID),
            {"state": RequestState.APPROVED},
            _("账号已通过其他途径完成身份核验"),
        ),
        (
            pending.filter(user__in=cancelled),
            {
                "state": RequestState.REJECTED,
                "reject_reason": RejectReason.OTHER,
                "reject_note": _("该证件号码已由另一账号通过身份核验，本账号已注销"),
            },
            _("申请账号已注销"),
        ),
    ]
    for requests, values, reason in settled:
        for req in requests.select_related("user"):
            if pending.filter(pk=req.pk).update(decided_at=now, **values):
                log_action(req, "accounts.request_closed", reason=reason)
    _close_claims_of(cancelled)


def _cancel(old: User, *, now, winner: User, by, ip) -> None:
    before = old.state
    old.state, old.is_active, old.cancelled_at = AccountState.CANCELLED, False, now
    old.save(update_fields=["state", "is_active", "cancelled_at"])
    old.end_sessions()  # an inactive account no longer authenticates anyway
    log_action(
        old,
        "accounts.cancelled",
        by=by,
        subject=old,
        ip=ip,
        changes={"state": [before, AccountState.CANCELLED]},
        reason=_("证件号码由账号 %(name)s 通过身份核验") % {"name": winner.username},
    )
    notify(
        old,
        _(
            "您的账号因同一证件号码的另一账号通过身份核验而被注销；原账号绑定的学籍已转入新账号。如非本人操作，请立即联系客服。"
        ),
    )


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
    """Count this guess first, then compare (docs/quality.md: a burst of guesses sent together
    cannot all read "4 of 5"). A refused guess stays counted; a right one is given back
    with _give_back, so that the limits count wrong guesses only."""
    limits = _guess_limits(user, ip)
    wait = max(limit.attempt(key) for limit, key in limits)
    if wait:
        raise Throttled(wait_message(wait))
    return limits


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
        raise AccountError(_("提供的信息与您的姓名、证件号码对应的学籍或学历不符，请核对后重试。"))
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
        raise AccountError(
            _("未找到该同学：请确认姓名和学号，且该同学已注册并绑定了同一班级的学籍。")
        )
    _give_back(guess)
    assist, _created = ClassmateAssist.objects.get_or_create(
        requester=requester, classmate=record.user, state=AssistState.PENDING
    )
    notify(
        record.user,
        _("同班同学 %(name)s 请求您协助核验身份，请登录学籍校对确认是否为本人。")
        % {"name": requester.real_name},
    )
    return assist


def classmate_assist_decide(
    *, assist: ClassmateAssist, classmate: User, confirm: bool, ip=None
) -> ClassmateAssist:
    if assist.classmate_id != classmate.pk or assist.state != AssistState.PENDING:
        raise AccountError(_("该协助请求已处理或不属于您。"))
    with transaction.atomic():
        assist.state = AssistState.CONFIRMED if confirm else AssistState.DECLINED
        assist.decided_at = timezone.now()
        assist.save(update_fields=["state", "decided_at"])
        log_action(
            assist.requester,
            f"accounts.classmate_{assist.state}",
            by=classmate,
            subject=assist.requester,
            ip=ip,
        )
        if confirm:
            identity_check_passed(user=assist.requester, by=classmate, route="classmate", ip=ip)
    return assist


# The reviewers' decisions ------------------------------------------------------------


def identity_request_viewed(*, req: IdentityRequest, by: User, ip=None) -> None:
    """docs/quality.md (PIPL): staff access to a person's full ID number and ID photos is
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
    from accounts.services.claims import give_phone, phone_claim_make

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
        req.user,
        req.phone,
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
