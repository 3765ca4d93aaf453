"""Identity claims (issue 11): a passed check never takes an account from its holder on
the spot.

A check that passes for a pending account whose ID number an active account holds
(facts, a classmate, the reviewers' approval of hand-held photos), and a reviewer's
approval of a phone held by another account, make a *ready* claim. The holder is told at
once by e-mail, SMS and a banner on every page (User.claim_alert_at), with who claims and
one button 不是我本人操作. The claim takes effect when the dispute window
(settings.IDENTITY_DISPUTE_WINDOW) has passed without objection: a deferred task of the
worker completes it, and `manage.py complete_claims` (any time, e.g. from cron) sweeps
the due ones. The holder may complete it herself at once (这是我本人的新账号); an
objection freezes it for the reviewers (客服), who decide with both accounts side by side.
A staff account is never cancelled by a claim: such a claim goes to the reviewers.

What the parties are told: accounts.services.claim_messages; the reviewers' decisions:
accounts.services.claim_review.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import AccountError
from accounts.models import (
    OPEN_CLAIM_STATES,
    AccountState,
    AssistState,
    ClaimRoute,
    ClaimState,
    ClassmateAssist,
    IdentityClaim,
    IdentityRequest,
    User,
    mask_phone,
)
from accounts.notify import notify
from accounts.services.claim_messages import dispute_window, tell_claimant_ready, tell_holder
from accounts.services.holders import lock_id_holders
from accounts.services.identity import identity_approve
from accounts.services.phones import give_phone, release_phone
from portal.lib.audit import log_action

logger = logging.getLogger(__name__)


def _claims_on(holder_id: int, *, phone: bool):
    """Claims on one thing of the holder's: her phone, or else her ID number."""
    claims = IdentityClaim.objects.filter(holder_id=holder_id)
    if phone:
        return claims.filter(route=ClaimRoute.PHONE)
    return claims.exclude(route=ClaimRoute.PHONE)


# Making a claim ---------------------------------------------------------------------------


def identity_check_passed(
    *, user: User, by: User | None, route: str, ip=None, source=None
) -> IdentityClaim | None:
    """A check of `route` has passed for the pending `user`. With no other active holder
    of the ID number the account is approved at once (None); otherwise a claim against
    the holder is made ready (or sent to the reviewers when the holder is staff)."""
    with transaction.atomic():
        me, holders = lock_id_holders(user)
        holder = next((u for u in holders if u.state == AccountState.ACTIVE), None)
        if holder is None:
            identity_approve(user=me, by=by, route=route, ip=ip)
            return None
        existing = IdentityClaim.objects.open().filter(claimant=me).exclude(route=ClaimRoute.PHONE)
        claim = existing.first()
        if claim is not None:
            return claim  # one claim at a time: a second route adds nothing
        # Not again by the window: after the reviewers refused this claimant, or once the
        # holder has objected to any claim on her ID number, every later claim goes to the
        # reviewers — else each new pending account would open a fresh window, and she
        # would have to object every time and lose the one she missed.
        refused = (
            _claims_on(holder.pk, phone=False)
            .filter(
                Q(claimant=me, state=ClaimState.CANCELLED, decided_by__isnull=False)
                | Q(objected_at__isnull=False)
            )
            .exists()
        )
        # A holder no text or e-mail can reach would learn of the claim only by logging in
        # within the window (docs/security.md "Knowledge is not authentication": told first,
        # with time to object): her account is never cancelled by the window alone.
        unreachable = not (holder.phone or holder.email)
        return _make_claim(
            claimant=me,
            holder=holder,
            route=route,
            by=by,
            ip=ip,
            source=source,
            to_review=refused or unreachable,
        )


@transaction.atomic
def phone_claim_make(*, req: IdentityRequest, holder: User, by: User, ip=None):
    """The reviewers approved that `req.phone` is the requester's; another live account
    holds it. The phone moves only when the window passes (same machinery)."""
    objected = _claims_on(holder.pk, phone=True).filter(objected_at__isnull=False).exists()
    return _make_claim(
        claimant=req.user,
        holder=holder,
        route=ClaimRoute.PHONE,
        by=by,
        ip=ip,
        source=req,
        phone=req.phone,
        to_review=objected,
    )


