"""The identity reviewers' (客服) decisions on claims that wait for them: disputed
claims and claims against staff accounts, decided with both accounts side by side.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.errors import AccountError
from accounts.models import ClaimState, IdentityClaim, User
from accounts.notify import notify
from accounts.services.claims import claim_cancel, claim_complete
from portal.lib.audit import log_action

# The reviewers' decisions ------------------------------------------------------------------------


def claim_viewed(*, claim: IdentityClaim, by: User, ip=None) -> None:
    log_action(claim, "accounts.claim_viewed", by=by, subject=claim.claimant, ip=ip)


def _claim_in_review(claim_id: int) -> IdentityClaim:
    claim = (
        IdentityClaim.objects.select_for_update(of=("self",))
        .select_related("claimant", "holder")
        .get(pk=claim_id)
    )
    if claim.state not in (ClaimState.DISPUTED, ClaimState.REVIEW):
        raise AccountError(
            _("该申领当前状态为“%(state)s”，不在客服处理中，无需审核。")
            % {"state": claim.get_state_display()}
        )
    return claim


@transaction.atomic
def claim_review_approve(*, claim: IdentityClaim, by: User, ip=None) -> IdentityClaim:
    """The reviewers let the claim take effect; a staff account holding the ID number is
    never cancelled (identity_approve refuses, saying what to do)."""
    claim = _claim_in_review(claim.pk)
    return claim_complete(claim_id=claim.pk, by=by, how=_("客服审核通过"), ip=ip)


@transaction.atomic
def claim_review_reject(*, claim: IdentityClaim, by: User, note: str, ip=None):
    if not note.strip():
        raise AccountError(_("请填写驳回说明，告诉申领人下一步怎么做。"))
    claim = _claim_in_review(claim.pk)
    claim = claim_cancel(
        claim_id=claim.pk,
        by=by,
        reason=_("客服驳回：%(note)s") % {"note": note.strip()},
        ip=ip,
    )
    notify(
        claim.claimant,
        _("您通过“%(route)s”提出的申领经客服核实未通过：%(note)s。如有疑问请联系学校学籍管理部门。")
        % {"route": claim.get_route_display(), "note": note.strip().rstrip("。.！!；;")},
    )
    notify(claim.holder, _("针对您账号的申领已被客服驳回，您的账号不受影响。"))
    return claim


def account_history(user: User) -> dict:
    """One side of a claim for the reviewer: the account, its audit events, its requests
    and its record bindings (reverse relations: accounts imports no app above it)."""
    from portal.lib.models import AuditEvent

    return {
        "account": user,
        # Every event about her: as subject, or named by an access or an export.
        "events": list(
            AuditEvent.objects.concerning(user=user).order_by("-created_at", "-pk")[:30]
        ),
        "requests": list(user.identity_requests.order_by("-created_at")),
        "enrollments": list(user.enrollment_records.select_related("institution")),
        "degrees": list(user.degree_records.select_related("institution")),
        "classes_monitored": list(user.monitored_classes.all()),
    }
