"""The holder's answers to an identity claim against her account: 不是我本人操作, or
这是我本人的新账号 (on the phone route, 同意转出该手机号)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access, forms
from accounts.decorators import active_required
from accounts.errors import AccountError
from accounts.services import claims
from portal.lib.throttle import client_ip


@require_POST
@active_required
def claim_object(request, pk: int):
    """不是我本人操作."""
    claim = access.claim_for_holder(request, pk)
    try:
        claims.claim_object(claim_id=claim.pk, holder=request.user, ip=client_ip(request))
    except AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("已提出异议：该申领已冻结并转客服核实，您的账号和信息不受影响。")
        )
    return redirect("home")


@active_required
def claim_confirm(request, pk: int):
    """这是我本人的新账号 (or, on the phone route, 同意转出该手机号): a page that says what
    it does first (her account is cancelled, or her phone moves), then a POST."""
    claim = access.claim_for_holder(request, pk)
    form = forms.PasswordAgainForm(request.user, request.POST or None)
    if request.method != "POST" or not form.is_valid():
        # The banner's buttons would only lead back here: the page says it all.
        context = {"claim": claim, "form": form, "hide_claim_banner": True}
        return render(request, "accounts/claim_confirm.html", context)
    try:
        claim = claims.claim_confirm_by_holder(
            claim_id=claim.pk, holder=request.user, ip=client_ip(request)
        )
    except AccountError as error:
        messages.error(request, error.message)
        return redirect("home")
    if claim.route == "phone":
        messages.success(request, _("已确认：该手机号已从您的账号解除，转入申请的账号。"))
        return redirect("home")
    logout(request)
    messages.success(
        request, _("已确认：本账号已注销，学籍等信息已转入您的新账号，请用新账号登录。")
    )
    return redirect("accounts:login")