def _make_claim(
    *, claimant, holder, route, by, ip, source=None, phone="", to_review=False
) -> IdentityClaim:
    now = timezone.now()
    staff = to_review or (route != ClaimRoute.PHONE and holder.is_staff_account)
    claim = IdentityClaim(
        claimant=claimant,
        holder=holder,
        route=route,
        phone=phone,
        request=source,
        ready_at=now,
        state=ClaimState.REVIEW if staff else ClaimState.READY,
        takes_effect_at=None if staff else now + dispute_window(),
    )
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError as exc:
        raise AccountError(_("您已有一个正在处理的申领，请等待其结果。")) from exc
    _raise_alert(holder, now)
    log_action(
        claim,
        "accounts.claim_ready" if not staff else "accounts.claim_to_review",
        by=by,
        subject=claimant,
        ip=ip,
        reason=_("%(route)s：申领账号 %(claimant)s，原账号 %(holder)s")
        % {
            "route": claim.get_route_display(),
            "claimant": claimant.username,
            "holder": holder.username,
        },
    )
    tell_holder(claim)
    tell_claimant_ready(claim)
    if not staff:
        transaction.on_commit(lambda: _schedule(claim))
    return claim


def _schedule(claim: IdentityClaim) -> None:
    """A deferred task of the worker completes the claim when its window has passed.
    Back-ends that cannot defer (the immediate one of the tests) leave it to the sweep."""
    from accounts.tasks import complete_claim

    backend = complete_claim.get_backend()
    if not getattr(backend, "supports_defer", False):
        return
    try:
        complete_claim.using(run_after=claim.takes_effect_at).enqueue(claim_id=claim.pk)
    except Exception:  # the sweep (manage.py complete_claims) still completes it
        logger.exception("claim %s: could not enqueue its completion", claim.pk)


def _raise_alert(holder: User, now) -> None:
    User.objects.filter(pk=holder.pk, claim_alert_at__isnull=True).update(claim_alert_at=now)
    if holder.claim_alert_at is None:
        holder.claim_alert_at = now


def _refresh_alert(holder_id: int) -> None:
    """claim_alert_at: the oldest open claim against the account, or nothing."""
    first = (
        IdentityClaim.objects.open()
        .filter(holder_id=holder_id)
        .order_by("ready_at")
        .values_list("ready_at", flat=True)
        .first()
    )
    User.objects.filter(pk=holder_id).update(claim_alert_at=first)


# The holder's answers -----------------------------------------------------------------------


def _holders_claim(claim_id: int, holder: User) -> IdentityClaim:
    claim = IdentityClaim.objects.select_for_update().filter(pk=claim_id, holder=holder).first()
    if claim is None:
        raise AccountError(_("未找到该申领，请刷新页面后重试。"))
    if not claim.is_open:
        raise AccountError(
            _("该申领已处理完毕（%(state)s），无需再操作。") % {"state": claim.get_state_display()}
        )
    return claim


@transaction.atomic
def claim_object(*, claim_id: int, holder: User, ip=None) -> IdentityClaim:
    """不是我本人操作: the claim freezes and goes to the 客服 queue with both sides."""
    claim = _holders_claim(claim_id, holder)
    if claim.state == ClaimState.DISPUTED:
        raise AccountError(_("您已提出异议，客服正在处理，请留意通知。"))
    before = claim.state
    claim.state, claim.objected_at = ClaimState.DISPUTED, timezone.now()
    claim.save(update_fields=["state", "objected_at"])
    log_action(
        claim,
        "accounts.claim_objected",
        by=holder,
        subject=holder,
        ip=ip,
        changes={"state": [before, ClaimState.DISPUTED]},
    )
    notify(
        claim.claimant,
        _("原账号持有人对您的%(route)s申领提出了异议，已转客服核实，请等待处理结果。")
        % {"route": claim.get_route_display()},
    )
    _others_to_review(claim, by=holder, ip=ip)
    return claim


