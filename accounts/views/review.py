"""The identity reviewers' (客服) queue: pending requests and the claims that wait for
them, each decided on its own page."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import access, forms, selectors
from accounts.decorators import role_required
from accounts.errors import AccountError
from accounts.models import Role
from accounts.services import claim_review, identity_requests
from portal.lib.throttle import client_ip


def _confirmed(request) -> bool:
    """The second step of an approval that cancels another account was taken."""
    return request.POST.get("confirm") == "1"


@role_required(Role.IDENTITY_REVIEWER)
def identity_queue(request):
    """Pending requests, oldest first, with their age against the 3-working-day target."""
    return render(
        request,
        "accounts/identity_queue.html",
        {
            "pending": selectors.pending_requests(),
            "target": identity_requests.REVIEW_TARGET,
            "disputed": selectors.claims_for_reviewers(),
        },
    )


@role_required(Role.IDENTITY_REVIEWER)
def identity_request_detail(request, pk: int):
    req = access.identity_request_for_review(request, pk)
    ip = client_ip(request)
    other_holders = list(identity_requests.accounts_cancelled_by_request(req))
    form = forms.ReviewDecisionForm(request.POST or None)
    confirming = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Approving cancels the other accounts of the ID number (after the waiting
        # period): it asks once more, naming them.
        confirming = (
            data["decision"] == "approve" and bool(other_holders) and not _confirmed(request)
        )
        if not confirming:
            try:
                if data["decision"] == "approve":
                    identity_requests.identity_request_approve(req=req, by=request.user, ip=ip)
                else:
                    identity_requests.identity_request_reject(
                        req=req, by=request.user, reason=data["reason"], note=data["note"], ip=ip
                    )
            except AccountError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("审核结果已保存。"))
                return redirect("accounts:identity_queue")
    # Every render shows the full ID number and the images, a refused POST's too: each
    # is recorded (docs/security.md, PIPL), not only the GET.
    identity_requests.identity_request_viewed(req=req, by=request.user, ip=ip)
    context = {
        "req": req,
        "form": form,
        "confirming": confirming,
        "other_holders": other_holders,
        "phone_holder": identity_requests.phone_holder(req),
    }
    return render(request, "accounts/identity_request_detail.html", context)


@role_required(Role.IDENTITY_REVIEWER)
def identity_claim_detail(request, pk: int):
    """Both accounts side by side: their audit events, requests and bindings."""
    claim = access.claim_for_review(request, pk)
    ip = client_ip(request)
    form = forms.ClaimDecisionForm(request.POST or None)
    confirming = False
    if request.method == "POST" and form.is_valid():
        # Approval cancels the holder's account: it asks once more, naming it.
        approve = form.cleaned_data["decision"] == "approve"
        confirming = approve and not _confirmed(request)
        if not confirming:
            try:
                if approve:
                    claim_review.claim_review_approve(claim=claim, by=request.user, ip=ip)
                else:
                    claim_review.claim_review_reject(
                        claim=claim, by=request.user, note=form.cleaned_data["note"], ip=ip
                    )
            except AccountError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("申领处理结果已保存。"))
                return redirect("accounts:identity_queue")
    claim_review.claim_viewed(claim=claim, by=request.user, ip=ip)  # every render, as above
    sides = [
        (_("申领账号"), claim_review.account_history(claim.claimant)),
        (_("原账号"), claim_review.account_history(claim.holder)),
    ]
    return render(
        request,
        "accounts/identity_claim_detail.html",
        {
            "claim": claim,
            "form": form,
            "sides": sides,
            "confirming": confirming,
            "cancelled": [claim.holder],
        },
    )
