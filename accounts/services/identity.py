"""Approval of an identity: the last step of every identity check of an account pending
because its ID number was already registered (seed 000, seed 001).

A passed check never cancels an active holder on the spot: it makes an identity claim
(accounts.services.claims) that takes effect after the dispute window, the holder's own
confirmation or a reviewer's decision. Only then does `identity_approve` run: it cancels
every other account holding that ID number (accounts.services.holders), moves everything
they held here (each app moves its own objects: accounts.transfer) and ends their
sessions (an inactive account's session no longer authenticates), in one audited
transaction.

The checks themselves: hand-held ID photos reviewed by staff
(accounts.services.identity_requests), a classmate's confirmation
(accounts.services.assists), and the proof by enrolment or degree records, which lives
above accounts (records.identity).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import AccountError
from accounts.models import (
    AccountState,
    IdentityRequest,
    RejectReason,
    RequestKind,
    RequestState,
    User,
)
from accounts.notify import notify
from accounts.services.holders import accounts_cancelled_by_approval, lock_id_holders
from accounts.transfer import transfer_all
from portal.lib.audit import log_action


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
    # Imported here: accounts.services.claims imports this module (a claim's completion
    # is an approval), and the open claims close only after the approval commits.
    from accounts.services.claims import claims_close_for

    claims_close_for(cancelled=cancelled, reason=_("该证件号码已由另一账号通过身份核验，申领关闭"))


def _close_settled_requests(*, winner: User, cancelled: list[User]) -> None:
    """Requests that no reviewer needs to decide any more: the winner's other photo
    requests have passed, every request of a cancelled account is refused. Runs after
    the approval commits, so that it never waits on a reviewer holding one of them."""
    now = timezone.now()
    pending = IdentityRequest.objects.filter(state=RequestState.PENDING)
    settled: list[tuple[QuerySet[IdentityRequest], dict[str, Any], str]] = [
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
            with transaction.atomic():  # each request closed with its audit event
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