def _same_kind(claim: IdentityClaim):
    """Claims on the same thing of the holder's: her ID number, or her phone."""
    return _claims_on(claim.holder_id, phone=claim.route == ClaimRoute.PHONE)


def _others_to_review(claim: IdentityClaim, *, by, ip) -> None:
    """One objection stops every other claim on the same thing waiting out its window:
    they go to the reviewers too (else completing one would take what she objected to)."""
    for other in _same_kind(claim).filter(state=ClaimState.READY).exclude(pk=claim.pk):
        moved = IdentityClaim.objects.filter(pk=other.pk, state=ClaimState.READY).update(
            state=ClaimState.REVIEW, takes_effect_at=None
        )
        if not moved:  # completed or answered meanwhile
            continue
        log_action(
            other,
            "accounts.claim_to_review",
            by=by,
            subject=other.claimant,
            ip=ip,
            changes={"state": [ClaimState.READY, ClaimState.REVIEW]},
            reason=_("原账号持有人对同一证件号码或手机号的另一申领提出了异议"),
        )


def claim_confirm_by_holder(*, claim_id: int, holder: User, ip=None) -> IdentityClaim:
    """这是我本人的新账号: the logged-in holder completes the claim at once."""
    with transaction.atomic():
        _holders_claim(claim_id, holder)
        return claim_complete(claim_id=claim_id, by=holder, how=_("原账号持有人确认"), ip=ip)


# Completion ------------------------------------------------------------------------------------


@transaction.atomic
def claim_complete(
    *, claim_id: int, by: User | None, how: str, ip=None, due_at=None
) -> IdentityClaim:
    """Make the claim take effect, in one audited transaction. Raises AccountError
    (everything rolled back) when it can no longer take effect. With `due_at`, only a
    READY claim whose window has passed by then (decided under the row lock, so that an
    objection a moment earlier always wins)."""
    claim = (
        IdentityClaim.objects.select_for_update(of=("self",))
        .select_related("claimant", "holder")
        .get(pk=claim_id)
    )
    if not claim.is_open:
        return claim
    if due_at is not None and (claim.state != ClaimState.READY or claim.takes_effect_at > due_at):
        return claim
    if claim.route == ClaimRoute.PHONE:
        _move_phone(claim, by=by, ip=ip)
    else:
        identity_approve(user=claim.claimant, by=by, route=claim.route, ip=ip)
    claim.state, claim.decided_at, claim.decided_by = ClaimState.COMPLETED, timezone.now(), by
    claim.outcome = how[:300]
    claim.save(update_fields=["state", "decided_at", "decided_by", "outcome"])
    log_action(
        claim,
        "accounts.claim_completed",
        by=by,
        subject=claim.claimant,
        ip=ip,
        changes={"state": ["open", ClaimState.COMPLETED]},
        reason=how,
    )
    holder_id, claimant_id = claim.holder_id, claim.claimant_id
    transaction.on_commit(lambda: _after_close(holder_id=holder_id, claimant_id=claimant_id))
    return claim


def _move_phone(claim: IdentityClaim, *, by, ip) -> None:
    users = {
        u.pk: u
        for u in User.objects.select_for_update()
        .filter(pk__in=[claim.claimant_id, claim.holder_id])
        .order_by("pk")
    }
    claimant, holder = users[claim.claimant_id], users[claim.holder_id]
    if claimant.state == AccountState.CANCELLED:
        raise AccountError(_("申请账号已注销，手机号不再转移。"))
    masked = mask_phone(claim.phone)
    if holder.phone == claim.phone:
        release_phone(
            user=holder,
            action="accounts.phone_released",
            by=by,
            ip=ip,
            reason=_("客服审核：手机号归属申请通过，等待期满无异议"),
            message=_("您账号绑定的手机号 %(phone)s 已按客服审核结果从您的账号解除。")
            % {"phone": masked},
        )
    give_phone(
        user=claimant,
        phone=claim.phone,
        by=by,
        ip=ip,
        taken=_("该手机号已被其他账号使用，请重新提交手机号申请。"),
    )
    notify(claimant, _("手机号 %(phone)s 已转入您的账号。") % {"phone": masked})


def claim_complete_if_due(*, claim_id: int, now=None) -> IdentityClaim | None:
    """The task and the sweep: complete a READY claim whose window has passed. Safe to
    run twice, early or late: anything else is left as it is. A claim that can no
    longer take effect is cancelled with the reason."""
    now = now or timezone.now()
    claim = IdentityClaim.objects.filter(pk=claim_id).first()
    if claim is None or claim.state != ClaimState.READY or claim.takes_effect_at > now:
        return claim
    try:
        return claim_complete(
            claim_id=claim_id, by=None, how=_("等待期满，原账号未提出异议"), due_at=now
        )
    except AccountError as error:
        return claim_cancel(claim_id=claim_id, by=None, reason=error.message)


def claims_complete_due(*, now=None, **filters) -> list[IdentityClaim]:
    """Every due claim (optionally of one claimant or holder): `manage.py complete_claims`
    and the identity page of the claimant."""
    now = now or timezone.now()
    due = IdentityClaim.objects.filter(
        state=ClaimState.READY, takes_effect_at__lte=now, **filters
    ).order_by("takes_effect_at", "pk")
    done = []
    for claim_id in list(due.values_list("pk", flat=True)):
        claim = claim_complete_if_due(claim_id=claim_id, now=now)
        if claim is not None:
            done.append(claim)
    return done


@transaction.atomic
def claim_cancel(*, claim_id: int, by: User | None, reason: str, ip=None):
    claim = IdentityClaim.objects.select_for_update(of=("self",)).filter(pk=claim_id).first()
    if claim is None or not claim.is_open:
        return claim
    before = claim.state
    claim.state, claim.decided_at, claim.decided_by = ClaimState.CANCELLED, timezone.now(), by
    claim.outcome = reason[:300]
    claim.save(update_fields=["state", "decided_at", "decided_by", "outcome"])
    log_action(
        claim,
        "accounts.claim_cancelled",
        by=by,
        subject=claim.claimant,
        ip=ip,
        changes={"state": [before, ClaimState.CANCELLED]},
        reason=reason,
    )
    holder_id, claimant_id = claim.holder_id, claim.claimant_id
    transaction.on_commit(lambda: _after_close(holder_id=holder_id, claimant_id=claimant_id))
    return claim


def _after_close(*, holder_id: int, claimant_id: int) -> None:
    """After a claim closes: the holder's banner, and the claimant's classmate requests
    still waiting (they close with their claim)."""
    _refresh_alert(holder_id)
    for assist in ClassmateAssist.objects.filter(
        requester_id=claimant_id, state=AssistState.PENDING
    ):
        with transaction.atomic():  # each request closed with its audit event
            closed = ClassmateAssist.objects.filter(pk=assist.pk, state=AssistState.PENDING).update(
                state=AssistState.CLOSED, decided_at=timezone.now()
            )
            if closed:
                log_action(
                    assist.requester,
                    "accounts.classmate_closed",
                    subject=assist.requester,
                    reason=_("申领已处理，同学协助请求关闭"),
                )


def claims_close_for(*, cancelled: list[User], reason: str) -> None:
    """Open claims made by or against accounts just cancelled can no longer take effect.
    Runs after the cancelling transaction commits (never waits on a claim it locks)."""
    ids = [u.pk for u in cancelled]
    if not ids:
        return
    stale = IdentityClaim.objects.filter(state__in=OPEN_CLAIM_STATES).filter(
        Q(claimant_id__in=ids) | Q(holder_id__in=ids)
    )
    for claim_id in list(stale.values_list("pk", flat=True)):
        claim_cancel(claim_id=claim_id, by=None, reason=reason)
